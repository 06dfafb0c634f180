"""Sessions, registrations, transmission, jury and convocations. Views stay thin: they check who
may do what (404 for anyone else), call the domain, and turn a refusal into a French message."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vaecos.accounts.models import User
from vaecos.admissibility.validity import refusal as admissibility_refusal
from vaecos.audit.services import record_read
from vaecos.cases.models import VaeCase
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.evaluation import composition, convocation, registrations, sessions, transmission
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration
from vaecos.evaluation.permissions import (
    can_view_registration,
    is_staff,
    may_transmit,
    owns_case,
    transmits_for,
)
from vaecos.utils.errors import ActionRefused
from vaecos.www.actions import act as _act
from vaecos.www.downloads import stored_file
from vaecos.www.evaluation import forms
from vaecos.www.evaluation.pages import registrations_counted, upcoming_and_past


def _user(http: HttpRequest) -> User:
    return cast(User, http.user)


def _staff(http: HttpRequest) -> None:
    if not is_staff(_user(http)):
        raise Http404("Page introuvable.")


def _jury() -> Prefetch:
    # Ordered without the model's default order, which joins the sessions to sort by theirs:
    # composition.members() sorts them.
    return Prefetch(
        "jury",
        queryset=JuryMember.objects.select_related("user__organisation").order_by("pk"),
    )


def _session(http: HttpRequest, pk: int) -> EvaluationSession:
    _staff(http)
    found = (
        registrations.with_counts(EvaluationSession.objects.filter(pk=pk))
        .select_related("referentiel_version__certification", "branch")
        .prefetch_related(_jury())
        .first()
    )
    if found is None:
        raise Http404("Session introuvable.")
    return found


def _registration(http: HttpRequest, pk: int) -> Registration:
    found = (
        Registration.objects.select_related(
            "case__candidate", "session__referentiel_version__certification"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not can_view_registration(_user(http), found):
        raise Http404("Inscription introuvable.")
    return found


# --- Staff: sessions -----------------------------------------------------------------------------


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [
        {
            "session": s,
            "registered": registrations.registered_count(s),
            "report": composition.composition_report(s, with_conflicts=False),
            "members": len(s.jury.all()),
        }
        for s in queryset
    ]


@login_required
@require_GET
def session_list(http: HttpRequest) -> HttpResponse:
    """Upcoming sessions, soonest first, and past ones, latest first: each by pages."""
    _staff(http)
    base = (
        EvaluationSession.objects.annotate(registered_count=registrations_counted())
        .select_related("referentiel_version__certification", "branch")
        # The version's Livret 2 rules (JSON) are not shown: not read and decoded per row.
        .defer("referentiel_version__template_rules")
        .prefetch_related(_jury())
    )
    pages = upcoming_and_past(base, http.GET)
    return render(
        http,
        "evaluation/session_list.html",
        {
            "upcoming": _rows(pages.upcoming),
            "upcoming_page": pages.upcoming,
            "upcoming_query": pages.upcoming_query,
            "past": _rows(pages.past),
            "past_page": pages.past,
            "past_query": pages.past_query,
        },
    )


def _updated_message(updated: sessions.SessionUpdated) -> str:
    count = len(updated.reconvened)
    if not count:
        return "Session modifiée."
    plural = "s" if count > 1 else ""
    return (
        f"Session modifiée : {count} candidat{plural} convoqué{plural} reçoi"
        f"{'vent' if count > 1 else 't'} la nouvelle convocation par courriel."
    )


def _session_form(http: HttpRequest, instance: EvaluationSession | None) -> HttpResponse:
    # The form writes the values typed into the instance: keep the date the session still has.
    current_date = instance.date if instance is not None else None
    form = forms.SessionForm(http.POST or None, instance=instance)
    if http.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        try:
            if instance is None:
                sessions.session_create(session=session, by=_user(http))
                done = "Session créée."
            else:
                done = _updated_message(sessions.session_update(session=session, by=_user(http)))
        except ActionRefused as exc:
            messages.error(http, exc.message)
        else:
            messages.success(http, done)
            return redirect("evaluation:detail", session.pk)
    return render(
        http,
        "evaluation/session_form.html",
        {"form": form, "session": instance, "current_date": current_date},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(http: HttpRequest) -> HttpResponse:
    _staff(http)
    return _session_form(http, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(http: HttpRequest, session_pk: int) -> HttpResponse:
    return _session_form(http, _session(http, session_pk))


# Candidates found by one search on the session's page: their rules are checked one by one.
SEARCH_MATCHES = 20


def _search(session: EvaluationSession, query: str, today: Any) -> dict[str, Any]:
    """The cases of the session's certification whose candidate's name contains `query`, each
    with why it may not be registered today (empty: it may). A search, not a list of every
    eligible case: at a national scale that list would check the rules of thousands."""
    matches = list(
        VaeCase.objects.filter(referentiel_version_id=session.referentiel_version_id)
        .filter(
            Q(candidate__last_name__icontains=query) | Q(candidate__first_name__icontains=query)
        )
        .exclude(registrations__session=session)
        .select_related("candidate__organisation", "branch", "referentiel_version")
        .order_by("candidate__last_name", "candidate__first_name", "pk")[: SEARCH_MATCHES + 1]
    )
    checked = [
        (case, registrations.registration_refusals(case, session, today=today))
        for case in matches[:SEARCH_MATCHES]
    ]
    eligible = [case for case, reasons in checked if not reasons]
    return {
        "form": forms.RegisterCaseForm(cases=eligible) if eligible else None,
        "refused": [(case, reasons[0]) for case, reasons in checked if reasons],
        "found": len(checked),
        "more": len(matches) > SEARCH_MATCHES,
    }


@login_required
@require_GET
def session_detail(http: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    today = timezone.localdate()
    rows = session.registrations.select_related(  # type: ignore[attr-defined]
        "case__candidate", "case__branch", "case__coach"
    ).order_by("case__candidate__last_name", "case__candidate__first_name", "pk")
    registered = registrations.registered_count(session)
    open_ = registrations.is_open(session, today)
    query = http.GET.get("candidat", "").replace("\x00", "").strip()[:100]
    search = _search(session, query, today) if query and open_ else None
    return render(
        http,
        "evaluation/session_detail.html",
        {
            "session": session,
            "registrations": list(rows),
            "registered": registered,
            "members": composition.members(session),
            "report": composition.composition_report(session, today=today),
            "member_form": forms.MemberAddForm(session=session),
            "query": query,
            "search": search,
            "full": registered >= session.capacity,
            "latest": registrations.latest_transmission(session),
            "open": open_,
            "past": session.date < today,
        },
    )


@login_required
@require_POST
def session_delete(http: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    if _act(
        http,
        lambda: sessions.session_delete(session=session, by=_user(http)),
        f"La session du {session.date:%d/%m/%Y} est supprimée.",
    ):
        return redirect("evaluation:list")
    return redirect("evaluation:detail", session.pk)


@login_required
@require_POST
def register_case(http: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    # Any case of the session's certification: the service checks every rule and says why
    # one may not be registered.
    form = forms.RegisterCaseForm(
        http.POST,
        cases=VaeCase.objects.filter(referentiel_version_id=session.referentiel_version_id),
    )
    if not form.is_valid():
        messages.error(
            http, "Choisissez un candidat parmi ceux qui peuvent être inscrits à cette session."
        )
    else:
        case = form.cleaned_data["case"]
        _act(
            http,
            lambda: registrations.register(case=case, session=session, by=_user(http)),
            f"{case.candidate.display_name} est inscrit(e) à la session.",
        )
    return redirect("evaluation:detail", session.pk)


@login_required
@require_POST
def convene_session(http: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    done: list[Registration] = []

    def action() -> None:
        done.extend(convocation.convene_session(session=session, by=_user(http)))

    try:
        action()
    except ActionRefused as exc:
        messages.error(http, exc.message)
    else:
        count = len(done)
        messages.success(
            http,
            f"{count} candidat{'s' if count > 1 else ''} convoqué{'s' if count > 1 else ''} : "
            "la convocation leur est envoyée par courriel.",
        )
    return redirect("evaluation:detail", session.pk)


# --- Staff: the jury -----------------------------------------------------------------------------


def _member(session: EvaluationSession, member_pk: int) -> JuryMember:
    found = (
        JuryMember.objects.select_related("user", "session")
        .filter(pk=member_pk, session=session)
        .first()
    )
    if found is None:
        raise Http404("Membre introuvable.")
    return found


@login_required
@require_POST
def jury_add(http: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    form = forms.MemberAddForm(http.POST, session=session)
    if not form.is_valid():
        messages.error(
            http, "Choisissez un membre du jury qui ne siège pas déjà dans cette session."
        )
    else:
        user = form.cleaned_data["user"]
        _act(
            http,
            lambda: composition.member_add(
                session=session,
                user=user,
                by=_user(http),
                qualified=form.cleaned_data["qualified"],
                is_president=form.cleaned_data["is_president"],
            ),
            f"{user.display_name} fait partie du jury.",
        )
    return redirect("evaluation:detail", session.pk)


@login_required
@require_POST
def jury_update(http: HttpRequest, session_pk: int, member_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    member = _member(session, member_pk)
    _act(
        http,
        lambda: composition.member_update(
            member=member,
            by=_user(http),
            is_president=http.POST.get("is_president") == "on",
            qualified=http.POST.get("qualified") == "on",
        ),
        f"Le rôle de {member.user.display_name} est enregistré.",
    )
    return redirect("evaluation:detail", session.pk)


@login_required
@require_POST
def jury_remove(http: HttpRequest, session_pk: int, member_pk: int) -> HttpResponse:
    session = _session(http, session_pk)
    member = _member(session, member_pk)
    _act(
        http,
        lambda: composition.member_remove(member=member, by=_user(http)),
        f"{member.user.display_name} ne fait plus partie du jury.",
    )
    return redirect("evaluation:detail", session.pk)


# --- Registrations -------------------------------------------------------------------------------


@login_required
@require_GET
def mine(http: HttpRequest) -> HttpResponse:
    """The candidate's sessions: their registrations, and the sessions open to each case."""
    user = _user(http)
    if not user.is_candidate:
        raise Http404("Page réservée aux candidats.")
    today = timezone.localdate()
    items = []
    cases = VaeCase.objects.filter(candidate=user).select_related(
        "referentiel_version__certification", "branch"
    )
    for case in cases:
        rows = case.registrations.select_related("session__branch").order_by(  # type: ignore[attr-defined]
            "-session__date"
        )
        open_sessions = registrations.open_sessions(case, today=today)
        for session in open_sessions:
            session.closes_on = registrations.latest_transmission(session)  # type: ignore[attr-defined]
        items.append(
            {
                "case": case,
                "registrations": list(rows),
                "open": open_sessions,
                "admissibility": admissibility_refusal(case, today),
                "pending": registrations.pending_elsewhere(case, None, today),
                "closed": registrations.total_validation(case),
                "transmits_for": transmits_for(case, to_candidate=True),
            }
        )
    return render(http, "evaluation/mine.html", {"items": items, "today": today})


