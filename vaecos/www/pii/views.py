"""Personal data in a Livret 2: the findings, the actions on them, the gate before the jury."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers.models import Attachment, Dossier, Situation
from vaecos.dossiers.services import DossierError
from vaecos.pii import gate, services
from vaecos.pii.detection import LABEL_NAMES, PLACEHOLDERS
from vaecos.pii.models import FileReview
from vaecos.www.dossiers.converters import is_field_key
from vaecos.www.dossiers.views import _base_context, _dossier, _editable, _int, _user
from vaecos.www.downloads import stored_file
from vaecos.www.pii.panel import panel_context


def _key(dossier: Dossier, raw: str) -> str:
    if not is_field_key(raw):  # only the canonical spelling (see vaecos.www.dossiers.converters)
        raise Http404("Champ introuvable.")
    try:
        ref = dossier_fields.parse_key(raw)
        ref.target(dossier)
    except (dossier_fields.UnknownField, Situation.DoesNotExist) as exc:
        raise Http404("Champ introuvable.") from exc
    if ref.situation_id is None and ref.name in services.SKIPPED_DOSSIER_FIELDS:
        raise Http404("Champ introuvable.")
    return ref.key


def _text(dossier: Dossier, key: str) -> str:
    ref = dossier_fields.parse_key(key)
    return getattr(ref.target(dossier), ref.name) or ""


def _back(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """Back to the editor page of the field named in the form, or to the overview."""
    raw = request.POST.get("key", "")
    if raw and request.POST.get("retour") != "synthese":
        try:
            return redirect(services.page_url(dossier, _key(dossier, raw)))
        except Http404:
            pass
    return redirect("pii:overview", pk=dossier.pk)


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    review = services.dossier_review(dossier)
    return render(
        request,
        "pii/overview.html",
        _base_context(
            dossier,
            review=review,
            kinds=services.kinds(review.findings),
            blockers=gate.blockers(review),
            dismissals=dossier.pii_dismissals.order_by("label", "text"),
        ),
    )


@login_required
@require_GET
def panel(request: HttpRequest, pk: int, field_key: str) -> HttpResponse:
    dossier = _dossier(request, pk)
    key = _key(dossier, field_key)
    context = panel_context(dossier, services.Scanner(dossier), key, _text(dossier, key))
    return render(request, "pii/_findings.html", {"dossier": dossier, "pii": context})


def _act(request: HttpRequest, dossier: Dossier, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except DossierError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request, dossier)


@login_required
@require_POST
def replace(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    key = _key(dossier, request.POST.get("key", ""))
    label, text = request.POST.get("label", ""), request.POST.get("text", "")
    start = _int(request.POST.get("start")) or 0
    placeholder = PLACEHOLDERS.get(label, "")
    return _act(
        request,
        dossier,
        lambda: services.finding_replace(
            dossier=dossier, field_key=key, label=label, start=start, text=text, by=_user(request)
        ),
        f"« {text} » a été remplacé par {placeholder}.",
    )


@login_required
@require_POST
def replace_all(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    label = request.POST.get("label", "")
    try:
        count = services.kind_replace_all(dossier=dossier, label=label, by=_user(request))
    except DossierError as exc:
        messages.error(request, exc.message)
    else:
        name, placeholder = LABEL_NAMES[label].lower(), PLACEHOLDERS[label]
        if count == 0:
            messages.info(request, f"Plus aucun « {name} » à remplacer dans le dossier.")
        else:
            done = "remplacement" if count == 1 else "remplacements"
            messages.success(
                request, f"« {name} » → {placeholder} : {count} {done} dans tout le dossier."
            )
    return _back(request, dossier)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    label = request.POST.get("label", "")
    text = services.clean_text(request.POST.get("text", ""))
    return _act(
        request,
        dossier,
        lambda: services.finding_dismiss(
            dossier=dossier, label=label, text=text, by=_user(request)
        ),
        f"« {text} » n'est plus signalé dans ce dossier.",
    )


@login_required
@require_POST
def dismissal_cancel(request: HttpRequest, pk: int, dismissal_pk: int) -> HttpResponse:
    dossier = _editable(request, pk)
    return _act(
        request,
        dossier,
        lambda: services.dismissal_cancel(
            dossier=dossier, dismissal_id=dismissal_pk, by=_user(request)
        ),
        "Ce texte est de nouveau signalé s'il apparaît dans le dossier.",
    )


def _attachment(dossier: Dossier, attachment_pk: int) -> Attachment:
    return get_object_or_404(Attachment, dossier=dossier, pk=attachment_pk)


@login_required
@require_GET
def file(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    attachment = _attachment(dossier, attachment_pk)
    status = services.file_status(attachment, services.Scanner(dossier))
    return render(request, "pii/file.html", _base_context(dossier, status=status))


@login_required
@require_GET
def file_copy(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    dossier = _dossier(request, pk)
    attachment = _attachment(dossier, attachment_pk)
    review = FileReview.objects.filter(attachment=attachment).first()
    if review is None or not review.redacted_file:
        raise Http404("Aucune copie masquée.")
    stem = attachment.original_name.rsplit(".", 1)[0]
    return stored_file(review.redacted_file, f"{stem} (copie masquée).pdf", "application/pdf")


def _file_act(
    request: HttpRequest, pk: int, attachment_pk: int, action: Any, success: str
) -> HttpResponse:
    dossier = _editable(request, pk)
    attachment = _attachment(dossier, attachment_pk)
    try:
        action(dossier=dossier, attachment_id=attachment.pk, by=_user(request))
    except DossierError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(name=attachment.original_name))
    return redirect("pii:file", pk=dossier.pk, attachment_pk=attachment.pk)


@login_required
@require_POST
def file_redact(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    return _file_act(
        request,
        pk,
        attachment_pk,
        services.file_redact,
        "La copie masquée de « {name} » est prête : vérifiez-la, puis confirmez le remplacement.",
    )


@login_required
@require_POST
def file_confirm(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    return _file_act(
        request,
        pk,
        attachment_pk,
        services.file_redaction_confirm,
        "« {name} » est remplacé par sa copie masquée ; l'original a été supprimé.",
    )


@login_required
@require_POST
def file_discard(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    return _file_act(
        request,
        pk,
        attachment_pk,
        services.file_redaction_discard,
        "La copie masquée de « {name} » a été abandonnée ; l'original est inchangé.",
    )


@login_required
@require_POST
def file_eye_check(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    return _file_act(
        request,
        pk,
        attachment_pk,
        services.file_eye_check,
        "Merci : « {name} » est noté comme vérifié à l'œil, sans donnée personnelle.",
    )
