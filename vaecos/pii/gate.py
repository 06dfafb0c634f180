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


def _what(count: int, names: list[str]) -> str:
    noun = "donnée personnelle à traiter" if count == 1 else "données personnelles à traiter"
    return f"{count} {noun} : {', '.join(names)}"


def transmission_blockers(dossier: Dossier) -> list[Blocker]:
    scanner = services.Scanner(dossier)
    blockers = []
    for part in services.text_parts(dossier):
        findings = scanner.findings(part.key, part.text)
        if findings:
            names = [k.name for k in services.kinds(findings)]
            blockers.append(
                Blocker(f"{part.where} — {part.label}", _what(len(findings), names), part.url)
            )
    for attachment in dossier.attachments.all():
        status = services.file_status(attachment, scanner)
        if status.resolved:
            continue
        url = reverse("pii:file", args=[dossier.pk, attachment.pk])
        where = f"Pièce « {attachment.original_name} »"
        if status.findings:
            names = [k.name for k in services.kinds(i.finding for i in status.findings)]
            blockers.append(Blocker(where, _what(len(status.findings), names), url))
        if status.needs_eye_check:
            blockers.append(
                Blocker(
                    where,
                    "Contenu que l'analyse ne peut pas lire (image ou scan) : à vérifier à l'œil",
                    url,
                )
            )
    return blockers


class PersonalDataLeft(ActionRefused):
    pass


def check_transmission(dossier: Dossier) -> None:
    """Raise PersonalDataLeft, saying what remains and where, unless the dossier is clean."""
    blockers = transmission_blockers(dossier)
    if blockers:
        lines = "; ".join(f"{b.where} : {b.what}" for b in blockers)
        raise PersonalDataLeft(
            "Le dossier contient encore des données personnelles non traitées, il ne peut pas "
            f"être transmis au jury. {lines}."
        )
