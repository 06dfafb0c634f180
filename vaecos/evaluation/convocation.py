"""The convocation to an evaluation session: a PDF letter (Typst), an e-mail with a calendar file.

Staff convene one registration, or every transmitted registration of a session at once, once the
jury's composition has no blocking error and while the session is not past. Convening again writes
the letter again (the session's details may have changed) and sends it again; the registration
stays « convoqué ». When staff change a session's date, time, duration, place or link, every
candidate already convened gets the new convocation (`reconvene_changed_session`). Each new
convocation updates the same calendar event (same UID, SEQUENCE one more).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import formats, timezone, translation

from vaecos.accounts.models import User
from vaecos.admissibility.letters import (
    CIVILITY,
    certifier_short_name,
    date_fr,
    service_signature,
)
from vaecos.admissibility.validity import favourable_request
from vaecos.documents.engine import RenderError, render_pdf
from vaecos.documents.livret2 import blocks
from vaecos.dossiers.uploads import delete_after_commit
from vaecos.evaluation import ics, notifications
from vaecos.evaluation.composition import composition_report
from vaecos.evaluation.errors import DocumentFailed, EvaluationError
from vaecos.evaluation.files import Written, written_files
from vaecos.evaluation.models import EvaluationSession, Registration, RegistrationStatus
from vaecos.evaluation.workflow import REGISTRATION_WORKFLOW

logger = logging.getLogger(__name__)

TEMPLATE = "convocation.typ"
PLACE = "Paris"

TO_BRING = [
    "une pièce d'identité en cours de validité (carte nationale d'identité, passeport ou titre "
    "de séjour)",
    "la présente convocation",
    "si vous le souhaitez, votre dossier de validation (Livret 2) et les documents qui "
    "l'accompagnent : le jury en a reçu un exemplaire",
]
TO_BRING_ONLINE = [
    "un ordinateur avec caméra, micro et haut-parleurs (ou un casque), et une connexion stable",
    "un endroit calme où vous serez seul ou seule pendant l'entretien",
    "une pièce d'identité en cours de validité, que vous présenterez à la caméra",
    "testez le lien de visioconférence quelques jours avant la session",
]


class ConvocationError(EvaluationError):
    pass


def time_fr(value: datetime.time) -> str:
    """« 9 h 30 », « 14 h »."""
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def duration_fr(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    text = f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{text} {rest:02d}" if rest else text


def weekday_date(day: datetime.date) -> str:
    """« mardi 15 juin 2027 »."""
    with translation.override("fr"):
        weekday = formats.date_format(day, "l")
    return f"{weekday} {date_fr(day)}"


def starts_at(session: EvaluationSession) -> datetime.datetime:
    return timezone.make_aware(session.starts_at, timezone.get_default_timezone())


def organisation(session: EvaluationSession) -> str:
    return certifier_short_name(session.referentiel_version.certification.certifier)


def signature(session: EvaluationSession) -> str:
    return service_signature(session.referentiel_version.certification.certifier)


def candidate_name(registration: Registration) -> str:
    candidate = registration.case.candidate
    return candidate.get_full_name() or candidate.email


def _recipient(registration: Registration) -> tuple[str, list[str]]:
    """(salutation, address lines) from the admissibility request when there is one."""
    request = favourable_request(registration.case)
    civility = CIVILITY.get(request.sex) if request else None
    name = candidate_name(registration)
    lines = [f"{civility} {name}" if civility else name]
    if request is not None:
        lines += [line.strip() for line in request.address.splitlines() if line.strip()]
    return civility or "Madame, Monsieur", lines


def where(session: EvaluationSession) -> str:
    """The place, or the video link, or both, in one line."""
    if session.place and session.video_link:
        return f"{' '.join(session.place.split())} (ou en visioconférence : {session.video_link})"
    return " ".join(session.place.split()) or f"En visioconférence : {session.video_link}"


def convocation_data(registration: Registration, *, updated: bool = False) -> dict[str, Any]:
    """What convocation.typ lays out: every value is plain text. `updated`: the session changed
    since the candidate's first convocation, which this one replaces."""
    session = registration.session
    certification = session.referentiel_version.certification
    polite, recipient = _recipient(registration)
    name = organisation(session)
    facts = [
        {"label": "Certification", "value": f"{certification.name} ({certification.rncp_code})"},
        {"label": "Candidat", "value": candidate_name(registration)},
        {"label": "Date", "value": weekday_date(session.date)},
        {"label": "Heure", "value": time_fr(session.start_time)},
        {"label": "Durée de l'entretien", "value": duration_fr(session.duration_minutes)},
    ]
    if session.place:
        facts.append({"label": "Lieu", "value": " ".join(session.place.split())})
    if session.video_link:
        facts.append({"label": "Visioconférence", "value": session.video_link})
    online_only = not session.place
    body: list[dict[str, Any]] = [{"type": "p", "text": f"{polite},"}]
    if updated:
        body.append(
            {
                "type": "p",
                "text": (
                    "Les informations de la session d'évaluation ont changé : la présente "
                    "convocation remplace la précédente."
                ),
            }
        )
    body += [
        {
            "type": "p",
            "text": (
                "Votre dossier de validation des acquis de l'expérience (VAE) pour le "
                f"{certification.name} a été transmis au jury. Nous avons le plaisir de vous "
                "convoquer à l'entretien avec le jury de validation :"
            ),
        },
        {"type": "facts", "items": facts},
        {
            "type": "p",
            "text": (
                "Le jury vous interrogera sur la base de votre dossier, pour comprendre votre "
                "expérience et l'évaluer au regard du référentiel de certification."
            ),
        },
    ]
    if session.practical_details.strip():
        body += [
            {"type": "heading", "text": "Informations pratiques"},
            *blocks(session.practical_details),
        ]
    body += [
        {"type": "heading", "text": "À prévoir"},
        {"type": "list", "items": TO_BRING_ONLINE if online_only else TO_BRING},
        {
            "type": "p",
            "text": (
                "Présentez-vous quelques minutes avant l'heure indiquée. Si vous ne pouvez pas "
                "venir, prévenez-nous au plus tôt en répondant à ce courrier : votre absence "
                "sera alors excusée."
            ),
        },
    ]
    return {
        "title": f"Convocation à la session d'évaluation du {date_fr(session.date)}",
        "author": certification.certifier,
        "header": f"{name} — Certification {certification.name}",
        "reference": f"Inscription n° {registration.pk}",
        "sender": [
            f"{name} — Certification {certification.name}",
            f"Inscrite au RNCP sous le n°{certification.rncp_code.removeprefix('RNCP')}",
        ],
        "recipient": recipient,
        "place_date": f"{PLACE}, le {date_fr(timezone.localdate())}",
        "subject": "Convocation à l'entretien avec le jury de VAE",
        "body": body,
        "closing": (
            f"Nous vous prions d'agréer, {polite}, l'expression de nos salutations distinguées."
        ),
        "signature": [signature(session)],
    }


