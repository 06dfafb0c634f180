"""The personal-data gate before the jury: what still stops a Livret 2 from being transmitted.

`transmission_blockers(dossier)` is the one function the transmission calls; an empty list means
no personal data is left unresolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from vaecos.dossiers.models import Dossier
from vaecos.pii import services
from vaecos.utils.errors import ActionRefused


@dataclass(frozen=True)
class Blocker:
    where: str  # e.g. "Motivation — Pourquoi je m'engage dans la VAE"
    what: str  # e.g. "2 données à traiter : Nom de personne, Numéro de téléphone"
    url: str  # the page where it is resolved


UNREADABLE = "Contenu que l'analyse ne peut pas lire (image ou scan) : à vérifier à l'œil"


def _what(count: int, names: list[str]) -> str:
    noun = "donnée personnelle à traiter" if count == 1 else "données personnelles à traiter"
    return f"{count} {noun} : {', '.join(names)}"


def transmission_blockers(dossier: Dossier) -> list[Blocker]:
    return blockers(services.dossier_review(dossier))


def blockers(review: services.DossierReview) -> list[Blocker]:
    """What a dossier review leaves unresolved, in the order of the dossier."""
    result = [
        Blocker(
            f"{part.where} — {part.label}",
            _what(len(found), [k.name for k in services.kinds(found)]),
            part.url,
        )
        for part, found in review.parts
    ]
    for status in review.files:
        attachment = status.attachment
        url = reverse("pii:file", args=[attachment.dossier_id, attachment.pk])
        where = f"Pièce « {attachment.original_name} »"
        if status.findings:
            names = [k.name for k in services.kinds(i.finding for i in status.findings)]
            result.append(Blocker(where, _what(len(status.findings), names), url))
        if status.needs_eye_check:
            result.append(Blocker(where, UNREADABLE, url))
    return result


class PersonalDataLeft(ActionRefused):
    pass


def check_transmission(dossier: Dossier) -> None:
    """Raise PersonalDataLeft, saying what remains and where, unless the dossier is clean."""
    left = transmission_blockers(dossier)
    if left:
        lines = "; ".join(f"{b.where} : {b.what}" for b in left)
        raise PersonalDataLeft(
            "Le dossier contient encore des données personnelles non traitées, il ne peut pas "
            f"être transmis au jury. {lines}."
        )
