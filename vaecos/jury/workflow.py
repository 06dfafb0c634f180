"""A deliberation's states and transitions (docs: lifecycle.md, « Jury decision »).

draft (members fill the grid and vote) → deliberated (the president records the decision per
bloc) → signed (every member who deliberated has confirmed) → notified (result letter sent,
validated blocs kept for good). Until someone has signed, the president may take the decision
back (deliberated → draft), e.g. to correct « absent » into « excusé ». Each step is logged in
DeliberationTransitionLog.
"""

from typing import Any

from vaecos.jury.models import Deliberation
from vaecos.utils.workflow import Transition, Workflow

S = Deliberation.Status


def _unsigned(deliberation: Any) -> str | None:
    """A decision someone has confirmed is no longer the president's alone to take back."""
    names = [
        s.member.display_name
        for s in deliberation.signatures.select_related("member").order_by("signed_at", "pk")
    ]
    if not names:
        return None
    verb = "ont" if len(names) > 1 else "a"
    return (
        f"La décision ne peut plus être reprise : {', '.join(names)} {verb} déjà signé le "
        "procès-verbal."
    )


DELIBERATION_WORKFLOW = Workflow(
    state_field="status",
    log_model="jury.DeliberationTransitionLog",
    subject="la délibération",
    transitions=[
        Transition("deliberate", (S.DRAFT,), S.DELIBERATED, "délibérer"),
        Transition("reopen", (S.DELIBERATED,), S.DRAFT, "reprendre la délibération", _unsigned),
        Transition("sign", (S.DELIBERATED,), S.SIGNED, "signer le procès-verbal"),
        Transition("notify", (S.SIGNED,), S.NOTIFIED, "notifier la décision au candidat"),
    ],
)
