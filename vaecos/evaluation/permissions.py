"""Who may organise sessions, register, transmit and read a convocation (checked per object)."""

from vaecos.accounts.models import Role, User
from vaecos.accounts.roles import is_certifier_staff as is_staff
from vaecos.cases.models import Coaching, VaeCase
from vaecos.evaluation.models import Registration


def owns_case(user: User, case: VaeCase) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.CANDIDATE and case.candidate_id == user.pk
    )


def transmits_for(case: VaeCase, *, to_candidate: bool = False) -> str:
    """Who transmits this case's dossier, in French (the seed: the coach for Institut 4.10
    candidates, the certifier's staff otherwise); `to_candidate`: as told to the candidate."""
    if case.coaching == Coaching.INSTITUT_410:
        return f"{'votre' if to_candidate else 'son'} accompagnateur de l'Institut 4.10"
    return "le service certification de l'Ucanss"


def may_transmit(user: User, case: VaeCase) -> bool:
    if not user.is_authenticated:
        return False
    if case.coaching == Coaching.INSTITUT_410:
        return user.role == Role.COACH and case.coach_id is not None and case.coach_id == user.pk
    return is_staff(user)


def can_view_registration(user: User, registration: Registration) -> bool:
    return is_staff(user) or owns_case(user, registration.case)
