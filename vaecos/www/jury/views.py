"""The jury's pages (sessions, evaluation grid, notes, votes, decision, signatures, minutes) and
the candidate's results. Thin: find the object, check who asks (404 for anyone without access),
call the service, say what happened in French."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vaecos.accounts.models import Role, User
from vaecos.audit.services import record_read
from vaecos.dossiers.models import Situation
from vaecos.evaluation.composition import experience_organisations
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration
from vaecos.jury import permissions, services
from vaecos.jury.models import Assessment, BlocVote, Deliberation, GridEntry, Outcome
from vaecos.jury.services import GridChange, GridConflict, line_digest
from vaecos.referentiels.models import Activity, Competence
from vaecos.utils.errors import ActionRefused
from vaecos.www.actions import act as _act
from vaecos.www.downloads import stored_file
from vaecos.www.evaluation.pages import registrations_counted, upcoming_and_past


def _user(http: HttpRequest) -> User:
    return cast(User, http.user)


def _registration(http: HttpRequest, pk: int) -> Registration:
    found = (
        Registration.objects.select_related(
            "session__referentiel_version__certification",
            "session__branch",
            "case__candidate",
            "case__branch",
            "case__referentiel_version__certification",
            "dossier",
        )
        .filter(pk=pk, transmitted_at__isnull=False)
        .first()
    )
    if found is None or not permissions.can_read(_user(http), found):
        raise Http404("Candidat introuvable.")
    return found


def _member(http: HttpRequest, pk: int) -> tuple[Registration, JuryMember]:
    """The registration and the user's seat on its jury: writing is for members only."""
    registration = _registration(http, pk)
    seat = permissions.seat(_user(http), registration.session)
    if seat is None:
        raise Http404("Candidat introuvable.")
    return registration, seat


# --- Sessions ----------------------------------------------------------------------------------


@login_required
@require_GET
def home(http: HttpRequest) -> HttpResponse:
    """My sessions (a jury member's seats; every session for the certifier's staff), upcoming
    first, each part by pages."""
    user = _user(http)
    sessions = (
        EvaluationSession.objects.select_related("referentiel_version__certification", "branch")
        # The version's Livret 2 rules (JSON) are not shown: not read and decoded per row.
        .defer("referentiel_version__template_rules")
        # How many dossiers reached each session's jury.
        .annotate(candidates=registrations_counted(transmitted_at__isnull=False))
    )
    if user.role == Role.JURY:
        sessions = sessions.filter(jury__user=user)
    elif not permissions.is_staff(user):
        raise Http404("Page réservée aux membres du jury.")
    pages = upcoming_and_past(sessions, http.GET)
    return render(
        http,
        "jury/home.html",
        {
            "upcoming": pages.upcoming,
            "upcoming_query": pages.upcoming_query,
            "past": pages.past,
            "past_query": pages.past_query,
            "staff": permissions.is_staff(user),
        },
    )


@login_required
@require_GET
def session(http: HttpRequest, pk: int) -> HttpResponse:
    found = (
        EvaluationSession.objects.select_related("referentiel_version__certification", "branch")
        .filter(pk=pk)
        .first()
    )
    user = _user(http)
    if found is None or not (permissions.is_staff(user) or permissions.seat(user, found)):
        raise Http404("Session introuvable.")
    registrations = (
        Registration.objects.filter(session=found, transmitted_at__isnull=False)
        .select_related("case__candidate", "case__branch", "deliberation")
        .order_by("case__candidate__last_name", "case__candidate__first_name", "pk")
    )
    found_registrations = list(registrations)
    # The candidates' organisations in one query, for the conflict check of a jury member.
    organisations = (
        experience_organisations(
            {r.case.candidate_id for r in found_registrations}, timezone.localdate()
        )
        if user.role == Role.JURY and user.organisation_id is not None
        else {}
    )
    rows = []
    for registration in found_registrations:
        deliberation = getattr(registration, "deliberation", None)
        rows.append(
            {
                "registration": registration,
                "deliberation": deliberation,
                # A member in conflict with the candidate (D. 6412-6) is told why they do not
                # reach the candidate's page.
                "conflict": permissions.conflict(
                    user, registration, organisations.get(registration.case.candidate_id)
                )
                or "",
            }
        )
    jury = JuryMember.objects.filter(session=found).select_related("user")
    return render(
        http,
        "jury/session.html",
        {"session": found, "rows": rows, "jury": jury, "staff": permissions.is_staff(user)},
    )


