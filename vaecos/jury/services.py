"""The jury's work on one registration: grid, private notes, votes, decision, signatures, and the
blocs kept for good; each action a transaction holding the deliberation's lock.

The deliberation is created on the first write (`_lock`), as are the grid's lines: reading the
evaluation page never writes. A member in conflict with the candidate (D. 6412-6) does nothing
for them, and a jury that breaks D. 6412-6 does not decide. The members who deliberated are
fixed with the decision: they, and only they, sign. Until someone has signed, the president may
take the decision back.

The registration's status (evaluated, absent, excused) and, for an absent or excused candidate,
the dossier's return to « final » (to be transmitted to another session) are recorded when the
decision is notified, not when it is taken: a decision taken back leaves nothing to undo there.
Documents are rendered first and written last in the transaction that notifies; the e-mail to
the candidate goes once it has committed (`notifications`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from vaecos.accounts.models import User
from vaecos.admissibility.letters import date_fr
from vaecos.admissibility.validity import refusal as admissibility_refusal
from vaecos.cases.models import VaeCase
from vaecos.documents.engine import RenderError
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.evaluation.composition import composition_report, conflict_reason, session_conflicts
from vaecos.evaluation.models import JuryMember, Registration, RegistrationStatus
from vaecos.evaluation.workflow import REGISTRATION_WORKFLOW
from vaecos.jury import documents, notifications
from vaecos.jury.models import (
    AcquiredBloc,
    Assessment,
    BlocResult,
    BlocVote,
    Deliberation,
    DeliberationMember,
    GridEntry,
    Outcome,
    PreparationNote,
    Signature,
)
from vaecos.jury.workflow import DELIBERATION_WORKFLOW
from vaecos.referentiels.models import Activity, Certification
from vaecos.utils.errors import ActionRefused

logger = logging.getLogger(__name__)

Status = Deliberation.Status


class JuryError(ActionRefused):
    pass


class AlreadySigned(JuryError):
    pass


class DocumentsFailed(JuryError):
    """The PV or the result letter could not be produced: the signature is rolled back."""

    def __init__(self) -> None:
        super().__init__(
            "Le procès-verbal n'a pas pu être produit : rien n'a été enregistré, réessayez ou "
            "prévenez l'équipe."
        )


def time_fr(moment: object) -> str:
    """« 14 h 05 », in local time."""
    local = timezone.localtime(moment)  # type: ignore[arg-type]
    return f"{local:%H} h {local:%M}"


def moment_fr(moment: object) -> str:
    """« 2 décembre 2026 à 14 h 05 »."""
    return f"{date_fr(timezone.localdate(moment))} à {time_fr(moment)}"  # type: ignore[arg-type]


# --- Reading -----------------------------------------------------------------------------------


def deliberation_of(registration: Registration) -> Deliberation:
    """The registration's deliberation, or an unsaved draft one (nothing written yet)."""
    found = Deliberation.objects.filter(registration=registration).first()
    return found or Deliberation(registration=registration)


def earlier_acquired(registration: Registration) -> dict[str, AcquiredBloc]:
    """Blocs the candidate acquired before this registration's deliberation, by bloc code."""
    case = registration.case
    found = (
        AcquiredBloc.objects.filter(
            candidate_id=case.candidate_id,
            certification_id=case.referentiel_version.certification_id,
        )
        .exclude(deliberation__registration=registration)
        .select_related("deliberation__registration__session")
    )
    return {bloc.bloc_code: bloc for bloc in found}


def bloc_key(activity: Activity, certification: Certification) -> str:
    """The key a bloc is kept under on the candidate's record (AcquiredBloc.bloc_code): its
    RNCP code, or the certification's code and the activity's number for a bloc without one.
    The one key the record, the blocs to assess and a new attempt's exemptions all use."""
    return activity.bloc_code or f"{certification.code}-{activity.roman}"


