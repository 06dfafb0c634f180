"""Coaching pages: the candidate's declaration, the staff's assignment, the coach's candidates
and the review of a Livret 2 with its comment threads. Thin views, permission-checked per object:
those without access get a 404."""

from collections import defaultdict
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vaecos.accounts.models import Role, User
from vaecos.audit.services import record_read
from vaecos.cases.models import WITH_ORGANISATION, Coaching, VaeCase, assignment_order
from vaecos.coaching import permissions, services
from vaecos.coaching.models import Comment, CommentThread
from vaecos.coaching.sections import (
    FIXED_SECTIONS,
    GENERAL,
    anchor,
    section_label,
    situation_key,
)
from vaecos.documents.livret2 import livret2_data
from vaecos.dossiers.models import Attachment, Dossier, DossierStatus
from vaecos.utils.errors import ActionRefused
from vaecos.www.coaching import forms
from vaecos.www.downloads import stored_file
from vaecos.www.pagination import window

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(request: HttpRequest, exc: ActionRefused, then: str) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(then)


def _refused_comment(
    request: HttpRequest, exc: ActionRefused, dossier: Dossier, body: str
) -> HttpResponse:
    """A refused comment (the dossier was transmitted meanwhile…): the page says why and gives
    the text back, never drops it."""
    messages.error(request, exc.message)
    return _review(request, dossier, status=409, unsent=body)


# --- The candidate's declaration -------------------------------------------------------------


def _own_case(request: HttpRequest, case_pk: int) -> VaeCase:
    case = (
        VaeCase.objects.select_related(
            "candidate", "coach", "coaching_organisation", "referentiel_version__certification"
        )
        .filter(pk=case_pk)
        .first()
    )
    if case is None or not permissions.is_owner(_user(request), case):
        raise Http404("Parcours introuvable.")
    return case


@login_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _own_case(request, case_pk)
    organisations = services.other_organisations()
    latest = case.dossiers.order_by("-attempt").first()  # type: ignore[attr-defined]
    locked = latest is not None and latest.status == DossierStatus.TRANSMITTED
    initial = {"coaching": case.coaching or None, "organisation": case.coaching_organisation_id}
    form = forms.DeclarationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.coaching_declare(
                case=case,
                coaching=form.cleaned_data["coaching"],
                organisation=form.cleaned_data["organisation"],
                by=_user(request),
            )
        except ActionRefused as exc:
            return _refused(request, exc, reverse("coaching:declare", args=[case.pk]))
        messages.success(request, "Votre accompagnement est enregistré.")
        return redirect("www:home")
    return render(
        request,
        "coaching/declare.html",
        {
            "case": case,
            "form": form,
            "locked": locked,
            "institut_configured": services.institut_410() is not None,
        },
        status=400 if form.errors else 200,
    )


# --- The staff: who coaches whom --------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.is_staff(user):
        raise Http404("Page introuvable.")
    return user


