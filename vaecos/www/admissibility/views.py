"""The admissibility request: the candidate fills and submits it, the instructeur instructs it."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vaecos.accounts.models import Role, User
from vaecos.admissibility import permissions, services
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    Experience,
    Letter,
    Status,
    SupportingDocument,
    SupportingKind,
)
from vaecos.admissibility.prechecks import precheck
from vaecos.admissibility.queue import QueueFilters, queue_requests
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.audit.services import record_read
from vaecos.cases.models import VaeCase
from vaecos.deadlines import AT_RISK_DAYS, days_left
from vaecos.deadlines import status as deadline_status
from vaecos.dossiers.uploads import clean_name
from vaecos.referentiels.models import Branch
from vaecos.retention.models import Rule
from vaecos.utils.errors import ActionRefused
from vaecos.www.actions import act as _act
from vaecos.www.admissibility import forms
from vaecos.www.downloads import stored_file
from vaecos.www.pagination import other_parameters, window

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _request(http: HttpRequest, pk: int) -> AdmissibilityRequest:
    found = (
        AdmissibilityRequest.objects.select_related(
            "case__candidate", "case__branch", "case__referentiel_version__certification"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not permissions.can_view(_user(http), found):
        raise Http404("Demande introuvable.")
    return found


def _editable(http: HttpRequest, pk: int) -> AdmissibilityRequest:
    found = _request(http, pk)
    if not permissions.can_edit(_user(http), found):
        raise Http404("Demande introuvable.")
    return found


def _instructed(http: HttpRequest, pk: int) -> AdmissibilityRequest:
    found = _request(http, pk)
    if not permissions.can_instruct(_user(http)):
        raise Http404("Demande introuvable.")
    return found


def _record(
    http: HttpRequest, found: AdmissibilityRequest, what: str, label: str, obj: Any
) -> None:
    record_read(
        _user(http),
        case=found.case,
        what=what,
        label=label,
        object_id=obj,
        path=http.path,
    )


def _context(found: AdmissibilityRequest, http: HttpRequest, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "req": found,
        "check": precheck(found, today),
        "experiences": found.experiences.prefetch_related("activities"),
        "letters": found.letters.all(),
        "documents": found.documents.all(),
        # Identity proofs deleted at the end of their retention period, shown in their place.
        "erased_documents": found.retention_deletions.filter(rule=Rule.IDENTITY),  # type: ignore[attr-defined]
        "document_kinds": forms.SupportingKindForm(),
        "gaps": found.gap_analysis.select_related("activity"),
        "editable": permissions.can_edit(_user(http), found),
        "is_owner": permissions.is_owner(_user(http), found),
        "instructor": permissions.can_instruct(_user(http)),
        "deadline_state": deadline_status(found.decision_due, today) if found.decision_due else "",
        **extra,
    }


# --- Candidate ---------------------------------------------------------------------------------


@login_required
@require_POST
def start(http: HttpRequest) -> HttpResponse:
    """Open the candidate's case for the CQP (if need be) and a draft request on it."""
    user = _user(http)
    if user.role != Role.CANDIDATE:
        raise Http404("Réservé aux candidats.")
    try:
        found, created, why = services.request_start(candidate=user)
    except ActionRefused as exc:
        messages.error(http, exc.message)
        return redirect("www:home")
    if why:
        messages.info(http, why)
    if not created:
        return redirect("admissibility:detail", found.pk)
    return redirect("admissibility:identity", found.pk)


@login_required
@require_GET
def detail(http: HttpRequest, pk: int) -> HttpResponse:
    found = _request(http, pk)
    _record(http, found, "admissibility_request", "Demande de recevabilité (Livret 1)", found.pk)
    return render(http, "admissibility/detail.html", _context(found, http))