def blocs_to_assess(registration: Registration) -> list[Activity]:
    """The blocs the jury assesses and votes on: the version's, less those already acquired."""
    acquired = earlier_acquired(registration)
    version = registration.case.referentiel_version
    activities = version.activities.prefetch_related(  # type: ignore[attr-defined]
        "competences"
    ).order_by("number")
    return [a for a in activities if bloc_key(a, version.certification) not in acquired]


def acquired_blocs(candidate: User) -> list[AcquiredBloc]:
    """Every bloc a jury validated for the candidate, kept for good."""
    return list(
        AcquiredBloc.objects.filter(candidate=candidate)
        .select_related("activity", "certification", "deliberation__registration__session")
        .order_by("certification__name", "activity__number", "bloc_code")
    )


def line_digest(assessment: str, observation: str) -> str:
    """A short fingerprint of a grid line as the page showed it: a line the member did not
    touch is left alone, even if someone else changed it meanwhile."""
    raw = f"{assessment}\x1f{observation}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


# The longest text the jury's forms keep (grid observations, notes, reasons): longer is refused
# with a message, never cut.
TEXT_LIMIT = 50_000


def clean_text(text: str) -> str:
    # No NUL: PostgreSQL refuses it in text, and no one types it.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise JuryError(
            f"Un texte fait {len(text)} caractères, la limite est de {TEXT_LIMIT} : "
            "rien n'a été enregistré. Raccourcissez-le, votre texte est conservé ci-dessous."
        )
    return text


# --- Locks and seats ---------------------------------------------------------------------------


def _lock(registration: Registration) -> Deliberation:
    """The registration's deliberation, created if need be, locked: one writer at a time."""
    locked = (
        Registration.objects.select_for_update()
        .select_related("session", "case__referentiel_version__certification", "case__candidate")
        .get(pk=registration.pk)
    )
    if locked.transmitted_at is None:
        raise JuryError("Le dossier de ce candidat n'a pas été transmis au jury.")
    deliberation, _ = Deliberation.objects.get_or_create(registration=locked)
    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    deliberation.registration = locked
    return deliberation


def _seat(registration: Registration, by: User) -> JuryMember:
    """The member's seat for this candidate: on the session's jury, and not in conflict with
    the candidate (D. 6412-6)."""
    seat = JuryMember.objects.filter(session_id=registration.session_id, user=by).first()
    if seat is None:
        raise JuryError("Vous ne siégez pas au jury de cette session.")
    reason = conflict_reason(by, registration.case)
    if reason:
        raise JuryError(reason)
    return seat


def panel(deliberation: Deliberation) -> list[JuryMember | DeliberationMember]:
    """Who deliberates on the candidate: once the decision is recorded, the members fixed with
    it (they sign, the PV lists them); before, the session's jury as it stands."""
    if deliberation.pk is not None and deliberation.status != Status.DRAFT:
        rows = deliberation.panel.select_related("user")  # type: ignore[attr-defined]
        fixed: list[JuryMember | DeliberationMember] = list(rows)
        if fixed:
            return fixed
    return list(
        JuryMember.objects.filter(session_id=deliberation.registration.session_id).select_related(
            "user"
        )
    )


def decision_blockers(registration: Registration) -> list[str]:
    """Why this jury may not decide on the candidate (Code du travail, art. D. 6412-6): the
    session's jury breaks a rule (fewer than two members, nobody qualified, no president), or a
    member may not sit for this candidate. A conflict with another candidate of the session
    stops that candidate's decision, not this one's."""
    session = registration.session
    report = composition_report(session, with_conflicts=False)
    return [*report.errors, *session_conflicts(session, registration.case)]


def session_held(registration: Registration, today: datetime.date | None = None) -> bool:
    """Votes, the decision and the signatures belong to the day of the oral or after it; the
    grid and the notes may be prepared before."""
    return (today or timezone.localdate()) >= registration.session.date


def _held(registration: Registration, what: str) -> None:
    if not session_held(registration):
        raise JuryError(
            f"{what} : la session a lieu le {date_fr(registration.session.date)}. Le jury vote "
            "et décide le jour de l'oral, pas avant ; la grille et vos notes peuvent être "
            "préparées dès maintenant."
        )


