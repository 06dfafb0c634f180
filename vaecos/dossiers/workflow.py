"""The Livret 2's states and transitions (extended by the coaching and jury issues)."""

from typing import Any

from vaecos.dossiers.models import DossierStatus as S
from vaecos.utils.workflow import Transition, Workflow


def _rules_met(dossier: Any) -> str | None:
    from vaecos.dossiers.completeness import dossier_report

    report = dossier_report(dossier)
    if report.is_complete:
        return None
    return "Le dossier ne respecte pas encore les règles du modèle : " + " ".join(
        report.problems[:3]
    )


DOSSIER_WORKFLOW = Workflow(
    state_field="status",
    log_model="dossiers.DossierTransitionLog",
    transitions=[
        Transition(
            "finalize", (S.IN_PROGRESS,), S.FINAL, "déclarer le dossier finalisé", _rules_met
        ),
        Transition("reopen", (S.FINAL,), S.IN_PROGRESS, "rouvrir le dossier"),
    ],
)
