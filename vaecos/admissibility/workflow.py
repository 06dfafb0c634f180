"""The admissibility request's states and transitions (docs: lifecycle.md, Livret 1 table)."""

from vaecos.admissibility.models import Status as S
from vaecos.utils.workflow import Transition, Workflow

ADMISSIBILITY_WORKFLOW = Workflow(
    state_field="status",
    log_model="admissibility.AdmissibilityTransitionLog",
    subject="la demande",
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, "déposer la demande"),
        Transition(
            "declare_incomplete", (S.SUBMITTED,), S.INCOMPLETE, "déclarer la demande incomplète"
        ),
        Transition("resubmit", (S.INCOMPLETE,), S.SUBMITTED, "redéposer la demande complétée"),
        Transition("declare_complete", (S.SUBMITTED,), S.COMPLETE, "déclarer la demande complète"),
        Transition("decide_favourable", (S.COMPLETE,), S.FAVOURABLE, "déclarer recevable"),
        Transition("decide_unfavourable", (S.COMPLETE,), S.UNFAVOURABLE, "déclarer non recevable"),
        Transition(
            "decide_implicitly",
            (S.COMPLETE,),
            S.FAVOURABLE,
            "constater la décision implicite de recevabilité",
        ),
        Transition("expire", (S.FAVOURABLE,), S.EXPIRED, "constater la fin de validité"),
    ],
)