def _request_form(
    http: HttpRequest, pk: int, form_class: Any, *, title: str, saved: str
) -> HttpResponse:
    """A rubrique of the request: read-only once submitted, written through the service."""
    found = _request(http, pk) if http.method == "GET" else _editable(http, pk)
    form = form_class(http.POST or None, instance=found)
    if not permissions.can_edit(_user(http), found):
        for field in form.fields.values():
            field.disabled = True
    if http.method == "POST" and form.is_valid():
        _act(
            http,
            lambda: services.request_update(
                request=found,
                values=form.cleaned_data,
                branch=form.cleaned_data.get("branch"),
                by=_user(http),
            ),
            saved,
        )
        return redirect("admissibility:detail", found.pk)
    if http.method == "GET":
        _record(
            http, found, "admissibility_request", f"Demande de recevabilité : {title}", found.pk
        )
    return render(
        http,
        "admissibility/form.html",
        _context(found, http, form=form, title=title),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def identity(http: HttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        http,
        pk,
        forms.IdentityForm,
        title="État civil, situation et formation",
        saved="Informations enregistrées.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def sworn(http: HttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        http,
        pk,
        forms.SwornForm,
        title="Déclaration sur l'honneur",
        saved="Déclaration enregistrée.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def experience(http: HttpRequest, pk: int, experience_pk: int | None = None) -> HttpResponse:
    found = _editable(http, pk)
    instance = (
        get_object_or_404(Experience, pk=experience_pk, request=found) if experience_pk else None
    )
    activities = found.case.referentiel_version.activities.order_by("number")
    form = forms.ExperienceForm(http.POST or None, instance=instance, activities=activities)
    if http.method == "POST" and form.is_valid():
        _act(
            http,
            lambda: services.experience_save(
                request=found,
                experience=form.save(commit=False),
                activities=form.cleaned_data["activities"],
                by=_user(http),
            ),
            "Expérience enregistrée.",
        )
        return redirect("admissibility:detail", found.pk)
    title = "Modifier une expérience" if instance else "Ajouter une expérience"
    return render(
        http,
        "admissibility/form.html",
        _context(found, http, form=form, title=title),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def experience_delete(http: HttpRequest, pk: int, experience_pk: int) -> HttpResponse:
    found = _editable(http, pk)
    item = get_object_or_404(Experience, pk=experience_pk, request=found)
    _act(
        http,
        lambda: services.experience_delete(request=found, experience=item, by=_user(http)),
        "Expérience retirée de la demande.",
    )
    return redirect("admissibility:detail", found.pk)


@login_required
@require_POST
def document_add(http: HttpRequest, pk: int) -> HttpResponse:
    found = _editable(http, pk)
    upload = http.FILES.get("fichier")
    # A client that predates the kind (no field at all) files the document as "autre"; the
    # page's own form always sends one, and an empty or unknown one is refused.
    kind = forms.SupportingKindForm({"type": http.POST.get("type", SupportingKind.OTHER)})
    if upload is None:
        messages.error(http, "Choisissez un fichier PDF, JPEG ou PNG.")
    elif not kind.is_valid():
        messages.error(http, " ".join(str(error) for error in kind.errors["type"]))
    else:
        user = _user(http)

        def add() -> None:
            services.document_add(
                request=found, upload=upload, by=user, kind=kind.cleaned_data["type"]
            )

        _act(http, add, f"« {clean_name(upload.name or '')} » est joint à la demande.")
    return redirect("admissibility:detail", found.pk)


@login_required
@require_GET
def document(http: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    found = _request(http, pk)
    item = get_object_or_404(SupportingDocument, pk=document_pk, request=found)
    response = stored_file(item.file, item.original_name, item.content_type)
    label = f"Pièce de la demande de recevabilité « {item.original_name} »"
    _record(http, found, "admissibility_document", label, item.pk)
    return response


@login_required
@require_POST
def document_delete(http: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    found = _editable(http, pk)
    item = get_object_or_404(SupportingDocument, pk=document_pk, request=found)
    _act(
        http,
        lambda: services.document_delete(request=found, document=item, by=_user(http)),
        f"« {item.original_name} » est retiré de la demande.",
    )
    return redirect("admissibility:detail", found.pk)


@login_required
@require_POST
def submit(http: HttpRequest, pk: int) -> HttpResponse:
    found = _request(http, pk)
    if not permissions.is_owner(_user(http), found):
        raise Http404("Demande introuvable.")
    try:
        services.request_submit(request=found, by=_user(http))
    except ActionRefused as exc:
        messages.error(http, exc.message)
    else:
        messages.success(
            http,
            "Demande déposée. L'Ucanss vérifie qu'elle est complète ; vous recevrez un accusé "
            "de réception avec la date limite de la décision.",
        )
    return redirect("admissibility:detail", found.pk)


@login_required
@require_GET
def letter(http: HttpRequest, pk: int, letter_pk: int) -> FileResponse:
    found = _request(http, pk)
    item = get_object_or_404(Letter, pk=letter_pk, request=found)
    name = f"{item.get_kind_display()} - recevabilite.pdf".replace(" ", "_")
    response = stored_file(item.file, name, "application/pdf")
    _record(http, found, "letter", f"Courrier de recevabilité : {item.get_kind_display()}", item.pk)
    return response


# --- Instructeur -------------------------------------------------------------------------------


@login_required
@require_GET
def queue(http: HttpRequest) -> HttpResponse:
    """Every request but drafts, those to instruct first (nearest decision date first), by
    pages: neither the list nor its pages are counted, an index gives them in this order."""
    if not permissions.can_instruct(_user(http)):
        raise Http404("Page introuvable.")
    filters = QueueFilters.from_query(http.GET)
    rows = queue_requests(filters).select_related("case__candidate", "case__branch")
    page = window(rows, http.GET.get("page"), PAGE_SIZE)
    today = timezone.localdate()
    items = [
        {
            "req": item,
            "state": deadline_status(item.decision_due, today) if item.decision_due else "",
            "days": days_left(item.decision_due, today) if item.decision_due else None,
        }
        for item in page.object_list
    ]
    # The branches some case belongs to: one lookup per branch, not a pass over the cases.
    branches = (
        Branch.objects.filter(Exists(VaeCase.objects.filter(branch=OuterRef("pk"))))
        .values_list("code", "name")
        .distinct()
        .order_by("name", "code")
    )
    return render(
        http,
        "admissibility/queue.html",
        {
            "page": page,
            "items": items,
            "statuses": [s for s in Status.choices if s[0] != Status.DRAFT],
            "branches": list(branches),
            "current": {"statut": filters.status, "branche": filters.branch, "q": filters.query},
            "querystring": other_parameters(http.GET, "page"),
            "at_risk_days": AT_RISK_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def instruct(http: HttpRequest, pk: int) -> HttpResponse:
    found = _instructed(http, pk)
    activities = list(found.case.referentiel_version.activities.order_by("number"))
    incomplete = forms.IncompleteForm(prefix="incomplete")
    complete = forms.CompleteForm(prefix="complete", initial={"on": timezone.localdate()})
    decision = forms.DecisionForm(prefix="decision", activities=activities)
    if http.method == "POST":
        action = http.POST.get("action")
        user = _user(http)
        if action == "incomplete":
            incomplete = forms.IncompleteForm(http.POST, prefix="incomplete")
            if incomplete.is_valid() and _act(
                http,
                lambda: services.request_declare_incomplete(
                    request=found, by=user, missing_items=incomplete.cleaned_data["missing_items"]
                ),
                "Demande déclarée incomplète : le candidat est prévenu.",
            ):
                return redirect("admissibility:instruct", found.pk)
        elif action == "complete":
            complete = forms.CompleteForm(http.POST, prefix="complete")
            if complete.is_valid() and _act(
                http,
                lambda: services.request_declare_complete(
                    request=found, by=user, on=complete.cleaned_data["on"]
                ),
                "Demande déclarée complète : l'accusé de réception est envoyé.",
            ):
                return redirect("admissibility:instruct", found.pk)
        elif action == "decide":
            decision = forms.DecisionForm(http.POST, prefix="decision", activities=activities)
            if decision.is_valid() and _act(
                http,
                lambda: services.request_decide(
                    request=found,
                    by=user,
                    favourable=decision.cleaned_data["decision"] == "recevable",
                    gaps=decision.gaps(),
                    reasons=decision.cleaned_data["reasons"],
                    recommendations=decision.cleaned_data["recommendations"],
                ),
                "Décision enregistrée : la notification est envoyée au candidat.",
            ):
                return redirect("admissibility:instruct", found.pk)
        else:
            messages.error(http, "Action inconnue.")
            return redirect("admissibility:instruct", found.pk)
        found.refresh_from_db()
    invalid = any(f.errors for f in (incomplete, complete, decision))
    history = [
        {
            "at": row.at,
            "label": ADMISSIBILITY_WORKFLOW.transitions[row.transition].label
            if row.transition in ADMISSIBILITY_WORKFLOW.transitions
            else row.transition,
            "to": Status(row.to_state).label if row.to_state in Status.values else row.to_state,
            "by": row.by.display_name if row.by else "la plateforme",
            "reason": row.reason,
        }
        for row in found.transitions.select_related("by")
    ]
    if http.method == "GET":
        _record(
            http, found, "admissibility_request", "Demande de recevabilité (instruction)", found.pk
        )
    return render(
        http,
        "admissibility/instruct.html",
        _context(
            found,
            http,
            incomplete=incomplete,
            complete=complete,
            decision=decision,
            history=history,
        ),
        status=400 if invalid else 200,
    )
