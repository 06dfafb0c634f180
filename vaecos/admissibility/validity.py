"""Whether a case's admissibility is favourable and valid on a given day (sessions, transmission)."""

import datetime

from vaecos.admissibility.models import AdmissibilityRequest, Status
from vaecos.cases.models import VaeCase


def favourable_request(case: VaeCase) -> AdmissibilityRequest | None:
    """The case's latest favourable decision (explicit or implicit), even if no longer valid."""
    return (
        AdmissibilityRequest.objects.filter(
            case=case, status__in=(Status.FAVOURABLE, Status.EXPIRED), validity_end__isnull=False
        )
        .order_by("-decided_on", "-pk")
        .first()
    )


def refusal(case: VaeCase, on: datetime.date) -> str | None:
    """A French reason why the case's admissibility does not allow an evaluation on `on`, or
    None when a favourable decision is valid that day."""
    request = favourable_request(case)
    if request is None:
        return "La recevabilité du candidat n'est pas favorable : aucune décision favorable."
    assert request.validity_end is not None
    if request.validity_end < on:
        return (
            f"La recevabilité du candidat prend fin le {request.validity_end:%d/%m/%Y}, "
            f"avant la session du {on:%d/%m/%Y}."
        )
    return None
