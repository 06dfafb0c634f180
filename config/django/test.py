"""Tests: fast password hashing, in-memory e-mail, files in a temporary folder."""

import tempfile

from config.django.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run at once, inside the test: the database backend would need a worker process.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="vaecos-test-media-")
# WhiteNoise warns (an error under -W error) when STATIC_ROOT does not exist yet.
STATIC_ROOT = tempfile.mkdtemp(prefix="vaecos-test-static-")


class _InvalidTemplateVariable(str):
    """Fail loudly on a template variable that does not exist (les-emplois' safety net)."""

    def __mod__(self, other: object) -> str:
        raise NameError(f"Variable de gabarit inconnue : {other}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _InvalidTemplateVariable("%s")  # type: ignore[index]  # noqa: F405

# Close every connection at the end of its request: the live server's request threads would
# otherwise keep PostgreSQL sessions open and block dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405


# django-axes' backend, except for the test client's `Client.login()`, which authenticates
# without a request (vaecos.www.accounts.throttling.AxesBackendForTestClient). Every HTTP
# login is throttled exactly as in production.
AUTHENTICATION_BACKENDS = [
    "vaecos.www.accounts.throttling.AxesBackendForTestClient",
    "django.contrib.auth.backends.ModelBackend",
]

# The second factor is off for the suite's many `force_login`s of staff; the tests of the
# second factor itself (tests/accounts/test_second_factor.py) turn it back on.
SECOND_FACTOR_REQUIRED = False
