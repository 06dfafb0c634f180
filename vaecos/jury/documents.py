"""The procès-verbal and the candidate's result letter, written once as PDF by the document
engine when the whole jury has signed.

Both are laid out here as plain data (JSON) for `jury_minutes.typ` and `jury_result.typ`:
nothing anyone wrote is ever parsed as markup. Callers hold the deliberation's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from vaecos.admissibility.letters import CIVILITY, PLACE, certifier_short_name, date_fr
from vaecos.admissibility.validity import favourable_request
from vaecos.cases.models import Coaching
from vaecos.documents.engine import render_pdf
from vaecos.documents.livret2 import blocks
from vaecos.evaluation.convocation import candidate_name, where
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.jury.composition import Seat, composition_checks
from vaecos.jury.models import Deliberation, Outcome

logger = logging.getLogger(__name__)

MINUTES_TEMPLATE = "jury_minutes.typ"
RESULT_TEMPLATE = "jury_result.typ"


def _p(text: str) -> dict[str, Any]:
    return {"type": "p", "text": text}


def _heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "text": text}


def _facts(*items: tuple[str, str]) -> dict[str, Any]:
    return {"type": "facts", "items": [{"label": k, "value": v} for k, v in items if v]}


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> dict[str, Any]:
    return {"type": "table", "header": header, "rows": rows, "widths": widths}


def _time(session: EvaluationSession) -> str:
    return f"{session.start_time:%H} h {session.start_time:%M}"


def session_line(session: EvaluationSession) -> str:
    return f"{date_fr(session.date)} à {_time(session)}"


def _moment(value: Any) -> str:
    local = timezone.localtime(value)
    return f"{date_fr(local.date())} à {local:%H} h {local:%M}"


def _jury(deliberation: Deliberation) -> Sequence[Seat]:
    """The members who deliberated (fixed at the decision), president first."""
    from vaecos.jury.services import panel

    return sorted(panel(deliberation), key=lambda m: (not m.is_president, m.user.last_name))


def _que(name: str) -> str:
    """« que Paule » but « qu'Inès » (French elision before a vowel or a mute h)."""
    elide = name[:1].lower() in "aâàeéèêëiîïoôuûùyh"
    return f"qu'{name}" if elide else f"que {name}"


def role(member: Seat) -> str:
    if member.is_president:
        return "Présidente" if member.user.gender == "F" else "Président"
    return "Membre"


def _bloc(activity: Any) -> str:
    return activity.bloc_code or f"Activité {activity.roman}"


def _earlier(deliberation: Deliberation) -> list[str]:
    from vaecos.jury.services import earlier_acquired

    lines = []
    for bloc in sorted(
        earlier_acquired(deliberation.registration).values(), key=lambda b: b.bloc_code
    ):
        session = bloc.deliberation.registration.session
        lines.append(
            f"{bloc.bloc_code} – {bloc.activity.title} : acquis le {date_fr(bloc.acquired_on)} "
            f"(session du {date_fr(session.date)})"
        )
    return lines


def _results(deliberation: Deliberation) -> list[Any]:
    return list(deliberation.results.select_related("activity").order_by("activity__number"))  # type: ignore[attr-defined]