# --- The evaluation page -----------------------------------------------------------------------


@dataclass
class Line:
    """One line of the grid as the page shows it."""

    key: str
    activity: Activity
    competence: Competence | None
    entry: GridEntry | None
    covered: bool = True  # a competence the transmitted dossier covers
    conflict: GridConflict | None = None

    @property
    def assessment(self) -> str:
        if self.conflict:
            return self.conflict.change.assessment
        return self.entry.assessment if self.entry else ""

    @property
    def observation(self) -> str:
        if self.conflict:
            return self.conflict.change.observation
        return self.entry.observation if self.entry else ""

    @property
    def version(self) -> int:
        # After a conflict the form carries the newer version: saving again overwrites it
        # knowingly, with the member's own text.
        return self.entry.version if self.entry else 0

    @property
    def digest(self) -> str:
        if self.conflict:
            return ""  # the member's text differs from what is saved: it is theirs to save
        return line_digest(self.assessment, self.observation)

    @property
    def label(self) -> str:
        if self.competence is not None:
            return f"{self.competence.code} – {self.competence.wording}"
        return f"Bloc {self.activity.bloc_code or self.activity.roman} – {self.activity.title}"


def _lines(
    registration: Registration,
    deliberation: Deliberation,
    blocs: list[Activity],
    conflicts: list[GridConflict] | None = None,
) -> list[Line]:
    entries: dict[tuple[int, int | None], GridEntry] = {}
    if deliberation.pk is not None:
        for entry in GridEntry.objects.filter(deliberation=deliberation).select_related(
            "updated_by"
        ):
            entries[(entry.activity_id, entry.competence_id)] = entry
    covered: set[int] = set()
    if registration.dossier_id:
        covered = set(
            Situation.competences.through.objects.filter(
                situation__dossier_id=registration.dossier_id, situation__included=True
            ).values_list("competence_id", flat=True)
        )
    by_key = {c.change.key: c for c in conflicts or []}
    lines = []
    for activity in blocs:
        key = f"a{activity.pk}"
        lines.append(
            Line(key, activity, None, entries.get((activity.pk, None)), conflict=by_key.get(key))
        )
        for competence in activity.competences.all():
            key = f"c{competence.pk}"
            lines.append(
                Line(
                    key,
                    activity,
                    competence,
                    entries.get((activity.pk, competence.pk)),
                    covered=competence.pk in covered,
                    conflict=by_key.get(key),
                )
            )
    for line in lines:
        if line.conflict is not None:
            line.entry = line.conflict.entry
    return lines