def _draft(deliberation: Deliberation, what: str) -> None:
    if deliberation.status != Status.DRAFT:
        raise JuryError(
            f"{what} : la délibération est « {deliberation.get_status_display()} », "
            "plus rien ne peut y être modifié."
        )


# --- The grid ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridChange:
    activity_id: int
    competence_id: int | None
    assessment: str
    observation: str
    version: int  # the line's version when the page was loaded
    loaded: str = ""  # line_digest() of the line as loaded, if the page sent it

    @property
    def key(self) -> str:
        return f"c{self.competence_id}" if self.competence_id else f"a{self.activity_id}"


@dataclass(frozen=True)
class GridConflict:
    change: GridChange  # what the member wrote (kept in the form)
    entry: GridEntry  # the line as someone else saved it

    @property
    def message(self) -> str:
        who = self.entry.updated_by.display_name if self.entry.updated_by else "un autre membre"
        when = moment_fr(self.entry.updated_at) if self.entry.updated_at else ""
        return f"{who} a modifié cette ligne le {when} pendant que vous la remplissiez."


@dataclass(frozen=True)
class GridSaveResult:
    saved: int
    conflicts: list[GridConflict]


@transaction.atomic
def grid_save(
    *, registration: Registration, by: User, changes: Iterable[GridChange]
) -> GridSaveResult:
    """Save the member's lines; a line someone else changed since the page was loaded is left
    as they saved it and returned as a conflict (the member's text is not lost: it is in the
    conflict)."""
    deliberation = _lock(registration)
    _seat(deliberation.registration, by)
    _draft(deliberation, "La grille ne peut plus être modifiée")
    blocs = {a.pk: a for a in blocs_to_assess(deliberation.registration)}
    competences = {c.pk: c for a in blocs.values() for c in a.competences.all()}
    saved = 0
    conflicts: list[GridConflict] = []
    now = timezone.now()
    for change in changes:
        activity = blocs.get(change.activity_id)
        competence = competences.get(change.competence_id) if change.competence_id else None
        if activity is None or (change.competence_id and competence is None):
            raise JuryError("Cette ligne n'appartient pas à la grille de ce candidat.")
        if competence is not None and competence.activity_id != activity.pk:
            raise JuryError("Cette compétence n'appartient pas à ce bloc.")
        if change.assessment not in Assessment.values:
            raise JuryError("Choisissez une appréciation de la liste.")
        observation = clean_text(change.observation)
        if change.loaded and change.loaded == line_digest(change.assessment, observation):
            continue  # the member did not touch this line
        entry, _ = GridEntry.objects.get_or_create(
            deliberation=deliberation, activity=activity, competence=competence
        )
        if (entry.assessment, entry.observation) == (change.assessment, observation):
            continue
        if entry.version != change.version:
            conflicts.append(GridConflict(change=change, entry=entry))
            continue
        entry.assessment = change.assessment
        entry.observation = observation
        entry.version += 1
        entry.updated_by = by
        entry.updated_at = now
        entry.save()
        saved += 1
    return GridSaveResult(saved=saved, conflicts=conflicts)


def competences_prefill(deliberation: Deliberation) -> str:
    """The grid's lines not acquired or to check, one per line: what a partial validation
    leaves to prove."""
    if deliberation.pk is None:
        return ""
    lines = []
    entries = deliberation.grid.filter(  # type: ignore[attr-defined]
        assessment__in=[Assessment.NOT_ACQUIRED, Assessment.TO_CHECK]
    ).select_related("activity", "competence")
    for entry in entries:
        if entry.competence is not None:
            label = f"{entry.competence.code} – {entry.competence.wording}"
        else:
            label = (
                f"Bloc {entry.activity.bloc_code or entry.activity.roman} – {entry.activity.title}"
            )
        lines.append(f"- {label} ({entry.get_assessment_display().lower()})")
    return "\n".join(lines)


# --- Private notes -----------------------------------------------------------------------------