def minutes_data(deliberation: Deliberation) -> dict[str, Any]:
    registration = deliberation.registration
    session = registration.session
    version = registration.case.referentiel_version
    certification = version.certification
    members = _jury(deliberation)
    signatures = {s.member_id: s for s in deliberation.signatures.all()}  # type: ignore[attr-defined]
    president = next((m for m in members if m.is_president), None)
    body: list[dict[str, Any]] = [
        _facts(
            ("Certification", certification.name),
            ("Code RNCP", certification.rncp_code),
            ("Version du référentiel", version.version),
            ("Certificateur", certification.certifier),
        ),
        _heading("Session d'évaluation"),
        _facts(
            ("Date", date_fr(session.date)),
            ("Heure", _time(session)),
            ("Lieu", where(session)),
        ),
        _heading("Composition du jury"),
        _table(
            ["Membre", "Rôle", "Qualifié pour la certification"],
            [
                [
                    m.user.display_name,
                    role(m),
                    "Oui" if m.qualified else "Non",
                ]
                for m in members
            ],
            [2, 1, 1.2],
        ),
        _heading("Contrôle de la composition (Code du travail, art. D. 6412-6)"),
        _table(
            ["Règle", "Respectée", "Constat"],
            [
                [c.label, "Oui" if c.ok else "Non — à signaler", c.detail]
                for c in composition_checks(session, registration.case, members)
            ],
            [2, 1, 1.5],
        ),
        _heading("Candidat"),
        _facts(
            ("Nom", candidate_name(registration)),
            ("Branche", registration.case.branch.name if registration.case.branch else ""),
            (
                "Livret 2 transmis le",
                date_fr(timezone.localdate(registration.transmitted_at))
                if registration.transmitted_at
                else "",
            ),
            (
                "Tentative",
                str(registration.dossier.attempt) if registration.dossier else "",
            ),
        ),
        _heading("Décision du jury"),
        _facts(
            ("Décision", deliberation.get_outcome_display()),
            (
                "Délibérée le",
                _moment(deliberation.deliberated_at) if deliberation.deliberated_at else "",
            ),
            (
                f"{role(president)} du jury" if president else "Président du jury",
                president.user.display_name if president else "",
            ),
        ),
    ]
    results = _results(deliberation)
    if results:
        body.append(_heading("Décision par bloc de compétences"))
        body.append(
            _table(
                ["Bloc", "Intitulé", "Décision", "Pour", "Contre", "Voix prépondérante"],
                [
                    [
                        _bloc(r.activity),
                        r.activity.title,
                        "Validé" if r.validated else "Non validé",
                        str(r.votes_for),
                        str(r.votes_against),
                        "Oui" if r.casting_vote else "Non",
                    ]
                    for r in results
                ],
                [1.5, 2.4, 1, 0.6, 0.7, 1.5],
            )
        )
        if deliberation.casting_vote_used:
            body.append(
                _p("En cas d'égalité des voix, la voix du président du jury est prépondérante.")
            )
    earlier = _earlier(deliberation)
    if earlier:
        body += [
            _heading("Blocs acquis lors d'une session précédente"),
            {"type": "list", "items": earlier},
        ]
    if deliberation.reasons:
        body += [_heading("Motifs"), *blocks(deliberation.reasons)]
    if deliberation.competences_to_prove:
        body += [
            _heading("Compétences restant à démontrer"),
            *blocks(deliberation.competences_to_prove),
        ]
    body += [
        _heading("Signatures"),
        _table(
            ["Membre du jury", "Rôle", "Confirmé le"],
            [
                [
                    m.user.display_name,
                    role(m),
                    _moment(signatures[m.user_id].signed_at) if m.user_id in signatures else "—",
                ]
                for m in members
            ],
            [2, 1, 2],
        ),
    ]
    return {
        "title": f"Procès-verbal de délibération du jury — {candidate_name(registration)}",
        "author": certification.certifier,
        "header": f"{certifier_short_name(certification.certifier)} — Certification {certification.name}",
        "reference": f"Procès-verbal n° {deliberation.pk}",
        "subject": "Procès-verbal de délibération du jury",
        "intro": (
            f"Validation des acquis de l'expérience — {certification.name} "
            f"({certification.rncp_code})"
        ),
        "body": body,
    }


def _recipient(registration: Registration) -> tuple[list[str], str]:
    request = favourable_request(registration.case)
    civility = CIVILITY.get(request.sex) if request else None
    name = candidate_name(registration)
    lines = [f"{civility} {name}" if civility else name]
    if request is not None:
        lines += [line.strip() for line in request.address.splitlines() if line.strip()]
    return lines, civility or "Madame, Monsieur"


def _validity_end(registration: Registration) -> str:
    request = favourable_request(registration.case)
    return date_fr(request.validity_end) if request and request.validity_end else ""