@login_required
@require_POST
def register(http: HttpRequest, case_pk: int, session_pk: int) -> HttpResponse:
    user = _user(http)
    case = VaeCase.objects.filter(pk=case_pk).first()
    if case is None or not owns_case(user, case):
        raise Http404("Parcours introuvable.")
    session = EvaluationSession.objects.filter(pk=session_pk).first()
    if session is None:
        raise Http404("Session introuvable.")
    _act(
        http,
        lambda: registrations.register(case=case, session=session, by=user),
        f"Vous êtes inscrit(e) à la session du {session.date:%d/%m/%Y}.",
    )
    return redirect("evaluation:mine")


@login_required
@require_POST
def withdraw(http: HttpRequest, registration_pk: int) -> HttpResponse:
    found = _registration(http, registration_pk)
    staff = is_staff(_user(http))
    _act(
        http,
        lambda: registrations.withdraw(registration=found, by=_user(http)),
        "L'inscription est retirée.",
    )
    if staff:
        return redirect("evaluation:detail", found.session_id)
    return redirect("evaluation:mine")


@login_required
@require_POST
def convene(http: HttpRequest, registration_pk: int) -> HttpResponse:
    _staff(http)
    found = _registration(http, registration_pk)
    _act(
        http,
        lambda: convocation.convene(registration=found, by=_user(http)),
        f"{found.case.candidate.display_name} est convoqué(e) : la convocation lui est envoyée "
        "par courriel.",
    )
    return redirect("evaluation:detail", found.session_id)