@login_required
@require_GET
def assignments(request: HttpRequest) -> HttpResponse:
    _staff(request)
    # In the order of its index; the pages are not counted (vaecos/www/pagination.py).
    rows = (
        VaeCase.objects.filter(coaching__in=WITH_ORGANISATION)
        .select_related("candidate", "coach", "coaching_organisation")
        .order_by(*assignment_order())
    )
    page = window(rows, request.GET.get("page"), PAGE_SIZE)
    return render(request, "coaching/assignments.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, case_pk: int) -> HttpResponse:
    user = _staff(request)
    case = get_object_or_404(
        VaeCase.objects.select_related("candidate", "coach", "coaching_organisation"),
        pk=case_pk,
    )
    eligible = services.eligible_coaches(case)
    # Any coach is accepted by the form, so that the service says why one does not fit.
    form = forms.AssignForm(
        request.POST if request.method == "POST" else None,
        coaches=User.objects.filter(role=Role.COACH),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.coach_assign(case=case, coach=form.cleaned_data["coach"], by=user)
        except ActionRefused as exc:
            return _refused(request, exc, reverse("coaching:assign", args=[case.pk]))
        messages.success(
            request,
            f"{form.cleaned_data['coach'].display_name} accompagne désormais "
            f"{case.candidate.display_name} ; tous deux sont prévenus par courriel.",
        )
        return redirect("coaching:assignments")
    return render(
        request,
        "coaching/assign.html",
        {
            "case": case,
            "form": form,
            "eligible": list(eligible),
            "selected": str(form["coach"].value() or ""),
            "assignable": case.coaching in (Coaching.INSTITUT_410, Coaching.OTHER),
        },
        status=400 if form.errors else 200,
    )


# --- The coach's candidates -------------------------------------------------------------------


@login_required
@require_GET
def coached(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role != Role.COACH:
        raise Http404("Page introuvable.")
    latest_first = Dossier.objects.order_by("-attempt").annotate(
        open_threads=Count("comment_threads", filter=Q(comment_threads__resolved_at__isnull=True))
    )
    cases = (
        VaeCase.objects.filter(coach=user)
        .select_related("candidate", "branch")
        .prefetch_related(Prefetch("dossiers", queryset=latest_first))
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )
    items = [{"case": case, "dossier": next(iter(case.dossiers.all()), None)} for case in cases]  # type: ignore[attr-defined]
    return render(request, "coaching/coached.html", {"items": items})


# --- The review of a Livret 2 -----------------------------------------------------------------


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            "case__candidate",
            "case__coach",
            "case__referentiel_version__certification",
            "branch",
        )
        .filter(pk=pk)
        .first()
    )
    if dossier is None or not permissions.can_review(_user(request), dossier):
        raise Http404("Dossier introuvable.")
    return dossier


def _thread(request: HttpRequest, thread_pk: int) -> CommentThread:
    thread = CommentThread.objects.select_related("dossier__case").filter(pk=thread_pk).first()
    if thread is None or not permissions.can_review(_user(request), thread.dossier):
        raise Http404("Commentaire introuvable.")
    return thread


def _review_url(dossier: Dossier, section: str | None = None, thread_pk: int | None = None) -> str:
    url = reverse("coaching:review", args=[dossier.pk])
    if thread_pk is not None:
        return f"{url}#fil-{thread_pk}"
    if section is not None:
        return f"{url}#{anchor(section)}"
    return url


def _review(
    request: HttpRequest,
    dossier: Dossier,
    *,
    status: int = 200,
    open_errors: dict[str, tuple[str, list[str]]] | None = None,
    reply_errors: dict[int, tuple[str, list[str]]] | None = None,
    reason_form: forms.ReasonForm | None = None,
    unsent: str = "",
) -> HttpResponse:
    """The review page; a form posted with errors comes back bound, its text kept (`unsent`:
    the text of a comment the platform refused, shown so that it is not lost)."""
    user = _user(request)
    open_errors = open_errors or {}
    reply_errors = reply_errors or {}
    data = livret2_data(dossier)
    commentable = dossier.status != DossierStatus.TRANSMITTED
    threads = (
        dossier.comment_threads.select_related("opened_by", "resolved_by")  # type: ignore[attr-defined]
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.select_related("author")))
        .order_by("opened_at", "pk")
    )
    by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
    situation_keys = {situation_key(s["id"]) for a in data["activities"] for s in a["situations"]}
    for thread in threads:
        value, errors = reply_errors.get(thread.pk, ("", []))
        key = thread.section
        if key not in FIXED_SECTIONS and key not in situation_keys:
            key = GENERAL  # a situation no longer retained: its threads stay visible
        by_section[key].append({"thread": thread, "reply_value": value, "reply_errors": errors})

    def section(key: str, label: str, **extra: Any) -> dict[str, Any]:
        value, errors = open_errors.get(key, ("", []))
        items = by_section.get(key, [])
        return {
            "key": key,
            "label": label,
            "anchor": anchor(key),
            "threads": items,
            "open_count": sum(1 for i in items if not i["thread"].is_resolved),
            "open_value": value,
            "open_errors": errors,
            **extra,
        }

    activities = [
        {
            **activity,
            "sections": [
                section(
                    situation_key(s["id"]),
                    f"Activité {activity['roman']} — {s['heading']}",
                    situation=s,
                )
                for s in activity["situations"]
            ],
        }
        for activity in data["activities"]
    ]
    sections = {key: section(key, label) for key, label in FIXED_SECTIONS.items()}
    summary = [
        sections["header"],
        sections["motivation"],
        sections["context"],
        *(s for a in activities for s in a["sections"]),
        sections["attachments"],
        sections["general"],
    ]
    is_coach = permissions.is_coach_of(user, dossier.case)
    final = dossier.status == DossierStatus.FINAL
    return render(
        request,
        "coaching/review.html",
        {
            "dossier": dossier,
            "unsent": unsent,
            "data": data,
            "sections": sections,
            "activities": activities,
            "summary": summary,
            "open_total": sum(s["open_count"] for s in summary),
            "is_owner": permissions.is_owner(user, dossier.case),
            "is_coach": is_coach,
            "is_staff": permissions.is_staff(user),
            "can_open": is_coach and commentable,
            "can_reply": permissions.can_reply(user, dossier) and commentable,
            "can_resolve": permissions.can_resolve(user, dossier),
            "can_request_reopening": is_coach and final,
            "can_reopen": permissions.can_reopen(user) and final,
            "finalized_at": services.finalized_at(dossier),
            "reason_form": reason_form or forms.ReasonForm(auto_id="reouverture-%s"),
        },
        status=status,
    )


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    record_read(
        _user(request),
        case=dossier.case,
        dossier=dossier,
        what="review",
        label="Livret 2 (relecture)",
        object_id=dossier.pk,
        path=request.path,
    )
    return _review(request, dossier)


