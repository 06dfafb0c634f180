"""Livret 2 workspace: thin views — parse, check the object, call the domain, render."""

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vaecos.accounts.models import User
from vaecos.documents.permissions import allowed_kinds
from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers import history, services
from vaecos.dossiers.completeness import dossier_report
from vaecos.dossiers.models import (
    Attachment,
    AttachmentKind,
    ContextMode,
    Dossier,
    Situation,
)
from vaecos.dossiers.permissions import can_edit, can_view
from vaecos.pii.services import Scanner
from vaecos.referentiels.models import Activity
from vaecos.www.dossiers.converters import is_field_key
from vaecos.www.downloads import stored_file
from vaecos.www.middleware import DossierFrozen
from vaecos.www.pii.panel import panel_context

UNKNOWN_FIELD = "Ce champ n'existe pas dans ce dossier."  # as services.field_save says it


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    return cast(User, request.user)


def _dossier(request: HttpRequest, pk: int, *, light: bool = False) -> Dossier:
    """The dossier if this user may see it; otherwise 404, so nobody learns it exists.

    `light` reads only what the permission check needs (autosave, the hot path)."""
    if light:
        rows = Dossier.objects.select_related("case").only(
            "pk", "status", "case__id", "case__candidate_id"
        )
    else:
        rows = Dossier.objects.select_related(
            "case__candidate", "case__referentiel_version__certification", "branch"
        )
    dossier = rows.filter(pk=pk).first()
    if dossier is None or not can_view(_user(request), dossier):
        raise Http404("Dossier introuvable.")
    return dossier


def _editable(request: HttpRequest, pk: int) -> Dossier:
    """The dossier if this user may change it; its owner is told when it is frozen (see
    vaecos.www.middleware), anyone else gets 404."""
    dossier = _dossier(request, pk)
    if not can_edit(_user(request), dossier):
        raise DossierFrozen(dossier)
    return dossier


def _int(raw: str | None) -> int | None:
    """A positive database id or revision number from a form, or None for anything else."""
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 0 <= value < 2**31 else None


def _answer(
    request: HttpRequest,
    *,
    ok: bool,
    message: str,
    partial: str,
    context: dict[str, Any],
    then: str,
) -> HttpResponse:
    """htmx gets the status partial (400 when refused); a plain form post gets a message and
    goes back to the page."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, partial, context, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, message)
    return redirect(then)


def _field(
    dossier: Dossier,
    revisions: dict[str, int],
    name: str,
    target: Any = None,
    *,
    scanner: Scanner | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What the autosave widget needs to render one field."""
    if target is None or isinstance(target, Dossier):
        key = dossier_fields.dossier_key(name)
        label, max_length = dossier_fields.DOSSIER_FIELDS[name]
        value = getattr(dossier, name)
    else:
        key = dossier_fields.situation_key(target.pk, name)
        label, max_length = dossier_fields.SITUATION_FIELDS[name]
        value = getattr(target, name)
    pii = panel_context(dossier, scanner, key, value or "") if scanner is not None else None
    return {
        "key": key,
        "pii": pii,
        "dom_id": dossier_fields.dom_id(key),
        "label": extra.pop("label", label),
        "value": value,
        "revision": revisions.get(key, 0),
        "max_length": max_length,
        "multiline": max_length > 300,
        "rows": extra.pop("rows", 8),
        "save_url": reverse("dossiers:field_save", args=[dossier.pk, key]),
        "history_url": reverse("dossiers:field_history", args=[dossier.pk, key]),
        "editable": dossier.is_editable,
        **extra,
    }


def _base_context(dossier: Dossier, **extra: Any) -> dict[str, Any]:
    return {"dossier": dossier, "report": dossier_report(dossier), **extra}


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    return render(
        request,
        "dossiers/overview.html",
        _base_context(
            dossier,
            kinds=sorted(allowed_kinds(_user(request), dossier)),
            unplaced_count=dossier.unplaced.filter(placed_in="", set_aside=False).count(),
        ),
    )


