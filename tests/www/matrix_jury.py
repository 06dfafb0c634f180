"""Authorization rules of the jury pages (grid, notes, votes, decision, minutes) and of the
candidate's results, and the part of the matrix's world they need. Imported by
test_authorization_matrix.py.

The world gains two sessions of its own:
- one where world.users["jury"] presides, with another member, and the other candidate's
  dossier transmitted (its deliberation still a draft): the jury's working pages point at it;
- a past one where they do not sit, where the owner was evaluated: a partial validation,
  notified, with its PV, result letter and a bloc acquired. Its PV is a 404 for the world's
  jury member, as anything of a session where one does not sit.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile

# Values for URL arguments this module's URLs use, by argument name, from the world: none
# (each rule names its own "pk").
URL_KWARGS: dict[str, Callable[[SimpleNamespace], Any]] = {}

_cache: dict[str, Any] = {}


def _rules() -> dict[str, Any]:
    # test_authorization_matrix imports this module before it defines its helpers; RULES is read
    # (through __getattr__ below) once they exist.
    from .test_authorization_matrix import NOT_FOUND, OK, ROLES, TO_LOGIN, Expect, Rule

    def only(method: str, allowed: dict[str, Any], **extra: Any) -> Rule:
        """Those in `allowed` get their answer; every other signed-in role a 404."""
        expected = dict.fromkeys(ROLES, NOT_FOUND) | {"anonymous": TO_LOGIN} | allowed
        return Rule(method, expected, **extra)

    working = {"pk": lambda world: world.jury_registration.pk}
    evaluated = {"pk": lambda world: world.jury_owner_registration.pk}
    decision = {"pk": lambda world: world.jury_owner_deliberation.pk}
    session = {"pk": lambda world: world.jury_session.pk}
    readers = {"jury": OK, "instructor": OK, "admin": OK}
    back = Expect(302, "/jury/candidat/{jury_registration.pk}/")

    def admin_forbidden() -> Rule:
        # Read-only admin: adding or deleting a decision is refused even to administrators.
        expected = {role: Expect(302, "ADMIN_LOGIN") for role in ROLES if role != "admin"}
        return Rule("GET", expected | {"admin": Expect(403)})

    return {
        # A jury member's sessions; the certifier's staff see every session's jury.
        "jury:home": only("GET", readers),
        "jury:session": only("GET", readers, kwargs=session),
        # The evaluation page, its frozen dossier: the session's jury and staff (read only).
        "jury:candidate": only("GET", readers, kwargs=working),
        "jury:bundle": only("GET", readers, kwargs=working),
        # Writing is for the session's jury only; staff read but write nothing (404).
        "jury:grid_save": only("POST", {"jury": back}, kwargs=working),
        "jury:notes_save": only(
            "POST", {"jury": back}, kwargs=working, data=lambda world: {"text": "Mes notes"}
        ),
        # No vote given: refused with a message, back to the page.
        "jury:vote": only("POST", {"jury": back}, kwargs=working),
        # The president records the candidate's absence: refused before the day of the oral
        # (75 days away), the page is shown again with the message and the president's text.
        "jury:deliberate": only(
            "POST", {"jury": Expect(400)}, kwargs=working, data=lambda world: {"mode": "absent"}
        ),
        # The president takes a decision back: nothing decided yet (draft), refused with a
        # message, back to the page.
        "jury:reopen": only("POST", {"jury": back}, kwargs=working),
        # Nothing to confirm yet (draft): refused with a message.
        "jury:sign": only("POST", {"jury": back}, kwargs=working),
        # The PV of a session where the world's jury member does not sit: 404 to them.
        "jury:minutes": only("GET", {"instructor": OK, "admin": OK}, kwargs=evaluated),
        # The candidate's results: candidates only (their own decisions).
        "jury:results": only("GET", {"owner": OK, "other_candidate": OK}),
        "jury:result_letter": only(
            "GET", {"owner": OK, "instructor": OK, "admin": OK}, kwargs=decision
        ),
        # The owner's own decision; whether the attempt opens depends on their admissibility.
        "jury:new_attempt": only("POST", {"owner": Expect(302)}, kwargs=decision),
        "admin:jury_deliberation_add": admin_forbidden(),
        "admin:jury_deliberation_delete": admin_forbidden(),
        "admin:jury_acquiredbloc_add": admin_forbidden(),
        "admin:jury_acquiredbloc_delete": admin_forbidden(),
    }


def __getattr__(name: str) -> Any:
    if name == "RULES":
        if "rules" not in _cache:
            _cache["rules"] = _rules()
        return _cache["rules"]
    raise AttributeError(name)


def _pdf(field: Any, name: str) -> None:
    field.save(name, ContentFile(b"%PDF-1.7 stand-in"), save=False)


def extend_world(world: SimpleNamespace) -> None:
    """Add the objects this module's rules need to the matrix's world (inside its transaction)."""
    import datetime

    from django.utils import timezone

    from tests.accounts.factories import UserFactory
    from tests.evaluation.factories import EvaluationSessionFactory, JuryMemberFactory
    from vaecos.dossiers.models import Dossier
    from vaecos.evaluation.models import Registration
    from vaecos.jury.models import AcquiredBloc, BlocResult, Deliberation, Outcome

    referentiel = world.referentiel
    today = timezone.localdate()
    now = timezone.now()
    # A session where the world's jury member presides, with the other candidate's dossier.
    session = EvaluationSessionFactory(
        referentiel_version=referentiel, date=today + datetime.timedelta(days=75)
    )
    JuryMemberFactory(session=session, user=world.users["jury"], is_president=True)
    JuryMemberFactory(session=session, user=UserFactory(jury=True, gender="M"))
    theirs = (
        Dossier.objects.filter(case__candidate=world.users["other_candidate"])
        .order_by("pk")
        .first()
    )
    assert theirs is not None
    registration = Registration(
        session=session, case=theirs.case, dossier=theirs, transmitted_at=now
    )
    _pdf(registration.bundle, "livret2.pdf")
    registration.save()
    Deliberation.objects.create(registration=registration)
    # A past session where they do not sit: the owner's partial validation, notified.
    past = EvaluationSessionFactory(
        referentiel_version=referentiel, date=today - datetime.timedelta(days=20)
    )
    JuryMemberFactory(session=past, is_president=True)
    JuryMemberFactory(session=past)
    evaluated = Registration(
        session=past,
        case=world.dossier.case,
        dossier=world.dossier,
        transmitted_at=now - datetime.timedelta(days=60),
        status="evalue",
    )
    _pdf(evaluated.bundle, "livret2.pdf")
    evaluated.save()
    deliberation = Deliberation(
        registration=evaluated,
        status=Deliberation.Status.NOTIFIED,
        outcome=Outcome.PARTIAL,
        reasons="Activités III et IV à approfondir.",
        competences_to_prove="III et IV",
        deliberated_at=now,
        signed_at=now,
        notified_at=now,
    )
    _pdf(deliberation.minutes, "pv.pdf")
    _pdf(deliberation.result_letter, "lettre.pdf")
    deliberation.save()
    first = referentiel.activities.get(number=1)
    BlocResult.objects.create(
        deliberation=deliberation, activity=first, validated=True, votes_for=2
    )
    AcquiredBloc.objects.create(
        candidate=world.users["owner"],
        certification=referentiel.certification,
        bloc_code=first.bloc_code,
        activity=first,
        deliberation=deliberation,
        acquired_on=today - datetime.timedelta(days=20),
    )
    world.jury_session = session
    world.jury_registration = registration
    world.jury_owner_registration = evaluated
    world.jury_owner_deliberation = deliberation