@transaction.atomic
def note_save(*, registration: Registration, by: User, text: str) -> PreparationNote:
    """The member's own preparation notes on the candidate; nobody else ever reads them."""
    _seat(registration, by)
    note, _ = PreparationNote.objects.update_or_create(
        registration=registration, member=by, defaults={"text": clean_text(text)}
    )
    return note


def note_of(registration: Registration, member: User) -> PreparationNote | None:
    return PreparationNote.objects.filter(registration=registration, member=member).first()


# --- Votes -------------------------------------------------------------------------------------


@transaction.atomic
def votes_save(
    *, registration: Registration, by: User, choices: Mapping[int, bool]
) -> list[BlocVote]:
    """The member's vote per bloc (activity id → validated)."""
    deliberation = _lock(registration)
    _seat(deliberation.registration, by)
    _draft(deliberation, "Les votes sont clos")
    _held(deliberation.registration, "Pas encore de vote")
    blocs = {a.pk: a for a in blocs_to_assess(deliberation.registration)}
    if not choices:
        raise JuryError("Indiquez votre vote pour au moins un bloc.")
    votes = []
    for activity_id, validated in choices.items():
        if activity_id not in blocs:
            raise JuryError("Ce bloc n'est pas soumis au vote pour ce candidat.")
        vote, _ = BlocVote.objects.update_or_create(
            deliberation=deliberation,
            member=by,
            activity=blocs[activity_id],
            defaults={"validated": validated},
        )
        votes.append(vote)
    return votes


# --- The decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlocTally:
    activity: Activity
    votes_for: int
    votes_against: int
    validated: bool
    casting_vote: bool


def _tally(
    deliberation: Deliberation, blocs: list[Activity], members: list[JuryMember]
) -> list[BlocTally]:
    """Per bloc, the majority of the votes cast; on a tie, the president's vote decides.
    Refused while a member has not voted on every bloc."""
    votes = {
        (v.member_id, v.activity_id): v.validated
        for v in BlocVote.objects.filter(deliberation=deliberation)
    }
    missing = []
    for member in members:
        lacking = [a for a in blocs if (member.user_id, a.pk) not in votes]
        if lacking:
            names = ", ".join(a.bloc_code or a.roman for a in lacking)
            missing.append(
                f"{member.user.display_name} (bloc{'s' if len(lacking) > 1 else ''} {names})"
            )
    if missing:
        raise JuryError(
            "Tous les membres du jury doivent avoir voté sur chaque bloc. Votes manquants : "
            + " ; ".join(missing)
            + "."
        )
    president = next((m for m in members if m.is_president), None)
    tallies = []
    for activity in blocs:
        cast = [votes[(m.user_id, activity.pk)] for m in members]
        yes, no = cast.count(True), cast.count(False)
        casting = yes == no
        if casting:
            if president is None:
                raise JuryError("Égalité des voix sans président pour les départager.")
            validated = votes[(president.user_id, activity.pk)]
        else:
            validated = yes > no
        tallies.append(BlocTally(activity, yes, no, validated, casting))
    return tallies


def tally_preview(registration: Registration) -> tuple[list[BlocTally], str]:
    """What the votes give today (tallies, outcome), or ([], the French reason why not yet)."""
    deliberation = deliberation_of(registration)
    if deliberation.pk is None:
        return [], "Aucun vote enregistré pour l'instant."
    members = list(
        JuryMember.objects.filter(session_id=registration.session_id).select_related("user")
    )
    try:
        tallies = _tally(deliberation, blocs_to_assess(registration), members)
    except JuryError as exc:
        return [], exc.message
    return tallies, _outcome(tallies)


def _outcome(tallies: list[BlocTally]) -> str:
    validated = sum(1 for t in tallies if t.validated)
    if validated == len(tallies):
        return Outcome.TOTAL
    return Outcome.PARTIAL if validated else Outcome.NONE


MODES = {"votes": "", "absent": Outcome.ABSENT, "excuse": Outcome.EXCUSED}
REGISTRATION_TRANSITIONS: dict[str, tuple[str, str]] = {
    Outcome.ABSENT: ("mark_absent", RegistrationStatus.ABSENT),
    Outcome.EXCUSED: ("mark_excused", RegistrationStatus.EXCUSED),
}


