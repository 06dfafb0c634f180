"""Documents of a Livret 2 (PDF, Word, the jury's bundle, preview) and import from Word."""

import logging
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vaecos.accounts.models import User
from vaecos.audit.services import record_read
from vaecos.documents import exports, imports
from vaecos.documents.docx_import import DocxRejected
from vaecos.documents.engine import RenderError
from vaecos.documents.models import ImportStatus, Livret2Import, UnplacedFragment
from vaecos.documents.permissions import Kind, allowed_kinds, can_download
from vaecos.dossiers.completeness import dossier_report
from vaecos.dossiers.models import Dossier
from vaecos.dossiers.permissions import can_edit, can_view
from vaecos.utils.errors import ActionRefused
from vaecos.www.middleware import DossierFrozen

MAX_UPLOAD = 20 * 1024 * 1024
NOT_PRODUCED = (
    "Le document n'a pas pu être produit. L'incident est enregistré pour l'équipe technique ; "
    "votre dossier, lui, est intact. Réessayez plus tard."
)
logger = logging.getLogger(__name__)
# What the audit log records for each document downloaded: its code and its French label.
READS = {
    Kind.PDF: ("livret2_pdf", "Livret 2 (PDF)"),
    Kind.DOCX: ("livret2_docx", "Livret 2 (Word)"),
    Kind.BUNDLE: ("bundle", "Dossier transmis au jury (PDF)"),
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _dossier(pk: int) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            "case__candidate", "case__referentiel_version__certification", "branch"
        )
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable.")
    return dossier


def _owned(request: HttpRequest, pk: int, *, edit: bool = False) -> Dossier:
    """The candidate's own dossier (editable when `edit`), else 404 for everyone else."""
    dossier = _dossier(pk)
    if not can_view(_user(request), dossier):
        raise Http404("Dossier introuvable.")
    if edit and not can_edit(_user(request), dossier):
        raise DossierFrozen(dossier)
    return dossier


