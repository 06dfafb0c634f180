"""A deliberation's states and transitions (docs: lifecycle.md, « Jury decision »).

draft (members fill the grid and vote) → deliberated (the president records the decision per
bloc) → signed (every member of the session's jury has confirmed) → notified (result letter
sent, validated blocs kept for good). Each step is logged in DeliberationTransitionLog.
"""

from vaecos.jury.models import Deliberation
from vaecos.utils.workflow import Transition, Workflow

S = Deliberation.Status

DELIBERATION_WORKFLOW = Workflow(
    state_field="status",
    log_model="jury.DeliberationTransitionLog",
    subject="la délibération",
    transitions=[
        Transition("deliberate", (S.DRAFT,), S.DELIBERATED, "délibérer"),
        Transition("sign", (S.DELIBERATED,), S.SIGNED, "signer le procès-verbal"),
        Transition("notify", (S.SIGNED,), S.NOTIFIED, "notifier la décision au candidat"),
    ],
)
