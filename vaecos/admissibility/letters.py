"""The letters of an admissibility request, written once as PDF by the document engine.

`write_letter` lays out the facts of the request as plain data for `admissibility_letter.typ`
(nothing a user wrote is ever parsed as markup) and stores the PDF in a `Letter`. A letter is
kept as sent and never rewritten: for every kind but "incomplete" (a request may be incomplete
more than once), asking again returns the letter already written. Callers hold the request's
row lock, so two runs cannot both write it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.utils import formats, timezone, translation

from vaecos.admissibility.models import AdmissibilityRequest, Letter, LetterKind, Sex
from vaecos.documents.engine import render_pdf
from vaecos.documents.livret2 import blocks

TEMPLATE = "admissibility_letter.typ"
PLACE = "Paris"  # where the certifier's letters are written from
JURY_STATEMENT = "La recevabilité ne préjuge pas de la décision du jury."
GAP_HEADER = ["Activité du référentiel", "Couverture", "Commentaire"]


def date_fr(day: datetime.date) -> str:
    """« 26 novembre 2026 », « 1er mars 2027 »."""
    with translation.override("fr"):
        text = formats.date_format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


def certifier_short_name(certifier: str) -> str:
    """« Ucanss » out of « Ucanss — CPNEFP du régime… »."""
    return certifier.split(" — ")[0].strip() or certifier


def service_signature(certifier: str) -> str:
    """« Le service certification de l'Ucanss »."""
    name = certifier_short_name(certifier)
    article = "de l'" if name[:1].lower() in "aeiouyéèêh" else "de "
    return f"Le service certification {article}{name}"


def organisation(request: AdmissibilityRequest) -> str:
    return certifier_short_name(request.case.referentiel_version.certification.certifier)


def signature(request: AdmissibilityRequest) -> str:
    return service_signature(request.case.referentiel_version.certification.certifier)


def candidate_name(request: AdmissibilityRequest) -> str:
    last = request.usage_name or request.birth_name
    name = f"{request.first_names} {last}".strip()
    return name or request.case.candidate.get_full_name() or request.case.candidate.email


CIVILITY: dict[str, str] = {Sex.FEMALE: "Madame", Sex.MALE: "Monsieur"}


def salutation(request: AdmissibilityRequest) -> str:
    """« Madame », « Monsieur », or both when the sex is not known."""
    return CIVILITY.get(request.sex, "Madame, Monsieur")


def _recipient(request: AdmissibilityRequest) -> list[str]:
    civility = CIVILITY.get(request.sex)
    name = candidate_name(request)
    lines = [f"{civility} {name}" if civility else name]
    lines += [line.strip() for line in request.address.splitlines() if line.strip()]
    return lines


def _p(text: str) -> dict[str, Any]:
    return {"type": "p", "text": text}


def _heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "text": text}


def _facts(*items: tuple[str, str]) -> dict[str, Any]:
    return {"type": "facts", "items": [{"label": k, "value": v} for k, v in items]}


def _receipt(request: AdmissibilityRequest) -> str:
    if request.submitted_at is None:
        return ""
    return date_fr(timezone.localdate(request.submitted_at))