@transaction.atomic
def deliberation_decide(
    *,
    registration: Registration,
    by: User,
    mode: str,
    competences_to_prove: str = "",
    reasons: str = "",
) -> Deliberation:
    """The president records the decision: from the votes, or the candidate absent / excused."""
    deliberation = _lock(registration)
    registration = deliberation.registration
    seat = _seat(registration, by)
    if not seat.is_president:
        raise JuryError("Seul le président du jury peut prononcer la décision.")
    DELIBERATION_WORKFLOW.check(deliberation, "deliberate")
    _held(registration, "Pas encore de décision")
    blockers = decision_blockers(registration)
    if blockers:
        raise JuryError(
            "Le jury ne peut pas délibérer : sa composition ne respecte pas le Code du travail "
            "(art. D. 6412-6). " + " ".join(blockers)
        )
    if mode not in MODES:
        raise JuryError("Choisissez la décision : selon les votes, candidat absent ou excusé.")
    competences_to_prove = clean_text(competences_to_prove)
    reasons = clean_text(reasons)
    tallies: list[BlocTally] = []
    members = list(
        JuryMember.objects.filter(session_id=registration.session_id).select_related("user")
    )
    if mode == "votes":
        blocs = blocs_to_assess(registration)
        if not blocs:
            raise JuryError("Tous les blocs de la certification sont déjà acquis par ce candidat.")
        tallies = _tally(deliberation, blocs, members)
        outcome = _outcome(tallies)
        if outcome == Outcome.PARTIAL and not competences_to_prove:
            raise JuryError("Validation partielle : indiquez les compétences restant à démontrer.")
        if outcome in (Outcome.PARTIAL, Outcome.NONE) and not reasons:
            raise JuryError(
                f"{Outcome(outcome).label} : indiquez les motifs de la décision du jury."
            )
        if outcome != Outcome.PARTIAL:
            competences_to_prove = ""
    else:
        outcome = MODES[mode]
        competences_to_prove = ""
    BlocResult.objects.filter(deliberation=deliberation).delete()
    BlocResult.objects.bulk_create(
        BlocResult(
            deliberation=deliberation,
            activity=t.activity,
            validated=t.validated,
            votes_for=t.votes_for,
            votes_against=t.votes_against,
            casting_vote=t.casting_vote,
        )
        for t in tallies
    )
    deliberation.outcome = outcome
    deliberation.reasons = reasons
    deliberation.competences_to_prove = competences_to_prove
    deliberation.casting_vote_used = any(t.casting_vote for t in tallies)
    deliberation.deliberated_at = timezone.now()
    deliberation.deliberated_by = by
    deliberation.save()
    # Who deliberated, as they sat: they sign, and only they.
    DeliberationMember.objects.filter(deliberation=deliberation).delete()
    DeliberationMember.objects.bulk_create(
        DeliberationMember(
            deliberation=deliberation,
            user_id=m.user_id,
            is_president=m.is_president,
            qualified=m.qualified,
        )
        for m in members
    )
    DELIBERATION_WORKFLOW.apply(deliberation, "deliberate", by=by, reason=Outcome(outcome).label)
    return deliberation


@transaction.atomic
def deliberation_reopen(*, registration: Registration, by: User) -> Deliberation:
    """The president takes the decision back before anyone has signed it (e.g. « absent »
    recorded for « excusé »): back to draft, the decision per bloc and the members fixed with it
    removed; the votes, the grid and the president's text stay."""
    deliberation = _lock(registration)
    seat = _seat(deliberation.registration, by)
    if not seat.is_president:
        raise JuryError("Seul le président du jury peut reprendre la délibération.")
    previous = deliberation.get_outcome_display()
    DELIBERATION_WORKFLOW.apply(
        deliberation,
        "reopen",
        by=by,
        reason=f"Décision reprise avant toute signature (elle était : {previous}).",
    )
    BlocResult.objects.filter(deliberation=deliberation).delete()
    DeliberationMember.objects.filter(deliberation=deliberation).delete()
    deliberation.outcome = ""
    deliberation.casting_vote_used = False
    deliberation.deliberated_at = None
    deliberation.deliberated_by = None
    deliberation.save(
        update_fields=["outcome", "casting_vote_used", "deliberated_at", "deliberated_by"]
    )
    return deliberation


