"""The Livret 2's status: the candidate declares it final; the certifier's staff reopen it.

Apart from the editor's views (views.py) because they belong to the coaching issue's lifecycle:
"in progress → final" (frozen, coach notified) and "final → in progress" (with a reason).
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vaecos.accounts.models import User
from vaecos.coaching import permissions, services
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.utils.errors import ActionRefused
from vaecos.www.coaching.forms import ReasonForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _dossier(pk: int) -> Dossier | None:
    return (
        Dossier.objects.select_related(
            "case__candidate", "case__coach", "case__referentiel_version__certification"
        )
        .filter(pk=pk)
        .first()
    )


@login_required
@require_POST
def finalize(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    if dossier is None or not permissions.is_owner(_user(request), dossier.case):
        raise Http404("Dossier introuvable.")
    try:
        services.dossier_finalize(dossier=dossier, by=_user(request))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        coach = " Votre accompagnateur est prévenu." if dossier.case.coach_id else ""
        messages.success(request, f"Votre Livret 2 est finalisé : il n'est plus modifiable.{coach}")
    return redirect("dossiers:overview", dossier.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    if dossier is None or not permissions.can_reopen(_user(request)):
        raise Http404("Dossier introuvable.")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_reopen(
                dossier=dossier, reason=form.cleaned_data["reason"], by=_user(request)
            )
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return redirect("dossiers:reopen", dossier.pk)
        messages.success(
            request, "Le dossier est rouvert : le candidat peut de nouveau le modifier."
        )
        return redirect("coaching:review", dossier.pk)
    return render(
        request,
        "coaching/reopen.html",
        {
            "dossier": dossier,
            "form": form,
            "final": dossier.status == DossierStatus.FINAL,
            "finalized_at": services.finalized_at(dossier),
        },
        status=400 if form.errors else 200,
    )
