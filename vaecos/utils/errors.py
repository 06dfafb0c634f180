"""The one kind of error a view turns into a French message for the user."""


class ActionRefused(Exception):
    """A refused action; `message` is French and meant to be shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