# --- Signatures, documents, notification -------------------------------------------------------


def _already(signature: Signature) -> AlreadySigned:
    when = timezone.localtime(signature.signed_at)
    return AlreadySigned(
        f"Vous avez déjà confirmé ce procès-verbal le {date_fr(when.date())} à {time_fr(when)}."
    )


@transaction.atomic
def deliberation_sign(*, registration: Registration, by: User) -> Deliberation:
    """The member confirms the decision; the last confirmation signs the PV, writes the
    documents, keeps the validated blocs and notifies the candidate."""
    deliberation = _lock(registration)
    _seat(deliberation.registration, by)
    existing = Signature.objects.filter(deliberation=deliberation, member=by).first()
    if existing is not None:
        raise _already(existing)
    if deliberation.status != Status.DELIBERATED:
        if deliberation.status == Status.DRAFT:
            raise JuryError("Le président n'a pas encore prononcé la décision : rien à confirmer.")
        raise JuryError("Ce procès-verbal est déjà signé par tout le jury.")
    signers = {m.user_id for m in panel(deliberation)}
    if by.pk not in signers:
        raise JuryError(
            "Vous n'avez pas pris part à cette délibération : seuls les membres du jury qui ont "
            "délibéré signent son procès-verbal."
        )
    try:
        with transaction.atomic():
            Signature.objects.create(deliberation=deliberation, member=by)
    except IntegrityError:
        # Two clicks that passed the check together: the other one signed.
        raise _already(Signature.objects.get(deliberation=deliberation, member=by)) from None
    signed = set(deliberation.signatures.values_list("member_id", flat=True))  # type: ignore[attr-defined]
    if signers <= signed:
        _complete(deliberation, by)
    return deliberation


def _complete(deliberation: Deliberation, by: User) -> None:
    """Every member who deliberated has signed: sign, produce the documents, record the
    outcome on the registration (and give an absent or excused candidate's dossier back), keep
    the validated blocs, notify. Documents are rendered first and written last: if either fails
    the caller's transaction rolls back and nothing is left behind."""
    registration = deliberation.registration
    deliberation.signed_at = timezone.now()
    deliberation.save(update_fields=["signed_at"])
    DELIBERATION_WORKFLOW.apply(
        deliberation, "sign", by=by, reason="Signé par tous les membres ayant délibéré"
    )
    try:
        minutes, letter = documents.render(deliberation)
    except RenderError:
        logger.exception(
            "Délibération %s : les documents n'ont pas pu être produits", deliberation.pk
        )
        raise DocumentsFailed() from None
    _record_outcome(registration, deliberation, by)
    _keep_validated_blocs(deliberation)
    if deliberation.outcome in (Outcome.ABSENT, Outcome.EXCUSED):
        _release_dossier(registration, deliberation, by)
    deliberation.notified_at = timezone.now()
    deliberation.save(update_fields=["notified_at"])
    DELIBERATION_WORKFLOW.apply(deliberation, "notify", by=by)
    try:
        documents.store(deliberation, minutes, letter)
    except OSError:
        logger.exception(
            "Délibération %s : les documents n'ont pas pu être écrits", deliberation.pk
        )
        raise DocumentsFailed() from None
    notifications.send_result_after_commit(deliberation)


def _record_outcome(registration: Registration, deliberation: Deliberation, by: User) -> None:
    """The registration becomes evaluated, absent or excused (logged by its own workflow)."""
    name, target = REGISTRATION_TRANSITIONS.get(
        deliberation.outcome, ("evaluate", RegistrationStatus.EVALUATED)
    )
    if registration.status != target:
        REGISTRATION_WORKFLOW.apply(
            registration,
            name,
            by=by,
            reason=f"Décision du jury : {deliberation.get_outcome_display()}",
        )


