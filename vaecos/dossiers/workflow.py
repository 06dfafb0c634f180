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
        # The transmission's own conditions (session, admissibility, personal data, one month)
        # are checked by vaecos.evaluation.transmission, which applies this transition.
        Transition("transmit", (S.FINAL,), S.TRANSMITTED, "transmettre le dossier au jury"),
        # The candidate was absent or excused: the same dossier may go to another session.
        Transition(
            "release",
            (S.TRANSMITTED,),
            S.FINAL,
            "rendre le dossier disponible pour une autre session",
        ),
    ],
)