def _request_line(request: AdmissibilityRequest) -> str:
    certification = request.case.referentiel_version.certification
    return (
        "votre demande de recevabilité à la validation des acquis de l'expérience (VAE) pour le "
        f"{certification.name}"
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def gap_rows(request: AdmissibilityRequest) -> list[list[str]]:
    """The gap analysis, activity by activity: « I – title », coverage, comment."""
    return [
        [f"{gap.activity.roman} – {gap.activity.title}", gap.get_coverage_display(), gap.comment]
        for gap in request.gap_analysis.select_related("activity").order_by("activity__number")
    ]


def _acknowledgement(request: AdmissibilityRequest) -> tuple[str, list[dict[str, Any]]]:
    assert request.complete_on is not None and request.decision_due is not None
    due = date_fr(request.decision_due)
    return "Accusé de réception de votre demande de recevabilité", [
        _p(
            f"Nous accusons réception de {_request_line(request)}. Votre demande, reçue le "
            f"{_receipt(request)}, est complète depuis le {date_fr(request.complete_on)}."
        ),
        _facts(
            ("Demande reçue le", _receipt(request)),
            ("Demande complète le", date_fr(request.complete_on)),
            ("Décision au plus tard le", due),
        ),
        _p(
            f"Le certificateur se prononcera sur la recevabilité de votre demande au plus tard le {due}."
        ),
        _p(
            f"Sans décision de sa part au {due}, votre demande sera réputée recevable : le "
            "silence gardé par le certificateur vaut décision de recevabilité."
        ),
    ]


def _incomplete(request: AdmissibilityRequest) -> tuple[str, list[dict[str, Any]]]:
    return "Votre demande de recevabilité est incomplète", [
        _p(
            f"Nous avons bien reçu, le {_receipt(request)}, {_request_line(request)}. Elle ne peut "
            "pas encore être instruite : il y manque les éléments suivants."
        ),
        _heading("Éléments manquants"),
        *blocks(request.missing_items),
        _p(
            "Complétez votre demande dans votre espace sur la plateforme VAE COS, puis déposez-la "
            "de nouveau. Le délai de décision court à partir du jour où votre demande est complète."
        ),
    ]


def _decision(request: AdmissibilityRequest) -> tuple[str, list[dict[str, Any]]]:
    assert request.decided_on is not None
    favourable = request.validity_end is not None
    decided = date_fr(request.decided_on)
    verdict = "recevable" if favourable else "non recevable"
    facts = [("Décision", verdict.capitalize()), ("Date de la décision", decided)]
    if request.validity_end is not None:
        facts.append(("Recevabilité valable jusqu'au", date_fr(request.validity_end)))
    body: list[dict[str, Any]] = [
        _p(
            f"Après examen de {_request_line(request)}, reçue le {_receipt(request)}, le "
            f"certificateur l'a déclarée {verdict} le {decided}."
        ),
        _facts(*facts),
    ]
    if request.decision_reasons:
        body += [_heading("Motifs de la décision"), *blocks(request.decision_reasons)]
    body += [
        _heading("Analyse des écarts"),
        _p("Votre expérience, lue au regard de chaque activité du référentiel de certification :"),
        {"type": "table", "header": GAP_HEADER, "rows": gap_rows(request)},
        _heading("Préconisations de formation complémentaire"),
        *(
            blocks(request.recommendations)
            or [_p("Aucune formation complémentaire n'est préconisée.")]
        ),
    ]
    if request.validity_end is not None:
        body += [
            _p(
                "Votre recevabilité est valable jusqu'au "
                f"{date_fr(request.validity_end)}. Vous pouvez dès à présent rédiger votre "
                "dossier de validation (Livret 2) sur la plateforme VAE COS et vous présenter "
                "devant le jury avant cette date."
            ),
            _p(JURY_STATEMENT),
        ]
    else:
        body.append(
            _p(
                "Vous pouvez nous contacter pour échanger sur cette décision et sur les suites "
                "possibles de votre projet."
            )
        )
    subject = f"Décision sur votre demande de recevabilité : {verdict}"
    return subject, body


def _implicit(request: AdmissibilityRequest) -> tuple[str, list[dict[str, Any]]]:
    assert request.complete_on is not None and request.decision_due is not None
    assert request.validity_end is not None
    due, end = date_fr(request.decision_due), date_fr(request.validity_end)
    return "Décision implicite de recevabilité", [
        _p(
            f"{_capitalised(_request_line(request))}, complète depuis le "
            f"{date_fr(request.complete_on)}, n'a pas fait l'objet d'une décision au plus tard "
            f"le {due}. Le silence gardé par le certificateur vaut décision de recevabilité : "
            f"votre demande est réputée recevable depuis le {due}."
        ),
        _facts(
            ("Demande reçue le", _receipt(request)),
            ("Demande complète le", date_fr(request.complete_on)),
            ("Réputée recevable le", due),
            ("Recevabilité valable jusqu'au", end),
        ),
        _p(
            f"Votre recevabilité est valable jusqu'au {end}. Vous pouvez dès à présent rédiger "
            "votre dossier de validation (Livret 2) sur la plateforme VAE COS et vous présenter "
            "devant le jury avant cette date."
        ),
        _p(JURY_STATEMENT),
    ]


_BODIES = {
    LetterKind.ACKNOWLEDGEMENT: _acknowledgement,
    LetterKind.INCOMPLETE: _incomplete,
    LetterKind.DECISION: _decision,
    LetterKind.IMPLICIT: _implicit,
}


def letter_date(request: AdmissibilityRequest, kind: str) -> datetime.date:
    """The date a letter bears: the day of the act it notifies, or today."""
    if kind == LetterKind.ACKNOWLEDGEMENT and request.complete_on is not None:
        return request.complete_on
    if kind == LetterKind.DECISION and request.decided_on is not None:
        return request.decided_on
    return timezone.localdate()


def letter_data(
    request: AdmissibilityRequest, kind: str, *, on: datetime.date | None = None
) -> dict[str, Any]:
    """What the template lays out: every value is plain text."""
    certification = request.case.referentiel_version.certification
    subject, body = _BODIES[LetterKind(kind)](request)
    polite = salutation(request)
    return {
        "title": f"{LetterKind(kind).label} — demande de recevabilité n° {request.pk}",
        "author": certification.certifier,
        "header": f"{organisation(request)} — Certification {certification.name}",
        "reference": f"Demande n° {request.pk}",
        "sender": [
            f"{organisation(request)} — Certification {certification.name}",
            f"Inscrite au RNCP sous le n°{certification.rncp_code.removeprefix('RNCP')}",
        ],
        "recipient": _recipient(request),
        "place_date": f"{PLACE}, le {date_fr(on or letter_date(request, kind))}",
        "subject": subject,
        "body": [
            _facts(("Référence", f"demande de recevabilité n° {request.pk}")),
            _p(f"{polite},"),
            *body,
        ],
        "closing": (
            f"Nous vous prions d'agréer, {polite}, l'expression de nos salutations distinguées."
        ),
        "signature": [signature(request)],
    }


def write_letter(
    request: AdmissibilityRequest, kind: str, *, on: datetime.date | None = None
) -> Letter:
    """Write the letter of `kind` as a PDF (once for every kind but « incomplete »).

    `on` is the date the letter bears (by default the day of the act, else today). Call it inside
    the transaction of the transition, holding the request's lock.
    """
    kind = LetterKind(kind)
    if kind != LetterKind.INCOMPLETE:
        existing = Letter.objects.filter(request=request, kind=kind).first()
        if existing is not None:
            return existing
    pdf = render_pdf(TEMPLATE, letter_data(request, kind, on=on))
    letter = Letter(request=request, kind=kind)
    letter.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    letter.save()
    return letter