@login_required
@require_POST
def thread_open(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    if not permissions.can_open_thread(_user(request), dossier):
        raise Http404("Dossier introuvable.")
    section = request.POST.get("section", "")[:40]
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        if section_label(dossier, section) is not None:
            value = request.POST.get("body", "")
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return _review(request, dossier, status=400, open_errors={section: (value, errors)})
        messages.error(request, "Écrivez votre commentaire avant de l'envoyer.")
        return redirect(_review_url(dossier))
    try:
        thread = services.thread_open(
            dossier=dossier, section=section, body=form.cleaned_data["body"], by=_user(request)
        )
    except ActionRefused as exc:
        if section_label(dossier, section) is None:  # not a part of this dossier: a forged post
            return _refused(request, exc, _review_url(dossier))
        return _refused_comment(request, exc, dossier, form.cleaned_data["body"])
    messages.success(request, "Votre commentaire est publié : le candidat est prévenu.")
    return redirect(_review_url(dossier, thread_pk=thread.pk))


@login_required
@require_POST
def thread_reply(request: HttpRequest, thread_pk: int) -> HttpResponse:
    thread = _thread(request, thread_pk)
    dossier = _dossier(request, thread.dossier_id)
    if not permissions.can_reply(_user(request), dossier):
        raise Http404("Commentaire introuvable.")
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        value = request.POST.get("body", "")
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _review(request, dossier, status=400, reply_errors={thread.pk: (value, errors)})
    try:
        services.thread_reply(thread=thread, body=form.cleaned_data["body"], by=_user(request))
    except ActionRefused as exc:
        return _refused_comment(request, exc, dossier, form.cleaned_data["body"])
    messages.success(request, "Votre réponse est publiée.")
    return redirect(_review_url(dossier, thread_pk=thread.pk))


@login_required
@require_POST
def thread_resolve(request: HttpRequest, thread_pk: int) -> HttpResponse:
    thread = _thread(request, thread_pk)
    if not permissions.can_resolve(_user(request), thread.dossier):
        raise Http404("Commentaire introuvable.")
    try:
        services.thread_resolve(thread=thread, by=_user(request))
    except ActionRefused as exc:
        return _refused(request, exc, _review_url(thread.dossier, thread_pk=thread.pk))
    messages.success(request, "Commentaire marqué comme traité : votre accompagnateur est prévenu.")
    return redirect(_review_url(thread.dossier, thread_pk=thread.pk))


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    dossier = _dossier(request, pk)
    item = get_object_or_404(Attachment, dossier=dossier, pk=attachment_pk)
    response = stored_file(item.file, item.original_name, item.content_type)
    record_read(
        _user(request),
        case=dossier.case,
        dossier=dossier,
        what="attachment",
        label=f"Pièce jointe « {item.original_name} »",
        object_id=item.pk,
        path=request.path,
    )
    return response


@login_required
@require_POST
def reopen_request(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    if not permissions.can_request_reopening(_user(request), dossier):
        raise Http404("Dossier introuvable.")
    form = forms.ReasonForm(request.POST, auto_id="reouverture-%s")
    if not form.is_valid():
        if dossier.status != DossierStatus.FINAL:
            messages.error(request, "Seul un dossier finalisé peut être rouvert.")
            return redirect(_review_url(dossier))
        return _review(request, dossier, status=400, reason_form=form)
    try:
        thread = services.dossier_reopen_request(
            dossier=dossier, reason=form.cleaned_data["reason"], by=_user(request)
        )
    except ActionRefused as exc:
        return _refused(request, exc, _review_url(dossier))
    messages.success(
        request, "Votre demande de réouverture est envoyée aux instructeurs de l'Ucanss."
    )
    return redirect(_review_url(dossier, thread_pk=thread.pk))