def _not_produced(request: HttpRequest) -> HttpResponse:
    logger.exception("document rendering failed")
    return render(
        request,
        "documents/not_produced.html",
        {"message": NOT_PRODUCED},
        status=503,
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    dossier = _dossier(pk)
    try:
        wanted = Kind(kind)
    except ValueError:
        raise Http404("Document inconnu.") from None
    if not can_download(_user(request), dossier, wanted):
        raise Http404("Dossier introuvable.")
    try:
        doc = exports.document(dossier, wanted)
    except RenderError:
        return _not_produced(request)
    record_read(
        _user(request),
        case=dossier.case,
        dossier=dossier,
        what=READS[wanted][0],
        label=READS[wanted][1],
        object_id=dossier.pk,
        path=request.path,
    )
    response = HttpResponse(doc.content, content_type=doc.content_type)
    disposition = "inline" if request.GET.get("afficher") == "1" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    if not can_download(_user(request), dossier, Kind.PDF):
        raise Http404("Dossier introuvable.")
    try:
        version, pages = exports.preview_pages(dossier)
    except RenderError:
        return _not_produced(request)
    record_read(
        _user(request),
        case=dossier.case,
        dossier=dossier,
        what="livret2_preview",
        label="Livret 2 (aperçu)",
        object_id=dossier.pk,
        path=request.path,
    )
    return render(
        request,
        "documents/preview.html",
        {
            "dossier": dossier,
            "version": version,
            "pages": range(1, len(pages) + 1),
            "page_count": len(pages),
            "kinds": sorted(allowed_kinds(_user(request), dossier)),
            "is_owner": can_view(_user(request), dossier),
        },
    )


@login_required
@require_GET
def preview_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    dossier = _dossier(pk)
    if not can_download(_user(request), dossier, Kind.PDF):
        raise Http404("Dossier introuvable.")
    try:
        _, pages = exports.preview_pages(dossier)
    except RenderError:
        logger.exception("preview rendering failed")
        raise Http404("Aperçu indisponible.") from None
    if not 1 <= number <= len(pages):
        raise Http404("Page introuvable.")
    response = HttpResponse(pages[number - 1], content_type="image/png")
    response["Cache-Control"] = "private, max-age=600"
    return response


def _import_context(dossier: Dossier, **extra: object) -> dict[str, object]:
    return {"dossier": dossier, "report": dossier_report(dossier), **extra}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _owned(request, pk, edit=request.method == "POST")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("fichier")
        if upload is None:
            error = "Choisissez un fichier Word (.docx) à importer."
        elif upload.size is not None and upload.size > MAX_UPLOAD:
            error = "Ce fichier dépasse 20 Mo, la taille maximale d'un Livret 2 Word."
        else:
            content = upload.read(MAX_UPLOAD + 1)
            try:
                source = imports.import_read(
                    dossier=dossier,
                    content=content,
                    name=upload.name or "livret2.docx",
                    by=_user(request),
                )
            except (DocxRejected, imports.ImportRefused) as exc:
                error = exc.message
            else:
                return redirect("documents:import_report", dossier.pk, source.pk)
    return render(
        request,
        "documents/import_upload.html",
        _import_context(dossier, error=error),
        status=400 if error else 200,
    )


def _source(dossier: Dossier, import_pk: int) -> Livret2Import:
    return get_object_or_404(Livret2Import, pk=import_pk, dossier=dossier)


@login_required
@require_GET
def import_report(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    dossier = _owned(request, pk)
    source = _source(dossier, import_pk)
    summary = imports.import_summary(source)
    structure = [i for i in source.report.get("placed", []) if i.get("key") == "structure"]
    return render(
        request,
        "documents/import_report.html",
        _import_context(
            dossier,
            source=source,
            summary=summary,
            changes=sum(1 for part in summary if part.change != "identique"),
            structure=structure,
            unplaced_items=source.report.get("unplaced", []),
            pending=source.status == ImportStatus.PENDING,
        ),
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    dossier = _owned(request, pk, edit=True)
    source = _source(dossier, import_pk)
    try:
        result = imports.import_apply(source=source, by=_user(request))
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("documents:import_report", dossier.pk, source.pk)
    text = (
        f"Import terminé : {result.saved} partie(s) mise(s) à jour, "
        f"{result.created_situations} situation(s) créée(s). "
        "Les textes remplacés restent dans l'historique de chaque partie."
    )
    messages.success(request, text)
    if result.unplaced:
        messages.warning(
            request, f"{result.unplaced} passage(s) du fichier restent à placer : choisissez où."
        )
        return redirect("documents:unplaced", dossier.pk)
    return redirect("dossiers:overview", dossier.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    dossier = _owned(request, pk, edit=True)
    source = _source(dossier, import_pk)
    try:
        imports.import_cancel(source=source, by=_user(request))
    except imports.ImportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "Import annulé : votre dossier n'a pas été modifié.")
    return redirect("dossiers:overview", dossier.pk)


@login_required
@require_GET
def unplaced(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _owned(request, pk)
    fragments = list(dossier.unplaced.select_related("source").order_by("source", "position"))
    choices = imports.placement_choices(dossier)
    labels = dict(choices)
    return render(
        request,
        "documents/unplaced.html",
        _import_context(
            dossier,
            open_fragments=[f for f in fragments if f.is_open],
            done_fragments=[
                (f, labels.get(f.placed_in, f.placed_in)) for f in fragments if not f.is_open
            ],
            choices=choices,
        ),
    )


def _fragment(dossier: Dossier, fragment_pk: int) -> UnplacedFragment:
    return get_object_or_404(UnplacedFragment, pk=fragment_pk, dossier=dossier)


@login_required
@require_POST
def fragment_place(request: HttpRequest, pk: int, fragment_pk: int) -> HttpResponse:
    dossier = _owned(request, pk, edit=True)
    fragment = _fragment(dossier, fragment_pk)
    try:
        imports.fragment_place(
            fragment=fragment, field_key=request.POST.get("cible", ""), by=_user(request)
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Texte placé. Il est ajouté à la fin de la partie choisie.")
    return redirect(reverse("documents:unplaced", args=[dossier.pk]))


@login_required
@require_POST
def fragment_set_aside(request: HttpRequest, pk: int, fragment_pk: int) -> HttpResponse:
    dossier = _owned(request, pk, edit=True)
    fragment = _fragment(dossier, fragment_pk)
    try:
        imports.fragment_set_aside(fragment=fragment, by=_user(request))
    except imports.ImportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "Texte mis de côté. Il reste consultable en bas de cette page.")
    return redirect(reverse("documents:unplaced", args=[dossier.pk]))