def _result_body(deliberation: Deliberation) -> tuple[str, list[dict[str, Any]]]:
    registration = deliberation.registration
    session = registration.session
    certification = registration.case.referentiel_version.certification
    outcome = deliberation.outcome
    seen = (
        f"Le jury de validation des acquis de l'expérience pour le {certification.name}, réuni "
        f"le {session_line(session)}, "
    )
    results = _results(deliberation)
    validated = [r for r in results if r.validated]
    missing = [r for r in results if not r.validated]
    rows = [[_bloc(r.activity), r.activity.title] for r in validated]
    end = _validity_end(registration)
    if outcome == Outcome.TOTAL:
        return "Validation totale de votre VAE", [
            _p(
                seen + "vous a accordé la validation totale : vous obtenez le "
                f"{certification.name} ({certification.rncp_code})."
            ),
            _heading("Blocs de compétences validés"),
            _table(["Code", "Bloc de compétences"], rows, [1, 3]),
            *_earlier_part(deliberation),
            _p("Toutes nos félicitations pour ce parcours."),
        ]
    if outcome == Outcome.PARTIAL:
        body = [
            _p(
                seen + "vous a accordé une validation partielle : une partie des blocs de "
                "compétences de la certification vous est acquise, d'autres restent à valider."
            ),
            _heading("Blocs de compétences validés"),
            _table(["Code", "Bloc de compétences"], rows, [1, 3]),
            *_earlier_part(deliberation),
            _heading("Blocs restant à valider"),
            _table(
                ["Code", "Bloc de compétences"],
                [[_bloc(r.activity), r.activity.title] for r in missing],
                [1, 3],
            ),
            _heading("Compétences restant à démontrer"),
            *blocks(deliberation.competences_to_prove),
            _heading("Motifs de la décision"),
            *blocks(deliberation.reasons),
            _p(
                "Les blocs validés vous sont acquis définitivement ; l'attestation jointe à ce "
                "courrier en fait foi. Pour les blocs restant à valider, vous pouvez commencer une "
                "nouvelle tentative dans votre espace sur la plateforme VAE COS : votre nouveau "
                "Livret 2 ne portera que sur ces blocs."
                + (f" Votre recevabilité est valable jusqu'au {end}." if end else "")
            ),
        ]
        return "Validation partielle de votre VAE", body
    if outcome == Outcome.NONE:
        return "Décision du jury : aucune validation", [
            _p(seen + "n'a validé aucun des blocs de compétences présentés."),
            _heading("Motifs de la décision"),
            *blocks(deliberation.reasons),
            *_earlier_part(deliberation),
            _p(
                "Vous pouvez commencer une nouvelle tentative dans votre espace sur la plateforme "
                "VAE COS, en vous appuyant sur les motifs ci-dessus."
                + (f" Votre recevabilité est valable jusqu'au {end}." if end else "")
            ),
        ]
    where = transmitter(registration)
    next_steps = [
        _p(
            "Pour être évalué, inscrivez-vous à une prochaine session d'évaluation dans votre "
            "espace sur la plateforme VAE COS ou contactez le certificateur"
            + (f", tant que votre recevabilité est valable (jusqu'au {end})." if end else ".")
        ),
        _p(
            "Votre Livret 2 reste finalisé : vous n'avez pas à le refaire. Une fois inscrit, "
            f"{where} le transmettra au jury de la nouvelle session. Si vous souhaitez le "
            "compléter d'ici là, rouvrez-le dans votre espace puis finalisez-le de nouveau."
        ),
    ]
    if outcome == Outcome.EXCUSED:
        return "Votre absence excusée à la session d'évaluation", [
            _p(
                seen + "a constaté votre absence, que vous aviez excusée. Aucune décision n'a "
                "été prise sur votre dossier : cette session ne vous est pas décomptée."
            ),
            *next_steps,
        ]
    return "Votre absence à la session d'évaluation", [
        _p(
            seen + "a constaté votre absence. Aucune décision n'a pu être prise sur votre "
            "dossier en votre absence."
        ),
        *next_steps,
    ]


def transmitter(registration: Registration) -> str:
    """Who transmits the candidate's dossier to another session, as the letter says it."""
    if registration.case.coaching == Coaching.INSTITUT_410:
        return "votre accompagnateur de l'Institut 4.10"
    return "le service certification"


def _earlier_part(deliberation: Deliberation) -> list[dict[str, Any]]:
    earlier = _earlier(deliberation)
    if not earlier:
        return []
    return [
        _heading("Blocs acquis lors d'une session précédente"),
        {"type": "list", "items": earlier},
    ]