def _page(
    http: HttpRequest,
    registration: Registration,
    *,
    conflicts: list[GridConflict] | None = None,
    decision: dict[str, str] | None = None,
    note_text: str | None = None,
    unsent: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(http)
    seat = permissions.seat(user, registration.session)
    deliberation = services.deliberation_of(registration)
    blocs = services.blocs_to_assess(registration)
    draft = deliberation.status == Deliberation.Status.DRAFT
    members = list(JuryMember.objects.filter(session=registration.session).select_related("user"))
    votes: list[BlocVote] = (
        list(BlocVote.objects.filter(deliberation=deliberation)) if deliberation.pk else []
    )
    mine = {v.activity_id: v.validated for v in votes if v.member_id == user.pk}
    voted = {
        m.user_id: sum(
            1 for v in votes if v.member_id == m.user_id and v.activity_id in {a.pk for a in blocs}
        )
        for m in members
    }
    signatures = (
        {s.member_id: s for s in deliberation.signatures.all()} if deliberation.pk else {}  # type: ignore[attr-defined]
    )
    # Who signs: the members who deliberated, fixed with the decision.
    signers = [] if draft else services.panel(deliberation)
    signer = any(m.user_id == user.pk for m in signers)
    is_president = bool(seat and seat.is_president)
    tallies: list[services.BlocTally] = []
    preview = ""
    if is_president and draft:
        tallies, preview = services.tally_preview(registration)
    # Why this jury may not decide (D. 6412-6), shown next to the decision form.
    blockers = services.decision_blockers(registration) if draft else []
    decision = decision or {
        "mode": "votes",
        # After a decision taken back, the president's text is still there.
        "competences_to_prove": deliberation.competences_to_prove
        or services.competences_prefill(deliberation),
        "reasons": deliberation.reasons,
    }
    note = services.note_of(registration, user) if seat else None
    results = (
        list(deliberation.results.select_related("activity")) if deliberation.pk else []  # type: ignore[attr-defined]
    )
    context: dict[str, Any] = {
        "registration": registration,
        "session": registration.session,
        "deliberation": deliberation,
        "seat": seat,
        "is_president": is_president,
        "staff": permissions.is_staff(user),
        "draft": draft,
        "held": services.session_held(registration),
        "can_edit": bool(seat and draft),
        "lines": _lines(registration, deliberation, blocs, conflicts),
        "conflicts": conflicts or [],
        "assessments": Assessment.choices,
        "earlier": sorted(
            services.earlier_acquired(registration).values(), key=lambda b: b.bloc_code
        ),
        "blocs": [{"activity": a, "mine": mine.get(a.pk)} for a in blocs],
        "members": [
            {
                "member": m,
                "voted": voted[m.user_id],
                "complete": voted[m.user_id] == len(blocs),
                "signature": signatures.get(m.user_id),
            }
            for m in members
        ],
        "signers": [{"member": m, "signature": signatures.get(m.user_id)} for m in signers],
        "can_sign": bool(
            seat and signer and deliberation.status == Deliberation.Status.DELIBERATED
        ),
        "late": bool(seat and signers and not signer),
        "can_reopen": bool(
            is_president
            and deliberation.status == Deliberation.Status.DELIBERATED
            and not signatures
        ),
        "blockers": blockers,
        "bloc_count": len(blocs),
        "my_signature": signatures.get(user.pk),
        "tallies": tallies,
        "preview": preview,
        "preview_label": Outcome(preview).label if preview in Outcome.values else "",
        "decision": decision,
        "note": note_text if note_text is not None else (note.text if note else ""),
        "unsent": unsent or [],
        "results": results,
    }
    return render(http, "jury/candidate.html", context, status=status)


@login_required
@require_GET
def candidate(http: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(http, pk)
    _record(http, registration, "jury_candidate", "Page du candidat pour le jury")
    return _page(http, registration)


def _record(http: HttpRequest, registration: Registration, what: str, label: str) -> None:
    record_read(
        _user(http),
        case=registration.case,
        dossier_id=registration.dossier_id,
        what=what,
        label=label,
        object_id=registration.pk,
        path=http.path,
    )


def _version(raw: str | None) -> int:
    try:
        return max(int(raw or "0"), 0)
    except ValueError:
        return 0


@login_required
@require_POST
def grid_save(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    changes = []
    for activity in services.blocs_to_assess(registration):
        keys = [(f"a{activity.pk}", None)] + [
            (f"c{c.pk}", c.pk) for c in activity.competences.all()
        ]
        for key, competence_id in keys:
            if f"{key}-assessment" not in http.POST and f"{key}-observation" not in http.POST:
                continue
            changes.append(
                GridChange(
                    activity_id=activity.pk,
                    competence_id=competence_id,
                    assessment=http.POST.get(f"{key}-assessment", ""),
                    observation=http.POST.get(f"{key}-observation", ""),
                    version=_version(http.POST.get(f"{key}-version")),
                    loaded=http.POST.get(f"{key}-loaded", "")[:64],
                )
            )
    try:
        result = services.grid_save(registration=registration, by=_user(http), changes=changes)
    except ActionRefused as exc:
        # Frozen meanwhile, too long…: the member's text is given back, never dropped.
        messages.error(http, exc.message)
        unsent = [(c.key, c.observation) for c in changes if c.observation.strip()]
        if unsent:
            return _page(http, registration, unsent=unsent, status=400)
        return redirect("jury:candidate", registration.pk)
    if result.conflicts:
        count = len(result.conflicts)
        saved = (
            f" Vos autres modifications sont enregistrées ({result.saved} ligne"
            f"{'s' if result.saved > 1 else ''})."
            if result.saved
            else ""
        )
        plural = "s" if count > 1 else ""
        messages.warning(
            http,
            f"{count} ligne{plural} de la grille {'ont' if plural else 'a'} été modifiée{plural} "
            "par un autre membre pendant que vous la remplissiez : rien n'y a été écrasé. "
            "Comparez avec votre texte, conservé ci-dessous, puis enregistrez de nouveau." + saved,
        )
        return _page(http, registration, conflicts=result.conflicts)
    messages.success(http, "Grille enregistrée.")
    return redirect("jury:candidate", registration.pk)


@login_required
@require_POST
def notes_save(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    text = http.POST.get("text", "")
    if not _act(
        http,
        lambda: services.note_save(registration=registration, by=_user(http), text=text),
        "Vos notes de préparation sont enregistrées.",
    ):
        return _page(http, registration, note_text=text, status=400)
    return redirect("jury:candidate", registration.pk)


@login_required
@require_POST
def vote(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    choices = {}
    for activity in services.blocs_to_assess(registration):
        value = http.POST.get(f"vote-{activity.pk}")
        if value in ("oui", "non"):
            choices[activity.pk] = value == "oui"
    _act(
        http,
        lambda: services.votes_save(registration=registration, by=_user(http), choices=choices),
        "Votre vote est enregistré.",
    )
    return redirect("jury:candidate", registration.pk)


@login_required
@require_POST
def deliberate(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    decision = {
        "mode": http.POST.get("mode", ""),
        "competences_to_prove": http.POST.get("competences_to_prove", ""),
        "reasons": http.POST.get("reasons", ""),
    }
    try:
        deliberation = services.deliberation_decide(
            registration=registration, by=_user(http), **decision
        )
    except ActionRefused as exc:
        messages.error(http, exc.message)
        # The president's text is kept on the page, nothing to type again.
        return _page(http, registration, decision=decision, status=400)
    messages.success(
        http,
        f"Décision enregistrée : {deliberation.get_outcome_display()}. Chaque membre du jury "
        "confirme maintenant le procès-verbal.",
    )
    return redirect("jury:candidate", registration.pk)


@login_required
@require_POST
def reopen(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    _act(
        http,
        lambda: services.deliberation_reopen(registration=registration, by=_user(http)),
        "La décision est reprise : la délibération est de nouveau en préparation. Corrigez-la "
        "puis prononcez-la de nouveau.",
    )
    return redirect("jury:candidate", registration.pk)


@login_required
@require_POST
def sign(http: HttpRequest, pk: int) -> HttpResponse:
    registration, _ = _member(http, pk)
    try:
        deliberation = services.deliberation_sign(registration=registration, by=_user(http))
    except services.AlreadySigned as exc:
        messages.info(http, exc.message)
        return redirect("jury:candidate", registration.pk)
    except ActionRefused as exc:
        messages.error(http, exc.message)
        return redirect("jury:candidate", registration.pk)
    if deliberation.status == Deliberation.Status.NOTIFIED:
        messages.success(
            http,
            "Votre confirmation est enregistrée. Tout le jury a signé : le procès-verbal et la "
            "lettre de résultat sont produits, le candidat est informé.",
        )
    else:
        messages.success(http, "Votre confirmation du procès-verbal est enregistrée.")
    return redirect("jury:candidate", registration.pk)


@login_required
@require_GET
def bundle(http: HttpRequest, pk: int) -> FileResponse:
    registration = _registration(http, pk)
    if not registration.bundle:
        raise Http404("Le dossier transmis est introuvable.")
    name = registration.case.candidate.last_name or "candidat"
    response = stored_file(registration.bundle, f"livret2-{name}.pdf", "application/pdf")
    _record(http, registration, "bundle", "Dossier transmis au jury (PDF)")
    return response


@login_required
@require_GET
def minutes(http: HttpRequest, pk: int) -> FileResponse:
    registration = _registration(http, pk)
    deliberation = Deliberation.objects.filter(registration=registration).first()
    if deliberation is None or not deliberation.minutes:
        raise Http404("Le procès-verbal n'est pas encore produit.")
    response = stored_file(
        deliberation.minutes, f"proces-verbal-{deliberation.pk}.pdf", "application/pdf"
    )
    _record(http, registration, "minutes", "Procès-verbal du jury (PDF)")
    return response


# --- The candidate's results -------------------------------------------------------------------


def _deliberation(http: HttpRequest, pk: int) -> Deliberation:
    found = (
        Deliberation.objects.select_related(
            "registration__case__candidate", "registration__session"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("Décision introuvable.")
    return found


@login_required
@require_GET
def results(http: HttpRequest) -> HttpResponse:
    user = _user(http)
    if user.role != Role.CANDIDATE:
        raise Http404("Page réservée aux candidats.")
    decisions = list(
        Deliberation.objects.filter(
            registration__case__candidate=user, status=Deliberation.Status.NOTIFIED
        )
        .select_related(
            "registration__session", "registration__case__referentiel_version__certification"
        )
        .order_by("-notified_at", "-pk")
    )
    attempts = []
    seen: set[int] = set()
    for decision in decisions:  # the newest decision of each case
        case = decision.registration.case
        if case.pk in seen:
            continue
        seen.add(case.pk)
        if decision.outcome in (Outcome.PARTIAL, Outcome.NONE):
            attempts.append(
                {"decision": decision, "refusal": services.new_attempt_refusal(case) or ""}
            )
    return render(
        http,
        "jury/results.html",
        {
            "decisions": decisions,
            "acquired_blocs": services.acquired_blocs(user),
            "attempts": attempts,
        },
    )


@login_required
@require_GET
def result_letter(http: HttpRequest, pk: int) -> FileResponse:
    deliberation = _deliberation(http, pk)
    if not permissions.can_read_result(_user(http), deliberation):
        raise Http404("Décision introuvable.")
    response = stored_file(
        deliberation.result_letter, f"decision-du-jury-{deliberation.pk}.pdf", "application/pdf"
    )
    _record(http, deliberation.registration, "result_letter", "Lettre de décision du jury (PDF)")
    return response


@login_required
@require_POST
def new_attempt(http: HttpRequest, pk: int) -> HttpResponse:
    deliberation = _deliberation(http, pk)
    if not permissions.is_candidate(_user(http), deliberation):
        raise Http404("Décision introuvable.")
    try:
        dossier = services.new_attempt(case=deliberation.registration.case, by=_user(http))
    except ActionRefused as exc:
        messages.error(http, exc.message)
        return redirect("jury:results")
    messages.success(
        http,
        f"Votre nouvelle tentative est ouverte (Livret 2, tentative {dossier.attempt}) : elle ne "
        "porte que sur les blocs qui vous restent à valider.",
    )
    return redirect("dossiers:overview", dossier.pk)
