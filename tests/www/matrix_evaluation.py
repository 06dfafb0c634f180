"""Authorization rules of the evaluation sessions, registration, transmission and convocation pages, and the part of the
matrix's world they need. Imported by test_authorization_matrix.py."""

import datetime
from collections.abc import Callable, Iterator, Mapping
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone


def _rules() -> dict[str, Any]:
    # test_authorization_matrix imports this module before it defines its helpers; they exist by
    # the time it reads RULES (after they are defined), so they are imported here, lazily.
    from . import test_authorization_matrix as m

    def staff(method: str, expect: Any, **kwargs: Callable[[SimpleNamespace], Any]) -> Any:
        allowed = {"instructor": expect, "admin": expect}
        others = dict.fromkeys(("owner", "other_candidate", "coach", "jury"), m.NOT_FOUND)
        return m.Rule(method, {"anonymous": m.TO_LOGIN} | allowed | others, kwargs=kwargs)

    def owner_and_staff(method: str, expect: Any, **kwargs: Any) -> Any:
        allowed = {"owner": expect, "instructor": expect, "admin": expect}
        others = dict.fromkeys(("other_candidate", "coach", "jury"), m.NOT_FOUND)
        return m.Rule(method, {"anonymous": m.TO_LOGIN} | allowed | others, kwargs=kwargs)

    session = {"session_pk": lambda w: w.evaluation_session.pk}
    member = session | {"member_pk": lambda w: w.evaluation_member.pk}
    past_member = {
        "session_pk": lambda w: w.evaluation_past_session.pk,
        "member_pk": lambda w: w.evaluation_past_member.pk,
    }
    transmitted = {"registration_pk": lambda w: w.evaluation_registration.pk}
    to_detail = m.Expect(302, "/sessions/{evaluation_session.pk}/")
    return {
        # The certifier's staff organise the sessions
        "evaluation:list": staff("GET", m.OK),
        "evaluation:create": staff("GET", m.OK),
        "evaluation:detail": staff("GET", m.OK, **session),
        "evaluation:edit": staff("GET", m.OK, **session),
        # Refused (the session has registrations): nothing is deleted, for either of them.
        "evaluation:delete": staff("POST", to_detail, **session),
        "evaluation:register_case": staff("POST", to_detail, **session),
        "evaluation:convene_session": staff("POST", to_detail, **session),
        "evaluation:jury_add": staff("POST", to_detail, **session),
        "evaluation:jury_update": staff("POST", to_detail, **member),
        # The jury of a past session is a record: removing is refused, for both.
        "evaluation:jury_remove": staff(
            "POST", m.Expect(302, "/sessions/{evaluation_past_session.pk}/"), **past_member
        ),
        "evaluation:bundle": staff("GET", m.OK, **transmitted),
        "evaluation:convene": staff("POST", to_detail, **transmitted),
        # The candidate: their sessions, their registration
        "evaluation:mine": m.Rule(
            "GET",
            {"anonymous": m.TO_LOGIN, "owner": m.OK, "other_candidate": m.OK}
            | dict.fromkeys(("coach", "instructor", "jury", "admin"), m.NOT_FOUND),
        ),
        "evaluation:register": m.owner_only(
            "POST",
            m.Expect(302, "/sessions/mes-sessions/"),
            kwargs={
                "case_pk": lambda w: w.dossier.case.pk,
                "session_pk": lambda w: w.evaluation_session.pk,
            },
        ),
        # Refused (the dossier is transmitted): the registration stays.
        "evaluation:withdraw": owner_and_staff("POST", m.Expect(302), **transmitted),
        "evaluation:convocation": owner_and_staff("GET", m.OK, **transmitted),
        # The coach of an Institut 4.10 candidate transmits; staff do it for the others only.
        "evaluation:transmit": m.Rule(
            "GET",
            {"anonymous": m.TO_LOGIN, "coach": m.OK}
            | dict.fromkeys(
                ("owner", "other_candidate", "instructor", "jury", "admin"), m.NOT_FOUND
            ),
            kwargs={"dossier_pk": lambda w: w.evaluation_coached_dossier.pk},
        ),
    }


class _LazyRules(Mapping[str, Any]):
    """RULES, built on first use (after test_authorization_matrix has defined its helpers)."""

    _built: dict[str, Any] | None = None

    def _rules(self) -> dict[str, Any]:
        if self._built is None:
            self._built = _rules()
        return self._built

    def __getitem__(self, key: str) -> Any:
        return self._rules()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules())

    def __len__(self) -> int:
        return len(self._rules())

    # The matrix merges the modules' rules with `|` (a dict's `|` wants a dict on both sides).
    def __or__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**self._rules(), **other}

    def __ror__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**other, **self._rules()}


RULES: Mapping[str, Any] = _LazyRules()

# Values for URL arguments this module's URLs use, by argument name, from the world. Every rule
# above names its own, so another module's arguments of the same name cannot collide.
URL_KWARGS: dict[str, Callable[[SimpleNamespace], Any]] = {}


def extend_world(world: SimpleNamespace) -> None:
    """Add the objects this module's rules need to the matrix's world (inside its transaction)."""
    from tests.accounts.factories import UserFactory
    from tests.cases.factories import VaeCaseFactory
    from tests.evaluation.factories import (
        EvaluationSessionFactory,
        JuryMemberFactory,
        RegistrationFactory,
        favourable_case,
        favourable_for,
    )
    from vaecos.cases.models import Coaching

    referentiel = world.referentiel
    today = timezone.localdate()
    session = EvaluationSessionFactory(
        referentiel_version=referentiel, date=today + datetime.timedelta(days=90)
    )
    member = JuryMemberFactory(
        session=session, user=world.users["jury"], is_president=True, qualified=True
    )
    JuryMemberFactory(session=session, user=UserFactory(jury=True, gender="M"))
    # The owner's case, transmitted and convened (a stand-in PDF for each document).
    registration = RegistrationFactory(
        session=session,
        case=world.dossier.case,
        dossier=world.dossier,
        transmitted_at=timezone.now(),
        status="convoque",
        convened_at=timezone.now(),
    )
    registration.bundle.save("dossier.pdf", ContentFile(b"%PDF-1.7 dossier"), save=False)
    registration.convocation.save("convocation.pdf", ContentFile(b"%PDF-1.7 conv"), save=True)
    # A candidate staff may register (the first POST registers, the second is refused).
    favourable_for(VaeCaseFactory(referentiel_version=referentiel))
    # A past session and its jury.
    past = EvaluationSessionFactory(
        referentiel_version=referentiel, date=today - datetime.timedelta(days=30)
    )
    past_member = JuryMemberFactory(session=past, user=UserFactory(jury=True))
    # An Institut 4.10 candidate coached by the world's coach, whose dossier they transmit.
    coached = favourable_case(
        referentiel, coaching=Coaching.INSTITUT_410, coach=world.users["coach"]
    )
    world.evaluation_session = session
    world.evaluation_member = member
    world.evaluation_registration = registration
    world.evaluation_past_session = past
    world.evaluation_past_member = past_member
    world.evaluation_coached_dossier = coached.dossiers.get()
