"""The refusals of the sessions, registrations, transmission, jury and convocation actions."""

from vaecos.utils.errors import ActionRefused


class EvaluationError(ActionRefused):
    """A refused action on a session, a registration or a jury; the message is French."""


class RegistrationRefused(EvaluationError):
    """Registration refused; `reasons` lists every reason, the message joins them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class TransmissionRefused(EvaluationError):
    """Transmission refused; `reasons` lists every condition not met, the message joins them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            "Le dossier ne peut pas être transmis au jury : " + " ".join(reasons)
            if reasons
            else "Le dossier ne peut pas être transmis au jury."
        )
        self.reasons = reasons


class DocumentFailed(EvaluationError):
    """A PDF (the bundle the jury reads, a convocation) could not be produced: the action is
    undone as a whole, nothing is recorded and no file is left in storage."""