def _attestation(deliberation: Deliberation) -> dict[str, Any] | None:
    if deliberation.outcome != Outcome.PARTIAL:
        return None
    registration = deliberation.registration
    version = registration.case.referentiel_version
    certification = version.certification
    decided = date_fr(timezone.localdate(deliberation.deliberated_at or timezone.now()))
    president = next((m for m in _jury(deliberation) if m.is_president), None)
    rows = [
        [_bloc(r.activity), r.activity.title, decided]
        for r in _results(deliberation)
        if r.validated
    ]
    return {
        "title": "Attestation de blocs de compétences validés",
        "body": [
            _p(
                f"Le certificateur, {certification.certifier}, atteste "
                f"{_que(candidate_name(registration))} a validé, par la validation des acquis de "
                f"l'expérience, devant le jury réuni le {session_line(registration.session)}, "
                f"les blocs de compétences suivants du {certification.name} "
                f"({certification.rncp_code}, référentiel version {version.version}) :"
            ),
            _table(["Code", "Bloc de compétences", "Validé le"], rows, [1.2, 3, 1.2]),
            _p(
                "Ces blocs de compétences sont acquis définitivement (Code du travail, "
                "art. D. 6412-6)."
            ),
            _heading("Compétences restant à démontrer"),
            *blocks(deliberation.competences_to_prove),
        ],
        "place_date": f"{PLACE}, le {decided}",
        "signature": [
            f"Pour le jury, {president.user.display_name}, {role(president).lower()}"
            if president
            else "Le jury",
            f"Le service certification — {certifier_short_name(certification.certifier)}",
        ],
    }


def result_letter_data(deliberation: Deliberation) -> dict[str, Any]:
    registration = deliberation.registration
    certification = registration.case.referentiel_version.certification
    recipient, polite = _recipient(registration)
    subject, body = _result_body(deliberation)
    on = timezone.localdate(deliberation.signed_at or timezone.now())
    return {
        "title": f"Décision du jury — {candidate_name(registration)}",
        "author": certification.certifier,
        "header": f"{certifier_short_name(certification.certifier)} — Certification {certification.name}",
        "reference": f"Décision n° {deliberation.pk}",
        "sender": [
            f"{certifier_short_name(certification.certifier)} — Certification {certification.name}",
            f"Inscrite au RNCP sous le n°{certification.rncp_code.removeprefix('RNCP')}",
        ],
        "recipient": recipient,
        "place_date": f"{PLACE}, le {date_fr(on)}",
        "subject": subject,
        "body": [
            _facts(
                ("Décision", deliberation.get_outcome_display()),
                ("Session", session_line(registration.session)),
            ),
            _p(f"{polite},"),
            *body,
        ],
        "closing": f"Nous vous prions d'agréer, {polite}, l'expression de nos salutations distinguées.",
        "signature": [
            f"Le service certification — {certifier_short_name(certification.certifier)}"
        ],
        "attestation": _attestation(deliberation),
    }


def render(deliberation: Deliberation) -> tuple[bytes, bytes]:
    """The procès-verbal and the result letter as PDF, nothing written yet. Raises
    vaecos.documents.engine.RenderError if a template fails."""
    minutes = render_pdf(MINUTES_TEMPLATE, minutes_data(deliberation))
    letter = render_pdf(RESULT_TEMPLATE, result_letter_data(deliberation))
    return minutes, letter


def store(deliberation: Deliberation, minutes: bytes, letter: bytes) -> None:
    """Write both PDFs and record them on the deliberation. The caller does it last in its
    transaction; if anything fails here, the files already written are removed, so that a
    rolled back signature leaves nothing in storage."""
    written: list[FieldFile] = []
    try:
        for field, name, pdf in (
            (deliberation.minutes, f"proces-verbal-{deliberation.pk}.pdf", minutes),
            (deliberation.result_letter, f"decision-{deliberation.pk}.pdf", letter),
        ):
            field.save(name, ContentFile(pdf), save=False)
            written.append(field)
        deliberation.save(update_fields=["minutes", "result_letter"])
    except Exception:
        for field in written:
            try:
                if field.name:
                    field.storage.delete(field.name)
            except OSError:  # pragma: no cover - nothing more to do than say it
                logger.exception("Délibération %s : %s non supprimé", deliberation.pk, field.name)
        raise
