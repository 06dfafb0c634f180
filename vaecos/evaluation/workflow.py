"""A session registration's states and transitions (docs: lifecycle.md).

registered → convened (convocation PDF + e-mail + .ics) → evaluated / absent / excused.
The jury's deliberation records the last three (vaecos.jury); a registration may also be
evaluated, absent or excused without a convocation on record (registered by hand on the day).
"""

from vaecos.evaluation.models import RegistrationStatus as S
from vaecos.utils.workflow import Transition, Workflow

REGISTRATION_WORKFLOW = Workflow(
    state_field="status",
    log_model="evaluation.RegistrationTransitionLog",
    subject="l'inscription",
    transitions=[
        Transition("convene", (S.REGISTERED, S.CONVENED), S.CONVENED, "convoquer le candidat"),
        Transition("evaluate", (S.REGISTERED, S.CONVENED), S.EVALUATED, "constater l'évaluation"),
        Transition("mark_absent", (S.REGISTERED, S.CONVENED), S.ABSENT, "constater l'absence"),
        Transition("mark_excused", (S.REGISTERED, S.CONVENED), S.EXCUSED, "constater l'excuse"),
    ],
)
