"""Workflows as a transition table plus a transition log (after les-emplois).

A workflow lists its transitions; `apply` checks that the object is in one of the source states,
changes the state, and writes one log row, all in the caller's transaction. An invalid transition
raises InvalidTransition, whose message is French and meant for the user.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from vaecos.utils.errors import ActionRefused


class InvalidTransition(ActionRefused):
    pass


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    # Returns a French reason when the transition is not allowed, else None.
    guard: Callable[[Any], str | None] | None = field(default=None, compare=False)


class Workflow:
    def __init__(
        self,
        *,
        state_field: str,
        transitions: Iterable[Transition],
        log_model: str,
        subject: str = "le dossier",
    ) -> None:
        self.subject = subject  # how refusals name the object: "le dossier", "la demande"…
        self.state_field = state_field
        self.transitions = {t.name: t for t in transitions}
        self.log_model = log_model

    def available(self, obj: models.Model) -> list[Transition]:
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions.values() if state in t.sources]

    def check(self, obj: models.Model, name: str) -> Transition:
        """The transition, if it may be applied to obj now; else InvalidTransition."""
        transition = self.transitions.get(name)
        if transition is None:
            raise InvalidTransition(f"Action inconnue : {name}.")
        state = getattr(obj, self.state_field)
        if state not in transition.sources:
            label = getattr(obj, f"get_{self.state_field}_display")()
            raise InvalidTransition(
                f"Action « {transition.label} » impossible : {self.subject} est « {label} »."
            )
        if transition.guard is not None:
            refusal = transition.guard(obj)
            if refusal:
                raise InvalidTransition(refusal)
        return transition

    def apply(self, obj: models.Model, name: str, *, by: Any, reason: str = "") -> Transition:
        transition = self.check(obj, name)
        state = getattr(obj, self.state_field)
        setattr(obj, self.state_field, transition.target)
        obj.save(update_fields=[self.state_field])
        log_model = obj._meta.apps.get_model(self.log_model)
        log_model.objects.create(
            subject=obj,
            transition=name,
            from_state=state,
            to_state=transition.target,
            by=by,
            reason=reason,
        )
        return transition