@login_required
@require_GET
def completeness(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    return render(request, "dossiers/_completeness.html", _base_context(dossier))


@login_required
def header(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _editable(request, pk) if request.method == "POST" else _dossier(request, pk)
    branches = dossier.referentiel_version.branches.all()
    if request.method == "POST":
        branch_pk = _int(request.POST.get("branch"))
        branch = branches.filter(pk=branch_pk).first() if branch_pk is not None else None
        ok = False
        if branch is None:
            message = "Choisissez une branche dans la liste."
        else:
            try:
                services.dossier_set_branch(dossier=dossier, branch=branch, by=_user(request))
                message, ok = f"Branche enregistrée : {branch.name}.", True
            except services.DossierError as exc:
                message = exc.message
        return _answer(
            request,
            ok=ok,
            message=message,
            partial="dossiers/header.html#branch-status",
            context={"branch_message": message, "ok": ok},
            then=reverse("dossiers:header", args=[dossier.pk]),
        )
    revisions = services.current_revisions(dossier)
    fields = [_field(dossier, revisions, "last_name"), _field(dossier, revisions, "first_name")]
    return render(
        request,
        "dossiers/header.html",
        _base_context(dossier, fields=fields, branches=branches, branch_message="", ok=None),
    )


@login_required
@require_GET
def motivation(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    revisions = services.current_revisions(dossier)
    scanner = Scanner(dossier)
    fields = [
        _field(
            dossier,
            revisions,
            "motivation_reasons",
            scanner=scanner,
            rows=10,
            help="Votre parcours, ce qui vous amène à la VAE, votre projet professionnel ou personnel.",
        ),
        _field(
            dossier,
            revisions,
            "motivation_strengths",
            scanner=scanner,
            rows=8,
            help="Ce qui, dans votre expérience, vous prépare au métier de conseiller offres de services.",
        ),
    ]
    cv = dossier.attachments.filter(kind=AttachmentKind.CV)
    return render(request, "dossiers/motivation.html", _base_context(dossier, fields=fields, cv=cv))


@login_required
@require_GET
def context(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    revisions = services.current_revisions(dossier)
    field = _field(
        dossier,
        revisions,
        "context",
        scanner=Scanner(dossier),
        rows=12,
        help="L'organisme (sans nom de personne), son activité, votre service, votre rôle, les "
        "publics que vous recevez, les outils que vous utilisez. Écrit une fois pour toutes les "
        "situations vécues dans cet organisme.",
    )
    return render(request, "dossiers/context.html", _base_context(dossier, field=field))


def _activity(dossier: Dossier, number: int) -> Activity:
    return get_object_or_404(
        Activity.objects.prefetch_related("competences"),
        referentiel_version_id=dossier.case.referentiel_version_id,
        number=number,
    )


@login_required
@require_GET
def activity(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    act = _activity(dossier, number)
    report = dossier_report(dossier)
    activity_report = next(a for a in report.activities if a.number == act.number)
    by_id = {s.id: s for s in activity_report.situations}
    situations = [
        (s, by_id.get(s.pk))
        for s in dossier.situations.filter(activity=act).order_by("position", "pk")
    ]
    return render(
        request,
        "dossiers/activity.html",
        {
            "dossier": dossier,
            "report": report,
            "activity": act,
            "activity_report": activity_report,
            "situations": situations,
        },
    )


@login_required
@require_POST
def situation_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    dossier = _editable(request, pk)
    act = _activity(dossier, number)
    try:
        situation = services.situation_add(dossier=dossier, activity=act, by=_user(request))
    except services.DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:activity", pk=dossier.pk, number=number)
    return redirect("dossiers:situation", pk=dossier.pk, situation_pk=situation.pk)


def _situation(dossier: Dossier, situation_pk: int) -> Situation:
    return get_object_or_404(
        Situation.objects.select_related("activity").prefetch_related(
            "competences", "activity__competences"
        ),
        dossier=dossier,
        pk=situation_pk,
    )


@login_required
@require_GET
def situation(request: HttpRequest, pk: int, situation_pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    sit = _situation(dossier, situation_pk)
    revisions = services.current_revisions(dossier)
    scanner = Scanner(dossier)
    parts = {
        p["key"]: p for p in dossier.referentiel_version.template_rules.get("situation_parts", [])
    }

    def part(name: str, **extra: Any) -> dict[str, Any]:
        meta = parts.get(name, {})
        extra.setdefault("label", meta.get("label", dossier_fields.SITUATION_FIELDS[name][0]))
        extra.setdefault("help", meta.get("help", ""))
        extra.setdefault("required", meta.get("required", False))
        return _field(dossier, revisions, name, sit, scanner=scanner, **extra)

    report = dossier_report(dossier)
    situation_report = next(
        (s for a in report.activities for s in a.situations if s.id == sit.pk), None
    )
    chosen = {c.pk for c in sit.competences.all()}
    return render(
        request,
        "dossiers/situation.html",
        {
            "dossier": dossier,
            "report": report,
            "situation": sit,
            "activity": sit.activity,
            "situation_report": situation_report,
            "head_fields": [part("title", rows=1), part("when", rows=1)],
            "own_context": part(
                "own_context",
                rows=6,
                label="Contexte propre à cette situation",
                help="L'organisme, votre rôle et le public, lorsque la situation s'est passée ailleurs.",
            ),
            "body_fields": [
                part(n) for n in ("description", "analysis", "actions", "rationale", "outcome")
            ],
            "competences": [(c, c.pk in chosen) for c in sit.activity.competences.all()],
            "context_modes": ContextMode.choices,
            "attachments": sit.attachments.all(),
            "is_empty": services.situation_is_empty(sit),
            "message": "",
            "ok": None,
        },
    )


@login_required
@require_POST
def situation_options(request: HttpRequest, pk: int, situation_pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    sit = _situation(dossier, situation_pk)
    try:
        competence_ids = [int(v) for v in request.POST.getlist("competences")]
    except ValueError:
        return HttpResponseBadRequest("Compétence invalide.")
    try:
        services.situation_update_options(
            dossier=dossier,
            situation=sit,
            by=_user(request),
            included=request.POST.get("included") == "on",
            context_mode=request.POST.get("context_mode") or sit.context_mode,
            competence_ids=competence_ids,
        )
        message, ok = f"Options enregistrées à {timezone.localtime():%H:%M}.", True
    except services.DossierError as exc:
        message, ok = exc.message, False
    return _answer(
        request,
        ok=ok,
        message=message,
        partial="dossiers/situation.html#options-status",
        context={"message": message, "ok": ok},
        then=reverse("dossiers:situation", args=[dossier.pk, sit.pk]),
    )


@login_required
@require_POST
def situation_delete(request: HttpRequest, pk: int, situation_pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    sit = _situation(dossier, situation_pk)
    number = sit.activity.number
    try:
        services.situation_delete(dossier=dossier, situation=sit, by=_user(request))
        messages.success(request, "La situation vide a été supprimée.")
    except services.DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:situation", pk=dossier.pk, situation_pk=sit.pk)
    return redirect("dossiers:activity", pk=dossier.pk, number=number)


@login_required
@require_POST
def field_save(request: HttpRequest, pk: int, field_key: str) -> JsonResponse:
    dossier = _dossier(request, pk, light=True)
    if not can_edit(_user(request), dossier):
        return JsonResponse(
            {
                "error": f"Le dossier est « {dossier.get_status_display()} » : il n'est plus modifiable."
            },
            status=409,
        )
    try:
        base = int(request.POST.get("base_revision", ""))
        save_id = uuid.UUID(request.POST["save_id"]) if request.POST.get("save_id") else None
        # The page sends its unanswered saves oldest first, repeated at each retry: keep the
        # 50 most recent distinct ones (the newest is the one that matters for a conflict).
        sent = list(dict.fromkeys(request.POST.getlist("previous_save_id")[-500:]))
        previous = tuple(uuid.UUID(v) for v in sent[-50:])
    except (ValueError, KeyError):
        return JsonResponse({"error": "Requête d'enregistrement incomplète."}, status=400)
    if not 0 <= base < 2**31:
        return JsonResponse({"error": "Numéro de version invalide."}, status=400)
    if "text" not in request.POST:
        return JsonResponse({"error": "Requête d'enregistrement incomplète."}, status=400)
    if not is_field_key(field_key):  # the autosave's URL keeps its str converter: JSON, not 404
        return JsonResponse({"error": UNKNOWN_FIELD}, status=400)
    try:
        result = services.field_save(
            dossier=dossier,
            field_key=field_key,
            text=request.POST["text"],
            base_revision=base,
            by=_user(request),
            client_save_id=save_id,
            previous_save_ids=previous,
        )
    except services.DossierError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    saved_at = timezone.localtime(result.saved_at) if result.saved_at else timezone.localtime()
    body = {
        "outcome": result.outcome,
        "revision": result.revision,
        "saved_at": saved_at.isoformat(),
        "saved_at_display": f"{saved_at:%H:%M}",
    }
    if result.outcome == "conflict":
        body.update(text=result.current_text, conflict_revision=result.conflict_revision)
        return JsonResponse(body, status=409)
    return JsonResponse(body)


@login_required
@require_GET
def field_history(request: HttpRequest, pk: int, field_key: str) -> HttpResponse:
    dossier = _dossier(request, pk)
    try:
        ref = dossier_fields.parse_key(field_key)
        target = ref.target(dossier)
    except (dossier_fields.UnknownField, Situation.DoesNotExist) as exc:
        raise Http404("Champ introuvable.") from exc
    rows = history.field_history(dossier, field_key)
    back = (
        reverse("dossiers:situation", args=[dossier.pk, target.pk])
        if isinstance(target, Situation)
        else reverse("dossiers:overview", args=[dossier.pk])
    )
    return render(
        request,
        "dossiers/history.html",
        {
            "dossier": dossier,
            "ref": ref,
            "rows": rows,
            "back_url": back,
            "situation": target if isinstance(target, Situation) else None,
        },
    )


@login_required
@require_POST
def field_restore(request: HttpRequest, pk: int, field_key: str) -> HttpResponse:
    dossier = _editable(request, pk)
    number = _int(request.POST.get("number"))
    if not number:
        messages.error(request, "Version invalide.")
        return redirect("dossiers:field_history", pk=dossier.pk, field_key=field_key)
    try:
        revision = services.field_restore(
            dossier=dossier,
            field_key=field_key,
            number=number,
            by=_user(request),
        )
        messages.success(
            request,
            f"La version {number} a été restaurée : elle devient la version {revision.number}.",
        )
    except services.DossierError as exc:
        messages.error(request, exc.message)
    return redirect("dossiers:field_history", pk=dossier.pk, field_key=field_key)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    kind = request.POST.get("kind", "")
    situation = None
    if request.POST.get("situation"):
        situation_pk = _int(request.POST["situation"])
        situation = dossier.situations.filter(pk=situation_pk).first() if situation_pk else None
        if situation is None:
            raise Http404("Situation introuvable.")
    upload = request.FILES.get("file")
    back = (
        reverse("dossiers:situation", args=[dossier.pk, situation.pk])
        if situation
        else reverse("dossiers:motivation", args=[dossier.pk])
    )
    if upload is None:
        messages.error(request, "Choisissez un fichier à envoyer.")
        return redirect(back)
    try:
        attachment = services.attachment_add(
            dossier=dossier,
            upload=upload,
            kind=kind,
            by=_user(request),
            situation=situation,
        )
        messages.success(request, f"« {attachment.original_name} » a été ajouté.")
    except services.DossierError as exc:
        messages.error(request, exc.message)
    return redirect(back)


def _attachment(dossier: Dossier, attachment_pk: int) -> Attachment:
    return get_object_or_404(Attachment, dossier=dossier, pk=attachment_pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    dossier = _dossier(request, pk)
    attachment = _attachment(dossier, attachment_pk)
    return stored_file(attachment.file, attachment.original_name, attachment.content_type)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    attachment = _attachment(dossier, attachment_pk)
    situation_id, name = attachment.situation_id, attachment.original_name
    services.attachment_delete(dossier=dossier, attachment=attachment, by=_user(request))
    messages.success(request, f"« {name} » a été retiré du dossier.")
    if situation_id:
        return redirect("dossiers:situation", pk=dossier.pk, situation_pk=situation_id)
    return redirect("dossiers:motivation", pk=dossier.pk)