def _release_dossier(registration: Registration, deliberation: Deliberation, by: User) -> None:
    """The candidate was absent or excused: their transmitted Livret 2 is final again, to be
    transmitted to another session's jury."""
    if registration.dossier_id is None:
        return
    # Not dossiers.services._lock: it refuses a dossier that is no longer editable, as a
    # transmitted one is.
    dossier = Dossier.objects.select_for_update().get(pk=registration.dossier_id)
    if dossier.status != DossierStatus.TRANSMITTED:
        logger.warning(
            "Délibération %s : le dossier %s n'est plus « transmis » (%s), rien à rendre",
            deliberation.pk,
            dossier.pk,
            dossier.status,
        )
        return
    who = "excusé" if deliberation.outcome == Outcome.EXCUSED else "absent"
    DOSSIER_WORKFLOW.apply(
        dossier,
        "release",
        by=by,
        reason=f"Candidat {who} à la session du {date_fr(registration.session.date)}",
    )


def _keep_validated_blocs(deliberation: Deliberation) -> None:
    """Each validated bloc joins the candidate's record for good; a bloc already there keeps
    its first date."""
    case = deliberation.registration.case
    certification = case.referentiel_version.certification
    on = timezone.localdate(deliberation.deliberated_at or timezone.now())
    for result in deliberation.results.filter(validated=True).select_related("activity"):  # type: ignore[attr-defined]
        AcquiredBloc.objects.get_or_create(
            candidate_id=case.candidate_id,
            certification_id=certification.pk,
            bloc_code=bloc_key(result.activity, certification),
            defaults={
                "activity": result.activity,
                "deliberation": deliberation,
                "acquired_on": on,
            },
        )


# --- A new attempt -----------------------------------------------------------------------------


def last_decision(case: VaeCase) -> Deliberation | None:
    return (
        Deliberation.objects.filter(registration__case=case, status=Status.NOTIFIED)
        .order_by("-notified_at", "-pk")
        .first()
    )


def new_attempt_refusal(case: VaeCase, today: object = None) -> str | None:
    """Why the candidate cannot start a new attempt now, or None."""
    decision = last_decision(case)
    if decision is None or decision.outcome not in (Outcome.PARTIAL, Outcome.NONE):
        return "Une nouvelle tentative s'ouvre après une validation partielle ou une absence de validation."
    evaluated = decision.registration.dossier
    newer = case.dossiers.filter(  # type: ignore[attr-defined]
        attempt__gt=evaluated.attempt if evaluated else 0
    ).first()
    if newer is not None:
        return f"Votre nouvelle tentative est déjà ouverte (Livret 2, tentative {newer.attempt})."
    return admissibility_refusal(case, today or timezone.localdate())  # type: ignore[arg-type]


@transaction.atomic
def new_attempt(*, case: VaeCase, by: User) -> Dossier:
    """A new Livret 2 for the blocs still missing: the blocs acquired are exempt."""
    from vaecos.dossiers.services import dossier_open

    case = (
        VaeCase.objects.select_for_update()
        .select_related("referentiel_version__certification")
        .get(pk=case.pk)
    )
    if by.pk != case.candidate_id:
        raise JuryError("Seul le candidat peut commencer une nouvelle tentative.")
    refusal = new_attempt_refusal(case)
    if refusal:
        raise JuryError(refusal)
    dossier = dossier_open(case=case, by=by)
    certification = case.referentiel_version.certification
    codes = set(
        AcquiredBloc.objects.filter(
            candidate_id=case.candidate_id, certification_id=certification.pk
        ).values_list("bloc_code", flat=True)
    )
    dossier.exempt_activities.set(
        [
            a
            for a in case.referentiel_version.activities.all()  # type: ignore[attr-defined]
            if bloc_key(a, certification) in codes
        ]
    )
    assert dossier.status == DossierStatus.IN_PROGRESS
    return dossier
