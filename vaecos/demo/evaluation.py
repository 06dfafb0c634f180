"""Demo data for coaching and sessions: organisations, the demo candidate coached by the demo
accompagnateur (Institut 4.10), and a future session whose jury holds the demo jury member."""

import datetime

from django.utils import timezone

from vaecos.accounts import second_factor
from vaecos.accounts.models import Gender, Organisation, Role, User
from vaecos.cases.models import Coaching, VaeCase
from vaecos.deadlines import add_months, next_working_day
from vaecos.evaluation.models import EvaluationSession, JuryMember
from vaecos.referentiels.models import ReferentielVersion

# The second jury member: a jury needs at least two (Code du travail D. 6412-6).
SECOND_JURY_MEMBER = ("jury2@demo.test", "Marc", "Leroy")


def _organisations() -> dict[str, Organisation]:
    rows = {
        "institut": ("Institut 4.10", True, True),
        "autre": ("AFPA Transitions", False, True),
        "caf": ("CAF de Loire-Atlantique", False, False),
        "cpam": ("CPAM du Rhône", False, False),
        "urssaf": ("Urssaf Bretagne", False, False),
    }
    organisations = {}
    for key, (name, institut, coaches) in rows.items():
        organisations[key], _ = Organisation.objects.update_or_create(
            name=name, defaults={"is_institut_410": institut, "coaches": coaches}
        )
    return organisations


def load_evaluation(
    *, case: VaeCase, users: dict[str, User], password: str, version: ReferentielVersion
) -> EvaluationSession:
    organisations = _organisations()
    people = {
        Role.CANDIDATE: (organisations["caf"], Gender.WOMAN),
        Role.COACH: (organisations["institut"], Gender.WOMAN),
        Role.INSTRUCTOR: (None, Gender.MAN),
        Role.JURY: (organisations["cpam"], Gender.WOMAN),
    }
    for role, (organisation, gender) in people.items():
        user = users[role]
        user.organisation = organisation
        user.gender = gender
        user.save(update_fields=["organisation", "gender"])
    email, first, last = SECOND_JURY_MEMBER
    second, _ = User.objects.update_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "role": Role.JURY,
            "organisation": organisations["urssaf"],
            "gender": Gender.MAN,
            "is_active": True,
        },
    )
    second.set_password(password)
    second.save(update_fields=["password"])
    second_factor.enrol_demo_account(second)

    if not case.coaching:
        case.coaching = Coaching.INSTITUT_410
        case.coaching_organisation = organisations["institut"]
        case.coaching_declared_at = timezone.now()
        case.coach = users[Role.COACH]
        case.save(
            update_fields=["coaching", "coaching_organisation", "coaching_declared_at", "coach"]
        )

    today = timezone.localdate()
    session = (
        EvaluationSession.objects.filter(referentiel_version=version, date__gt=today)
        .filter(jury__user=users[Role.JURY])
        .first()
    )
    if session is None:
        session = EvaluationSession.objects.create(
            referentiel_version=version,
            date=next_working_day(add_months(today, 2)),
            start_time=datetime.time(9, 30),
            duration_minutes=60,
            place="Ucanss, 33 avenue du Maine, 75015 Paris — salle Condorcet (4e étage)",
            capacity=6,
            practical_details=(
                "Présentez-vous à l'accueil 15 minutes avant l'heure indiquée, "
                "muni(e) d'une pièce d'identité."
            ),
            created_by=users[Role.INSTRUCTOR],
        )
        JuryMember.objects.create(
            session=session,
            user=users[Role.JURY],
            is_president=True,
            qualified=True,
            added_by=users[Role.INSTRUCTOR],
        )
        JuryMember.objects.create(
            session=session, user=second, qualified=True, added_by=users[Role.INSTRUCTOR]
        )
    return session


def today_session(users: dict[str, User], version: ReferentielVersion) -> EvaluationSession:
    """Today's session (in the afternoon), with the demo jury: its members can grade, vote and
    decide right away (the jury votes on the day of the oral, not before)."""
    session = EvaluationSession.objects.create(
        referentiel_version=version,
        date=timezone.localdate(),
        start_time=datetime.time(14, 0),
        duration_minutes=60,
        place="Ucanss, 33 avenue du Maine, 75015 Paris — salle Condorcet (4e étage)",
        capacity=4,
        practical_details="Session de démonstration : le jury peut évaluer et décider dès aujourd'hui.",
        created_by=users[Role.INSTRUCTOR],
    )
    second = User.objects.get(email=SECOND_JURY_MEMBER[0])
    JuryMember.objects.create(
        session=session,
        user=users[Role.JURY],
        is_president=True,
        qualified=True,
        added_by=users[Role.INSTRUCTOR],
    )
    JuryMember.objects.create(
        session=session, user=second, qualified=True, added_by=users[Role.INSTRUCTOR]
    )
    return session
