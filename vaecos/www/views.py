import logging
from time import monotonic
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import Storage, storages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vaecos.accounts.models import Role
from vaecos.cases.models import VaeCase
from vaecos.coaching.services import open_thread_count
from vaecos.dossiers.completeness import dossier_report
from vaecos.dossiers.models import Dossier
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.jury.models import AcquiredBloc
from vaecos.referentiels.models import ReferentielVersion

logger = logging.getLogger(__name__)


def _latest_dossiers() -> Prefetch:
    # The case's Livret 2 of its latest attempt comes first, for the documents column.
    return Prefetch("dossiers", queryset=Dossier.objects.order_by("-attempt"))


# The object storage gets one attempt of at most a few seconds: a health check that hangs
# would hold an application server worker, and the load balancer would time out anyway.
_STORAGE_PROBE_TIMEOUT = 2
_storage_probe: tuple[Storage, Any] | None = None
# /healthz answers anyone: its S3 request is made at most once per worker every few seconds,
# so a flood of anonymous hits costs no S3 requests (nor, storage down, 2 s of a worker each).
# One tuple (storage, monotonic time, result), replaced whole: threads of a worker may at
# worst probe twice at the same moment.
_STORAGE_CHECK_TTL = 5.0
_storage_check: tuple[Storage, float, bool] | None = None


def _storage_reachable() -> bool:
    """Whether the file storage answers. On S3, a HEAD of the bucket itself (`exists()` would
    take a missing bucket for a missing file), its result kept `_STORAGE_CHECK_TTL` seconds;
    elsewhere, a lookup of an absent name (local, cheap: not cached)."""
    global _storage_check
    storage = storages["default"]
    if not getattr(storage, "bucket_name", None):
        try:
            storage.exists("healthz-probe")
        except Exception as exc:  # whatever the backend raises, the answer is "unavailable"
            logger.warning("Le stockage des fichiers ne répond pas : %r", exc)
            return False
        return True
    now = monotonic()
    checked = _storage_check
    if checked is not None and checked[0] is storage and now - checked[1] < _STORAGE_CHECK_TTL:
        return checked[2]
    reachable = _bucket_reachable(storage)
    _storage_check = (storage, now, reachable)
    return reachable


def _bucket_reachable(storage: Storage) -> bool:
    """A HEAD of the bucket, by a client of short timeouts made once per storage."""
    global _storage_probe
    bucket = storage.bucket_name  # type: ignore[attr-defined]
    try:
        if _storage_probe is None or _storage_probe[0] is not storage:
            from botocore.config import Config

            config = storage.client_config.merge(  # type: ignore[attr-defined]
                Config(
                    connect_timeout=_STORAGE_PROBE_TIMEOUT,
                    read_timeout=_STORAGE_PROBE_TIMEOUT,
                    retries={"mode": "standard", "total_max_attempts": 1},
                )
            )
            client = storage._create_session().client(  # type: ignore[attr-defined]
                "s3",
                region_name=storage.region_name,  # type: ignore[attr-defined]
                use_ssl=storage.use_ssl,  # type: ignore[attr-defined]
                endpoint_url=storage.endpoint_url,  # type: ignore[attr-defined]
                verify=storage.verify,  # type: ignore[attr-defined]
                config=config,
            )
            _storage_probe = (storage, client)
        _storage_probe[1].head_bucket(Bucket=bucket)
    except Exception as exc:  # whatever the backend raises, the answer is "unavailable"
        logger.warning("Le stockage des fichiers ne répond pas : %r", exc)
        return False
    return True


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database and the file storage answer; otherwise
    503 naming what does not."""
    failures = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        failures["database"] = "indisponible"
    if not _storage_reachable():
        failures["storage"] = "indisponible"
    if failures:
        return JsonResponse({"status": "error", **failures}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "www/accessibility.html",
        {"accessibility_contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = user.role  # type: ignore[union-attr]
    if role == Role.CANDIDATE:
        cases = list(
            VaeCase.objects.filter(candidate=user.pk)
            .select_related(
                "referentiel_version__certification", "branch", "coach", "coaching_organisation"
            )
            .prefetch_related(
                "dossiers",
                "admissibility_requests",
                Prefetch(
                    "registrations",
                    queryset=Registration.objects.select_related(
                        "session", "deliberation"
                    ).order_by("-session__date"),
                ),
            )
        )
        acquired = list(
            AcquiredBloc.objects.filter(candidate=user.pk)
            .select_related("activity", "certification", "deliberation__registration__session")
            .order_by("activity__number")
        )
        items = []
        for case in cases:
            dossier = max(case.dossiers.all(), key=lambda d: d.attempt, default=None)
            admissibility = max(
                case.admissibility_requests.all(),  # type: ignore[attr-defined]
                key=lambda r: (r.created_at, r.pk),
                default=None,
            )
            registrations = list(case.registrations.all())  # type: ignore[attr-defined]
            items.append(
                {
                    "case": case,
                    "dossier": dossier,
                    "report": dossier_report(dossier) if dossier else None,
                    "admissibility": admissibility,
                    "open_threads": open_thread_count(dossier) if dossier else 0,
                    "registration": registrations[0] if registrations else None,
                    "acquired": [
                        bloc for bloc in acquired if bloc.certification_id == case.certification.pk
                    ],
                }
            )
        return render(request, "www/home_candidate.html", {"items": items})
    if role == Role.INSTRUCTOR:
        cases_qs = (
            VaeCase.objects.select_related(
                "candidate", "branch", "referentiel_version__certification"
            )
            .prefetch_related(_latest_dossiers())
            .order_by("-created_at")
        )
        page = Paginator(cases_qs, 25).get_page(request.GET.get("page"))
        return render(request, "www/home_instructor.html", {"page": page})
    if role == Role.ADMIN:
        versions = ReferentielVersion.objects.select_related("certification").order_by(
            "certification__name", "valid_from"
        )
        return render(request, "www/home_admin.html", {"versions": versions})
    if role == Role.COACH:
        coached = (
            VaeCase.objects.filter(coach=user.pk)
            .select_related("candidate", "branch", "referentiel_version__certification")
            .prefetch_related(_latest_dossiers())
            .order_by("candidate__last_name", "candidate__first_name", "pk")
        )
        return render(request, "www/home_coach.html", {"cases": coached})
    sessions = (
        EvaluationSession.objects.filter(jury__user=user.pk, date__gte=timezone.localdate())
        .select_related("referentiel_version__certification", "branch")
        .annotate(
            candidates=Count(
                "registrations",
                filter=Q(registrations__transmitted_at__isnull=False),
                distinct=True,
            )
        )
        .order_by("date", "start_time", "pk")
    )
    return render(request, "www/home_jury.html", {"sessions": sessions})
