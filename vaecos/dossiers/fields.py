"""The text fields of a Livret 2 that autosave, and how they are named in URLs and history.

A field key is "dossier.<field>" for the dossier's own parts and "situation.<id>.<field>" for a
situation's parts, e.g. "situation.12.rationale".
"""

from dataclasses import dataclass

from vaecos.dossiers.models import Dossier, Situation

LONG_TEXT = 200_000  # generous: a Livret 2 part is never this long; it bounds abuse

DOSSIER_FIELDS: dict[str, tuple[str, int]] = {
    "last_name": ("Nom", 150),
    "first_name": ("Prénom", 150),
    "motivation_reasons": ("Pourquoi je m'engage dans la VAE", LONG_TEXT),
    "motivation_strengths": ("Mes atouts au regard du CQP", LONG_TEXT),
    "context": ("Contexte de l'organisme", LONG_TEXT),
}

SITUATION_FIELDS: dict[str, tuple[str, int]] = {
    "title": ("Titre de la situation", 300),
    "when": ("Quand", 200),
    "own_context": ("Contexte propre à la situation", LONG_TEXT),
    "description": ("La situation", LONG_TEXT),
    "analysis": ("Mon analyse de la situation", LONG_TEXT),
    "actions": ("Ce que j'ai fait, étape par étape", LONG_TEXT),
    "rationale": ("Pourquoi j'ai agi ainsi", LONG_TEXT),
    "outcome": ("Le résultat et ce que j'en ai retenu", LONG_TEXT),
}


class UnknownField(Exception):
    pass


@dataclass(frozen=True)
class FieldRef:
    key: str
    name: str
    label: str
    max_length: int
    situation_id: int | None = None

    def target(self, dossier: Dossier) -> Dossier | Situation:
        if self.situation_id is None:
            return dossier
        # Raises Situation.DoesNotExist for a situation of another dossier.
        return dossier.situations.get(pk=self.situation_id)


def dossier_key(name: str) -> str:
    return f"dossier.{name}"


def situation_key(situation_id: int, name: str) -> str:
    return f"situation.{situation_id}.{name}"


def dom_id(key: str) -> str:
    """The HTML id of a field's control on its page (also the anchor that leads to it)."""
    return "f-" + key.replace(".", "-")


def parse_key(key: str) -> FieldRef:
    parts = key.split(".")
    if len(parts) == 2 and parts[0] == "dossier" and parts[1] in DOSSIER_FIELDS:
        label, max_length = DOSSIER_FIELDS[parts[1]]
        return FieldRef(key=key, name=parts[1], label=label, max_length=max_length)
    if (
        len(parts) == 3
        and parts[0] == "situation"
        and parts[1].isascii()
        and parts[1].isdigit()
        and len(parts[1]) < 19
        and parts[2] in SITUATION_FIELDS
    ):
        label, max_length = SITUATION_FIELDS[parts[2]]
        return FieldRef(
            key=key,
            name=parts[2],
            label=label,
            max_length=max_length,
            situation_id=int(parts[1]),
        )
    raise UnknownField(key)
