"""Jury fixtures: a session with its jury, a candidate whose dossier reached the jury, votes.

The transmission itself belongs to vaecos.evaluation; here a registration is set as
transmitted directly (dossier, transmitted_at and a small PDF as the frozen bundle)."""

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.evaluation.factories import (
    EvaluationSessionFactory,
    JuryMemberFactory,
    RegistrationFactory,
    favourable_case,
)
from tests.files import pdf_bytes
from vaecos.dossiers.models import DossierStatus
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration
from vaecos.jury import services


def jury_session(referentiel, *, members: int = 2, **session_kwargs):
    """A session whose jury has a president (a woman, qualified) and `members - 1` others.
    It takes place today: the jury votes and decides on the day of the oral, not before."""
    session_kwargs.setdefault("date", timezone.localdate())
    session = EvaluationSessionFactory(referentiel_version=referentiel, **session_kwargs)
    jury = [
        JuryMemberFactory(
            session=session,
            is_president=True,
            user__gender="F",
            user__first_name="Paule",
            user__last_name="Présidente",
        )
    ]
    for index in range(members - 1):
        jury.append(
            JuryMemberFactory(
                session=session,
                user__gender="M" if index % 2 == 0 else "F",
                qualified=False,
                user__last_name=f"Membre{index + 1}",
            )
        )
    return session, jury


def transmitted(referentiel, session: EvaluationSession, candidate=None) -> Registration:
    """A registration to the session whose dossier has reached the jury."""
    case = favourable_case(referentiel, candidate=candidate)
    dossier = case.dossiers.order_by("-attempt").first()
    dossier.status = DossierStatus.TRANSMITTED
    dossier.save(update_fields=["status"])
    registration = RegistrationFactory(
        session=session, case=case, dossier=dossier, transmitted_at=timezone.now()
    )
    registration.bundle.save("livret2.pdf", ContentFile(pdf_bytes()), save=True)
    return registration


def blocs(registration: Registration):
    return services.blocs_to_assess(registration)


def vote(registration: Registration, member: JuryMember, *validated: bool) -> None:
    """The member's votes, bloc by bloc in the référentiel's order."""
    activities = blocs(registration)
    assert len(validated) == len(activities)
    services.votes_save(
        registration=registration,
        by=member.user,
        choices={a.pk: v for a, v in zip(activities, validated, strict=True)},
    )