@login_required
@require_GET
def convocation_pdf(http: HttpRequest, registration_pk: int) -> FileResponse:
    found = _registration(http, registration_pk)
    if not found.convocation:
        raise Http404("Pas encore de convocation.")
    response = stored_file(
        found.convocation, f"convocation-{found.session.date:%Y-%m-%d}.pdf", "application/pdf"
    )
    record_read(
        _user(http),
        case=found.case,
        dossier_id=found.dossier_id,
        what="convocation",
        label="Convocation à la session d'évaluation",
        object_id=found.pk,
        path=http.path,
    )
    return response


@login_required
@require_GET
def bundle_pdf(http: HttpRequest, registration_pk: int) -> FileResponse:
    _staff(http)
    found = _registration(http, registration_pk)
    if not found.bundle:
        raise Http404("Le dossier n'a pas encore été transmis.")
    response = stored_file(found.bundle, f"dossier-transmis-{found.pk}.pdf", "application/pdf")
    record_read(
        _user(http),
        case=found.case,
        dossier_id=found.dossier_id,
        what="bundle",
        label="Dossier transmis au jury (PDF)",
        object_id=found.pk,
        path=http.path,
    )
    return response


# --- Transmission --------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@login_required
@require_http_methods(["GET", "POST"])
def transmit(http: HttpRequest, dossier_pk: int) -> HttpResponse:
    """The coach of an Institut 4.10 candidate, or staff for every other candidate, checks the
    conditions and transmits the final Livret 2 to a session's jury. Staff also see the page of
    an Institut 4.10 candidate who has no coach yet: it tells them to assign one."""
    user = _user(http)
    dossier = (
        Dossier.objects.select_related(
            "case__candidate",
            "case__coach",
            "case__branch",
            "case__referentiel_version__certification",
        )
        .filter(pk=dossier_pk)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable.")
    case = dossier.case
    allowed = may_transmit(user, case)
    awaits_coach = is_staff(user) and transmission.awaits_coach(case)
    if not allowed and not awaits_coach:
        raise Http404("Dossier introuvable.")
    today = timezone.localdate()
    choices = (
        registrations.matching_sessions(case)
        .filter(date__gt=today)
        .select_related("branch")
        .order_by("date", "start_time", "pk")
    )
    if http.method == "POST":
        form = forms.TransmitForm(http.POST, sessions=choices)
        if not form.is_valid():
            messages.error(http, "Choisissez la session à laquelle transmettre le dossier.")
            return redirect("evaluation:transmit", dossier.pk)
        session = form.cleaned_data["session"]
        if _act(
            http,
            lambda: transmission.transmit(dossier, session, user),
            f"Le dossier est transmis au jury de la session du {session.date:%d/%m/%Y} ; le "
            "candidat est prévenu par courriel.",
        ):
            return redirect("evaluation:transmit", dossier.pk)
        return redirect(f"{http.path}?session={session.pk}")
    # A dossier goes back to « finalisé » when its candidate was absent or excused: its earlier
    # transmission is then history, and it may be transmitted again.
    transmitted = (
        Registration.objects.filter(dossier=dossier, transmitted_at__isnull=False)
        .select_related("session")
        .order_by("-transmitted_at", "-pk")
        .first()
        if dossier.status == DossierStatus.TRANSMITTED
        else None
    )
    pending = registrations.pending_elsewhere(case, None, today)
    wanted = _int(http.GET.get("session"))
    chosen = choices.filter(pk=wanted).first() if wanted else None
    # Other sessions are worth offering only when the dossier itself is ready: when it is not
    # final, or not this user's to transmit, no other session would take it either.
    about_dossier = transmission.dossier_conditions(dossier, user)
    ready = transmitted is None and all(c.ok for c in about_dossier)
    nexts = transmission.next_sessions(case, today) if ready else []
    if chosen is None and pending is not None and pending.transmitted_at is None:
        chosen = choices.filter(pk=pending.session_id).first()
    if chosen is None and wanted is None and nexts:
        chosen = nexts[0]
    about_session = transmission.session_conditions(dossier, chosen, today=today)
    conditions = about_dossier + about_session
    record_read(
        user,
        case=case,
        dossier=dossier,
        what="transmission",
        label="Livret 2 (page de transmission au jury)",
        object_id=dossier.pk,
        path=http.path,
    )
    return render(
        http,
        "evaluation/transmit.html",
        {
            "dossier": dossier,
            "case": case,
            "transmitted": transmitted,
            "chosen": chosen,
            "conditions": conditions,
            "all_ok": chosen is not None and all(c.ok for c in conditions),
            "form": forms.TransmitForm(
                initial={"session": chosen.pk if chosen else None}, sessions=choices
            ),
            "has_choices": choices.exists(),
            "offer_next": ready and (chosen is None or not all(c.ok for c in about_session)),
            "next_sessions": nexts,
            "may_transmit": allowed,
            "awaits_coach": awaits_coach,
            "staff": is_staff(user),
        },
    )