def calendar_file(registration: Registration) -> str:
    """The session as a calendar event: one UID per registration, its SEQUENCE growing at each
    convocation sent again."""
    session = registration.session
    certification = session.referentiel_version.certification
    start = starts_at(session)
    details = [
        f"Entretien avec le jury de VAE — {certification.name}.",
        f"Durée prévue : {duration_fr(session.duration_minutes)}.",
    ]
    if session.video_link:
        details.append(f"Visioconférence : {session.video_link}")
    if session.practical_details.strip():
        details.append(session.practical_details.strip())
    return ics.event(
        uid=f"vaecos-inscription-{registration.pk}@vae-cos",
        start=start,
        end=start + datetime.timedelta(minutes=session.duration_minutes),
        summary=f"Jury de VAE — {certification.name}",
        location=" ".join(session.place.split()) or session.video_link,
        description="\n".join(details),
        url=session.video_link,
        sequence=registration.convocation_sequence,
    )


def render(registration: Registration, *, updated: bool = False) -> bytes:
    """The convocation's PDF, or DocumentFailed (nothing is recorded: the caller's transaction
    rolls back)."""
    try:
        return render_pdf(TEMPLATE, convocation_data(registration, updated=updated))
    except RenderError as exc:
        logger.exception("convocation of registration %s could not be rendered", registration.pk)
        raise DocumentFailed(
            f"La convocation de {candidate_name(registration)} n'a pas pu être produite : rien "
            "n'a été enregistré et aucune convocation n'a été envoyée. Réessayez plus tard ; si "
            "le problème persiste, signalez-le à l'administrateur de la plateforme."
        ) from exc


