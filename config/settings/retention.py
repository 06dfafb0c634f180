"""Personal-data retention (RGPD): how long each kind of data is kept, in days.

`manage.py retention` applies the rules (`--dry-run` only reports); the periodic admissibility
checks (`manage.py admissibility_checks` and its task) apply them too, so a deployment that runs
the checks needs nothing more. What each rule deletes: vaecos/retention/rules.py.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int


def _days(name: str, default: int, minimum: int) -> int:
    # A typo must not shorten a retention period: refuse to start rather than guess.
    value = env_int(name, default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} doit valoir au moins {minimum} (jours), pas {value}.")
    return value


# Identity proofs of an admissibility request (Livret 1): deleted this many days after the
# decision was notified (its letter written). 0: at the first run after the decision.
RETENTION_IDENTITY_DAYS = _days("RETENTION_IDENTITY_DAYS", 0, minimum=0)
# The Livret 2 draft of an abandoned case (never finalised, untouched this many days, the case's
# admissibility expired with nothing newer asked): its text, revisions and files are erased.
RETENTION_DRAFT_DAYS = _days("RETENTION_DRAFT_DAYS", 730, minimum=1)
# The login journal of django-axes (logins, logouts, failures, lock-out counters): entries
# older than this many days are deleted.
RETENTION_LOGIN_LOG_DAYS = _days("RETENTION_LOGIN_LOG_DAYS", 365, minimum=1)