def _convene(
    registration: Registration,
    by: User,
    now: datetime.datetime,
    written: Written,
    *,
    reason: str = "",
    updated: bool = False,
) -> Registration:
    if registration.transmitted_at is None:
        raise ConvocationError(
            f"Le dossier de {candidate_name(registration)} n'a pas encore été transmis au jury : "
            "le candidat ne peut pas encore être convoqué."
        )
    REGISTRATION_WORKFLOW.check(registration, "convene")
    if registration.convened_at is not None:
        # Sent again: the calendar event is an update of the one the candidate already has.
        registration.convocation_sequence += 1
    pdf = render(registration, updated=updated)
    REGISTRATION_WORKFLOW.apply(registration, "convene", by=by, reason=reason)
    registration.convened_at = now
    old = registration.convocation.name
    # The file last: if anything fails from here, `written` removes it.
    written.save(registration.convocation, f"convocation-{registration.pk}.pdf", pdf)
    registration.save(update_fields=["convened_at", "convocation", "convocation_sequence"])
    if old and old != registration.convocation.name:
        delete_after_commit(registration.convocation.storage, old)
    notifications.send_convocation_after_commit(registration, updated=updated)
    return registration


def _check_jury(session: EvaluationSession) -> None:
    report = composition_report(session)
    if report.errors:
        raise ConvocationError(
            "La composition du jury ne permet pas de convoquer : " + " ".join(report.errors)
        )


def _check_date(session: EvaluationSession, today: datetime.date) -> None:
    if session.date < today:
        raise ConvocationError(
            f"La session du {session.date:%d/%m/%Y} est passée : ses candidats ne peuvent plus "
            "y être convoqués."
        )


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update()
        .select_related("session__referentiel_version__certification", "case__candidate")
        .get(pk=registration.pk)
    )


@transaction.atomic
def convene(
    *, registration: Registration, by: User, now: datetime.datetime | None = None
) -> Registration:
    """Convene one candidate (again, if already convened: the letter is written and sent anew)."""
    now = now or timezone.now()
    registration = _locked(registration)
    _check_date(registration.session, timezone.localdate(now))
    _check_jury(registration.session)
    with written_files() as written:
        return _convene(registration, by, now, written)


@transaction.atomic
def convene_session(
    *, session: EvaluationSession, by: User, now: datetime.datetime | None = None
) -> list[Registration]:
    """Convene every candidate of the session whose dossier has been transmitted."""
    now = now or timezone.now()
    session = EvaluationSession.objects.select_for_update().get(pk=session.pk)
    _check_date(session, timezone.localdate(now))
    rows = session.registrations.filter(  # type: ignore[attr-defined]
        transmitted_at__isnull=False,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.CONVENED],
    ).order_by("pk")
    pks = list(rows.values_list("pk", flat=True))
    if not pks:
        raise ConvocationError(
            "Aucun candidat à convoquer : aucun dossier n'a encore été transmis pour cette session."
        )
    _check_jury(session)
    with written_files() as written:
        return [_convene(_locked(Registration(pk=pk)), by, now, written) for pk in pks]


def reconvene_changed_session(
    session: EvaluationSession,
    by: User,
    changes: list[str],
    written: Written,
    *,
    today: datetime.date | None = None,
) -> list[Registration]:
    """The session's date, time, duration, place or link changed: every candidate already
    convened gets the new convocation (the same calendar event, updated). Called by
    `sessions.session_update` inside its transaction, the session locked."""
    if session.date < (today or timezone.localdate()):
        return []  # a past session: nobody is convened to it any more
    pks = list(
        session.registrations.filter(status=RegistrationStatus.CONVENED)  # type: ignore[attr-defined]
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reason = "Session modifiée : " + ", ".join(changes)
    now = timezone.now()
    return [
        _convene(_locked(Registration(pk=pk)), by, now, written, reason=reason, updated=True)
        for pk in pks
    ]
