"""Who gets what, for every URL of the project.

Every URL pattern (admin included) is walked and requested by an anonymous visitor and by six
signed-in people: the dossier's owner, another candidate, a coach, an instructeur, a jury member
and an administrator. The expected answer of each one comes from RULES below; a pattern without a
rule fails the suite, so a new URL cannot ship without someone deciding who may use it.

Only the admin namespace is covered by one coarse rule (admin_rule()); everything else is listed
one pattern at a time.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import AdmissibilityRequestFactory, ExperienceFactory
from tests.cases.factories import VaeCaseFactory
from tests.conftest import REFERENTIEL_FILE
from tests.dossiers.factories import dossier_for
from tests.files import pdf_bytes, png_bytes, png_upload, upload
from vaecos.admissibility.models import Letter, LetterKind
from vaecos.api.tokens import token_create
from vaecos.documents.models import Livret2Import, UnplacedFragment
from vaecos.dossiers import services
from vaecos.dossiers.models import Attachment, Dossier, FieldRevision, Situation
from vaecos.pii.models import Dismissal, FileReview
from vaecos.referentiels.loader import load_file
from vaecos.retention.models import Deletion
from vaecos.retention.models import Rule as RetentionRule

from . import matrix_coaching, matrix_evaluation, matrix_jury

# The owner goes last: their POSTs change the dossier, the others must find it untouched.
ROLES = ("anonymous", "other_candidate", "coach", "instructor", "jury", "admin", "owner")
NOT_OWNER = ("other_candidate", "coach", "instructor", "jury", "admin")
SIGNED_IN = (*NOT_OWNER, "owner")


# --- The URL patterns of the project ---------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    route: str  # the full route, e.g. "livret2/<int:pk>/"
    namespace: str
    name: str | None
    pattern: URLPattern = field(compare=False)

    @property
    def key(self) -> str:
        """The rule key: "namespace:name", or the route for an unnamed pattern."""
        if self.name:
            return f"{self.namespace}:{self.name}" if self.namespace else self.name
        return self.route


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Entry]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = ":".join(n for n in (namespace, item.namespace) if n)
            yield from walk(item.url_patterns, prefix + str(item.pattern), inner)
        else:
            yield Entry(prefix + str(item.pattern), namespace, item.name, item)


ENTRIES = list(walk(get_resolver().url_patterns))


# --- Expected answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    # Where a redirect must go: "LOGIN" (the platform's login page, back to the URL),
    # "ADMIN_LOGIN" (the admin's login page, back to the URL), or a path formatted with the
    # world's objects, e.g. "/livret2/{dossier.pk}/motivation/". None: not checked.
    location: str | None = None


OK = Expect(200)
NOT_FOUND = Expect(404)
TO_LOGIN = Expect(302, "LOGIN")


@dataclass(frozen=True)
class Rule:
    method: str
    expected: dict[str, Expect]
    # URL kwargs that differ from the defaults in url_kwargs(), by name.
    kwargs: dict[str, Callable[[SimpleNamespace], Any]] = field(default_factory=dict)
    # POST body, built for each request (files are consumed by a request).
    data: Callable[[SimpleNamespace], dict[str, Any]] = lambda world: {}


def owner_only(method: str, owner: Expect, **extra: Any) -> Rule:
    """A Livret 2 URL: its owner only. Anyone else gets 404, so nobody learns it exists."""
    expected = {"anonymous": TO_LOGIN, "owner": owner} | dict.fromkeys(NOT_OWNER, NOT_FOUND)
    return Rule(method, expected, **extra)


ADMISSIBILITY_PK = {"pk": lambda world: world.admissibility.pk}
SUBMITTED_PK = {
    "pk": lambda world: world.submitted.pk,
    "document_pk": lambda world: world.submitted_document.pk,
}


def owner_and_staff(method: str, expect: Expect, pk: str = "dossier") -> Rule:
    """A document of a Livret 2 or an admissibility request: its owner and the certifier's
    staff (instructeur, admin). The coach of this world follows nobody: 404 like the others."""
    allowed = {"owner": expect, "instructor": expect, "admin": expect}
    others = dict.fromkeys(("other_candidate", "coach", "jury"), NOT_FOUND)
    kwargs = {"admissibility": ADMISSIBILITY_PK, "submitted": SUBMITTED_PK}.get(pk, {})
    return Rule(method, {"anonymous": TO_LOGIN} | allowed | others, kwargs=kwargs)


def staff_only(method: str, expect: Expect, pk: str = "") -> Rule:
    """The certifier's work: instructeurs and administrators."""
    allowed = {"instructor": expect, "admin": expect}
    others = dict.fromkeys(("owner", "other_candidate", "coach", "jury"), NOT_FOUND)
    kwargs = {"admissibility": ADMISSIBILITY_PK, "submitted": SUBMITTED_PK}.get(pk, {})
    return Rule(method, {"anonymous": TO_LOGIN} | allowed | others, kwargs=kwargs)


def everyone(method: str, expect: Expect) -> Rule:
    return Rule(method, dict.fromkeys(ROLES, expect))


def signed_in(method: str, expect: Expect) -> Rule:
    return Rule(method, {"anonymous": TO_LOGIN} | dict.fromkeys(SIGNED_IN, expect))


PII_OVERVIEW = Expect(302, "/livret2/{dossier.pk}/donnees-personnelles/")
PII_FILE = Expect(302, "/livret2/{dossier.pk}/donnees-personnelles/piece/{attachment.pk}/")
PII_REDACTED = Expect(302, "/livret2/{dossier.pk}/donnees-personnelles/piece/{redacted.pk}/")
REDACTED = {"attachment_pk": lambda world: world.redacted.pk}

RULES: dict[str, Rule] = {
    # Public pages
    "www:healthz": everyone("GET", OK),
    "www:accessibility": everyone("GET", OK),
    "accounts:password_reset": everyone("GET", OK),
    "accounts:password_reset_done": everyone("GET", OK),
    # A valid link stores the token in the session and hides it from the address bar.
    "accounts:password_reset_confirm": everyone(
        "GET", Expect(302, "/comptes/mot-de-passe/nouveau/{uidb64}/set-password/")
    ),
    "accounts:password_reset_complete": everyone("GET", OK),
    "accounts:login": Rule(
        "GET", {"anonymous": OK} | {role: Expect(302, "/") for role in SIGNED_IN}
    ),
    "accounts:logout": everyone("POST", Expect(302, "/comptes/connexion/")),
    # One's own personal data (RGPD): every signed-in person, for themselves only (no id in the URL)
    "accounts:my_data": signed_in("GET", OK),
    # The second factor is off in this matrix (test settings): nobody has one to confirm, so
    # these pages send everyone on. tests/accounts/test_second_factor.py tests them turned on.
    "accounts:second_factor": signed_in("GET", Expect(302, "/")),
    "accounts:second_factor_setup": signed_in("GET", Expect(302, "/")),
    "accounts:second_factor_qr": signed_in("GET", NOT_FOUND),
    "accounts:second_factor_codes": signed_in("GET", Expect(302, "/")),
    "accounts:my_data_download": signed_in("GET", OK),
    # Each role's home page
    "www:home": signed_in("GET", OK),
    # The Livret 2: its owner only
    "dossiers:overview": owner_only("GET", OK),
    "dossiers:completeness": owner_only("GET", OK),
    "dossiers:header": owner_only("GET", OK),
    "dossiers:motivation": owner_only("GET", OK),
    "dossiers:context": owner_only("GET", OK),
    "dossiers:activity": owner_only("GET", OK),
    "dossiers:situation": owner_only("GET", OK),
    "dossiers:field_history": owner_only("GET", OK),
    "dossiers:attachment_download": owner_only("GET", OK),
    "dossiers:situation_add": owner_only("POST", Expect(302)),
    "dossiers:situation_options": owner_only(
        "POST",
        Expect(302, "/livret2/{dossier.pk}/situation/{situation.pk}/"),
        data=lambda world: {"context_mode": "own"},
    ),
    "dossiers:situation_delete": owner_only(
        "POST",
        Expect(302, "/livret2/{dossier.pk}/activite/1/"),
        kwargs={"situation_pk": lambda world: world.empty_situation.pk},
    ),
    "dossiers:field_save": owner_only(
        "POST", OK, data=lambda world: {"text": "Un titre modifié", "base_revision": "1"}
    ),
    "dossiers:field_restore": owner_only(
        "POST",
        Expect(302, "/livret2/{dossier.pk}/historique/{field_key}/"),
        data=lambda world: {"number": "1"},
    ),
    "dossiers:attachment_add": owner_only(
        "POST",
        Expect(302, "/livret2/{dossier.pk}/motivation/"),
        data=lambda world: {"kind": "cv", "file": png_upload("cv.png")},
    ),
    "dossiers:attachment_delete": owner_only(
        "POST", Expect(302, "/livret2/{dossier.pk}/motivation/")
    ),
    # Its documents: the owner and the certifier's staff; import from Word: the owner only
    "documents:download": owner_and_staff("GET", OK),
    "documents:preview": owner_and_staff("GET", OK),
    "documents:preview_page": owner_and_staff("GET", OK),
    "documents:import_upload": owner_only("GET", OK),
    "documents:import_report": owner_only("GET", OK),
    "documents:import_confirm": owner_only("POST", Expect(302, "/livret2/{dossier.pk}/a-placer/")),
    "documents:import_cancel": owner_only("POST", Expect(302, "/livret2/{dossier.pk}/")),
    "documents:unplaced": owner_only("GET", OK),
    "documents:place": owner_only(
        "POST",
        Expect(302, "/livret2/{dossier.pk}/a-placer/"),
        data=lambda world: {"cible": "dossier.context"},
    ),
    "documents:set_aside": owner_only("POST", Expect(302, "/livret2/{dossier.pk}/a-placer/")),
    # Personal data in the Livret 2: its owner only
    "pii:overview": owner_only("GET", OK),
    "pii:panel": owner_only("GET", OK),
    "pii:replace": owner_only(
        "POST",
        PII_OVERVIEW,
        data=lambda world: {
            "key": world.field_key,
            "label": "PERSON",
            "text": "Dupont",
            "start": "0",
            "retour": "synthese",
        },
    ),
    "pii:replace_all": owner_only(
        "POST", PII_OVERVIEW, data=lambda world: {"label": "PERSON", "retour": "synthese"}
    ),
    "pii:dismiss": owner_only(
        "POST",
        PII_OVERVIEW,
        data=lambda world: {"label": "PERSON", "text": "Dupont", "retour": "synthese"},
    ),
    "pii:dismissal_cancel": owner_only("POST", PII_OVERVIEW),
    "pii:file": owner_only("GET", OK),
    "pii:file_copy": owner_only("GET", OK, kwargs=REDACTED),
    "pii:file_redact": owner_only("POST", PII_FILE),
    "pii:file_confirm": owner_only("POST", PII_REDACTED, kwargs=REDACTED),
    "pii:file_discard": owner_only("POST", PII_REDACTED, kwargs=REDACTED),
    "pii:file_eye_check": owner_only("POST", PII_FILE),
    # The admissibility request: its candidate fills it; the certifier's staff read and instruct
    "admissibility:start": Rule(
        "POST",
        {"anonymous": TO_LOGIN, "owner": Expect(302), "other_candidate": Expect(302)}
        | dict.fromkeys(("coach", "instructor", "jury", "admin"), NOT_FOUND),
    ),
    "admissibility:queue": staff_only("GET", OK),
    "admissibility:detail": owner_and_staff("GET", OK, pk="submitted"),
    "admissibility:identity": owner_and_staff("GET", OK, pk="submitted"),
    "admissibility:sworn": owner_and_staff("GET", OK, pk="submitted"),
    "admissibility:letter": owner_and_staff("GET", OK, pk="submitted"),
    "admissibility:experience_add": owner_only("GET", OK, kwargs=ADMISSIBILITY_PK),
    "admissibility:experience": owner_only("GET", OK, kwargs=ADMISSIBILITY_PK),
    "admissibility:experience_delete": owner_only(
        "POST", Expect(302, "/recevabilite/{admissibility.pk}/"), kwargs=ADMISSIBILITY_PK
    ),
    "admissibility:document": owner_and_staff("GET", OK, pk="submitted"),
    "admissibility:document_add": owner_only(
        "POST",
        Expect(302, "/recevabilite/{admissibility.pk}/"),
        kwargs=ADMISSIBILITY_PK,
        data=lambda world: {"fichier": png_upload("diplome.png")},
    ),
    "admissibility:document_delete": owner_only(
        "POST", Expect(302, "/recevabilite/{admissibility.pk}/"), kwargs=ADMISSIBILITY_PK
    ),
    "admissibility:submit": owner_only(
        "POST", Expect(302, "/recevabilite/{admissibility.pk}/"), kwargs=ADMISSIBILITY_PK
    ),
    "admissibility:instruct": staff_only("GET", OK, pk="submitted"),
    # The audit log: all of it for administrators; a candidate's own reads and changes for them
    "audit:journal": Rule(
        "GET",
        {"anonymous": TO_LOGIN, "admin": OK}
        | dict.fromkeys(("other_candidate", "coach", "instructor", "jury", "owner"), NOT_FOUND),
    ),
    "audit:mine": Rule(
        "GET",
        {"anonymous": TO_LOGIN, "owner": OK, "other_candidate": OK}
        | dict.fromkeys(("coach", "instructor", "jury", "admin"), NOT_FOUND),
    ),
    # The dashboard and its CSV exports: the certifier's staff
    "reporting:dashboard": staff_only("GET", OK),
    "reporting:export_queue": staff_only("GET", OK),
    "reporting:export_sessions": staff_only("GET", OK),
    "reporting:export_results": staff_only("GET", OK),
}

# The API (vaecos.api) authenticates each request by its token and never reads the session:
# whoever is logged in to the platform gets 401 from its data, as anyone without a token.
# What a token of each role may read and write is tested in tests/api/.
NO_TOKEN = Expect(401)
API_IDS = {
    name: lambda world: world.dossier.case_id
    for name in ("case_id", "request_id", "session_id", "result_id", "registration_id")
}
RULES |= {
    "api:api-root": everyone("GET", Expect(302, "/api/v1/docs")),
    "api:docs": everyone("GET", OK),
    "api:openapi-json": everyone("GET", OK),
    "api:unknown": Rule("GET", dict.fromkeys(ROLES, NOT_FOUND), kwargs={"rest": lambda w: "x"}),
} | {
    f"api:{name}": Rule(method, dict.fromkeys(ROLES, NO_TOKEN), kwargs=API_IDS)
    for name, method in (
        ("cases", "GET"),
        ("case", "GET"),
        ("admissibility_requests", "GET"),
        ("admissibility_request", "GET"),
        ("admissibility_decide", "POST"),
        ("sessions", "GET"),
        ("session", "GET"),
        ("results", "GET"),
        ("result", "GET"),
        ("votes", "POST"),
        ("jury_decide", "POST"),
    )
}

# The coaching, session and jury pages keep their rules beside the world they need.
RULES |= matrix_coaching.RULES | matrix_evaluation.RULES | matrix_jury.RULES

# The admin namespace, by prefix: only administrators get past the admin's login page.
ADMIN_NAMESPACE = "admin"
# What an administrator gets on a GET, where it is not a plain 200.
ADMIN_EXCEPTIONS = {
    "admin:login": Expect(302, "/admin/"),
    "admin:logout": Expect(405),  # logging out is a POST
    "admin:autocomplete": Expect(403),  # needs the autocomplete's query parameters
    "admin:view_on_site": NOT_FOUND,  # no model of the platform has a public page
    # Imports come only from the candidate's upload, never typed in the admin.
    "admin:documents_livret2import_add": Expect(403),
    "admin:documents_unplacedfragment_add": Expect(403),
    # Task results are written by the worker, never typed in the admin.
    "admin:django_tasks_database_dbtaskresult_add": Expect(403),
    "admin:django_tasks_database_dbtaskresult_delete": Expect(403),
    # The audit log is written by the platform only.
    "admin:audit_readevent_add": Expect(403),
    # Second-factor keys never show in the admin (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": Expect(403),
    # Retention deletions are recorded by the platform only.
    "admin:retention_deletion_add": Expect(403),
    "admin:retention_deletion_delete": Expect(403),
    # API tokens are revoked, never deleted (kept for the record).
    "admin:api_apitoken_delete": Expect(403),
    "admin:otp_totp_totpdevice_qrcode": Expect(403),
    "admin:audit_readevent_delete": Expect(403),
}


def admin_rule(entry: Entry) -> Rule:
    if entry.key == "admin:login":
        denied = OK
    elif entry.key == "admin:logout":
        denied = Expect(302, "/admin/")
    else:
        denied = Expect(302, "ADMIN_LOGIN")
    if entry.key in ADMIN_EXCEPTIONS:
        allowed = ADMIN_EXCEPTIONS[entry.key]
    elif entry.name is None and entry.route.endswith("(?P<url>.*)$"):
        allowed = NOT_FOUND  # the admin's catch-all, for an unknown admin page
    elif entry.name is None and entry.route.endswith("<path:object_id>/"):
        allowed = Expect(302)  # an object's short URL redirects to its change page
    else:
        allowed = OK
    return Rule("GET", {role: denied for role in ROLES if role != "admin"} | {"admin": allowed})


def rule_for(entry: Entry) -> Rule | None:
    if entry.key in RULES:
        return RULES[entry.key]
    if entry.namespace == ADMIN_NAMESPACE:
        return admin_rule(entry)
    return None


def test_every_url_pattern_has_a_rule():
    missing = [f"{e.key}  ({e.route})" for e in ENTRIES if rule_for(e) is None]
    assert not missing, (
        "These URL patterns have no rule in tests/www/test_authorization_matrix.py; add one to "
        "RULES saying what each role gets:\n  " + "\n  ".join(missing)
    )


def test_every_rule_matches_a_url_pattern():
    keys = {e.key for e in ENTRIES}
    assert not set(RULES) - keys, f"Rules for URLs that no longer exist: {set(RULES) - keys}"


def test_the_walk_sees_the_whole_project():
    keys = {e.key for e in ENTRIES}
    assert {"www:home", "accounts:login", "dossiers:field_save", "admin:index"} <= keys
    assert any(e.key.startswith("admin:dossiers_dossier_") for e in ENTRIES)


# --- The world every URL is requested in -----------------------------------------------------


def build_world() -> SimpleNamespace:
    referentiel = load_file(REFERENTIEL_FILE).version
    users = {
        "owner": UserFactory(),
        "other_candidate": UserFactory(),
        "coach": UserFactory(coach=True),
        "instructor": UserFactory(instructor=True),
        "jury": UserFactory(jury=True),
        "admin": UserFactory(admin=True),
    }
    TOTPDevice.objects.create(user=users["instructor"], name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=users["instructor"], name="codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcdefgh")
    Deletion.objects.create(
        rule=RetentionRule.LOGIN_LOG,
        label="Journal des connexions : 1 connexion antérieure au 01/01/2025",
        subject_type="axes.AccessLog",
    )
    token_create(name="SIRH", user=users["instructor"], scope="lecture", by=users["admin"])
    owner = users["owner"]
    dossier = dossier_for(referentiel, candidate=owner)
    activity = referentiel.activities.get(number=1)
    situation = services.situation_add(dossier=dossier, activity=activity, by=owner)
    empty_situation = services.situation_add(dossier=dossier, activity=activity, by=owner)
    field_key = f"situation.{situation.pk}.title"
    services.field_save(
        dossier=dossier, field_key=field_key, text="Premier titre", base_revision=0, by=owner
    )
    attachment = services.attachment_add(
        dossier=dossier, upload=upload("cv.png", png_bytes(), "image/png"), kind="cv", by=owner
    )
    # Personal data: a PDF with a redacted copy waiting for confirmation, a dismissed finding.
    redacted = services.attachment_add(
        dossier=dossier,
        upload=upload("piece.pdf", pdf_bytes(), "application/pdf"),
        kind="evidence",
        by=owner,
        situation=situation,
    )
    review = FileReview(attachment=redacted, sha256=redacted.sha256, findings=[])
    review.redacted_file.save("copie.pdf", ContentFile(pdf_bytes()), save=False)
    review.save()
    dismissal = Dismissal.objects.create(
        dossier=dossier, label="PERSON", value="caf", text="CAF", by=owner
    )
    # A Word import waiting for confirmation, and a passage of an earlier one still to place.
    pending_import = Livret2Import.objects.create(
        dossier=dossier,
        uploaded_by=owner,
        original_name="livret2.docx",
        sha256="0" * 64,
        plan={"fields": {"context": "Le contexte venu de Word."}},
        report={"placed": [], "unplaced": [{"where": "paragraphe 1", "text": "Un passage"}]},
    )
    fragment = UnplacedFragment.objects.create(
        dossier=dossier, source=pending_import, position=0, where="paragraphe 3", text="À placer"
    )
    # The owner's admissibility requests (Livret 1): a draft they are filling in (theirs alone),
    # and, in a case of their own, one submitted to the certifier with its letter and a file.
    from vaecos.admissibility import services as admissibility_services

    admissibility = AdmissibilityRequestFactory(case=dossier.case, filled=True)
    experience = ExperienceFactory(request=admissibility)
    supporting = admissibility_services.document_add(
        request=admissibility, upload=upload("attestation.png", png_bytes(), "image/png"), by=owner
    )
    submitted = AdmissibilityRequestFactory(
        case=VaeCaseFactory(referentiel_version=referentiel, candidate=owner),
        filled=True,
        status="deposee",
        submitted_at=timezone.now(),
    )
    letter = Letter(request=submitted, kind=LetterKind.ACKNOWLEDGEMENT)
    letter.file.save("accuse.pdf", ContentFile(b"%PDF-1.7 courrier"), save=True)
    submitted_document = admissibility_services.document_add(
        request=AdmissibilityRequestFactory(case=submitted.case, filled=True),
        upload=upload("diplome.png", png_bytes(), "image/png"),
        by=owner,
    )
    submitted_document.request = submitted
    submitted_document.save()
    # A background task as the worker records it (its admin pages are for administrators).
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="vaecos.admissibility.tasks.run_admissibility_checks",
        backend_name="default",
        run_after=timezone.now(),
    )
    # A read of the owner's Livret 2 by an instructeur, as the audit log records it.
    from vaecos.audit.services import record_read

    record_read(
        users["instructor"],
        case=dossier.case,
        dossier=dossier,
        what="livret2_pdf",
        label="Livret 2",
    )
    # The other candidate has a dossier of their own: having one does not open anyone else's.
    dossier_for(referentiel, candidate=users["other_candidate"])
    # Someone who asked for a new password (not one of the roles: logging in would void the link).
    forgetful = UserFactory()
    Group.objects.create(name="Relecteurs")
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    world = SimpleNamespace(
        referentiel=referentiel,
        users=users,
        sessions=sessions,
        dossier=dossier,
        situation=situation,
        empty_situation=empty_situation,
        field_key=field_key,
        attachment=attachment,
        redacted=redacted,
        dismissal=dismissal,
        pending_import=pending_import,
        admissibility=admissibility,
        experience=experience,
        letter=letter,
        supporting=supporting,
        submitted=submitted,
        submitted_document=submitted_document,
        fragment=fragment,
        uidb64=urlsafe_base64_encode(force_bytes(forgetful.pk)),
        token=default_token_generator.make_token(forgetful),
    )
    for module in (matrix_coaching, matrix_evaluation, matrix_jury):
        module.extend_world(world)
    return world


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end; each test runs in a
    savepoint inside it (pytest-django's `db`), so what a test changes is undone after it."""
    media_root = str(tmp_path_factory.mktemp("matrix-media"))
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        world = build_world()
        world.media_root = media_root
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db, settings) -> SimpleNamespace:
    settings.MEDIA_ROOT = module_world.media_root
    # The task results' admin pages read a task through the database backend, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return module_world


def url_kwargs(entry: Entry, rule: Rule, world: SimpleNamespace) -> dict[str, Any]:
    defaults: dict[str, Callable[[], Any]] = {
        "pk": lambda: world.dossier.pk,
        "number": lambda: 1,
        "situation_pk": lambda: world.situation.pk,
        "attachment_pk": lambda: world.attachment.pk,
        "dismissal_pk": lambda: world.dismissal.pk,
        "kind": lambda: "pdf",
        "import_pk": lambda: world.pending_import.pk,
        "fragment_pk": lambda: world.fragment.pk,
        "experience_pk": lambda: world.experience.pk,
        "letter_pk": lambda: world.letter.pk,
        "document_pk": lambda: world.supporting.pk,
        "field_key": lambda: world.field_key,
        "uidb64": lambda: world.uidb64,
        "token": lambda: world.token,
        "app_label": lambda: "dossiers",
        "url": lambda: "inexistant/",
        "id": lambda: world.users["owner"].pk,  # the admin's password change of a user
        "content_type_id": lambda: ContentType.objects.get_for_model(Dossier).pk,
        "object_id": lambda: admin_object(entry, world).pk,
    }
    for module in (matrix_coaching, matrix_evaluation, matrix_jury):
        defaults |= {name: (lambda f=f: f(world)) for name, f in module.URL_KWARGS.items()}
    names = set(entry.pattern.pattern.regex.groupindex)
    unknown = names - set(defaults) - set(rule.kwargs)
    if unknown:
        pytest.fail(
            f"{entry.key}: no value for the URL argument(s) {sorted(unknown)}; teach "
            "url_kwargs() in tests/www/test_authorization_matrix.py how to fill them."
        )
    return {
        name: rule.kwargs[name](world) if name in rule.kwargs else defaults[name]()
        for name in names
    }


def admin_object(entry: Entry, world: SimpleNamespace) -> Any:
    model_admin = getattr(entry.pattern.callback, "model_admin", None)
    if model_admin is None:  # the admin's "view on site" shortcut
        return world.dossier
    obj = model_admin.model._default_manager.order_by("pk").first()
    assert obj is not None, f"{entry.key}: the world has no {model_admin.model.__name__}"
    return obj


def concrete_url(entry: Entry, rule: Rule, world: SimpleNamespace) -> str:
    kwargs = url_kwargs(entry, rule, world)
    if entry.name:
        return reverse(entry.key, kwargs=kwargs)
    # An unnamed pattern: fill its route by hand.
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), entry.route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
    return "/" + route.replace("^", "").replace("$", "")


def fingerprint(world: SimpleNamespace) -> dict[str, Any]:
    """What a request by someone other than the owner must never change."""
    dossier = Dossier.objects.get(pk=world.dossier.pk)
    return {
        "dossier": (dossier.status, dossier.branch_id, dossier.motivation_reasons, dossier.context),
        "situations": list(
            Situation.objects.filter(dossier=dossier).values_list("pk", "title", "context_mode")
        ),
        "revisions": FieldRevision.objects.filter(dossier=dossier).count(),
        "imports": list(Livret2Import.objects.filter(dossier=dossier).values_list("pk", "status")),
        "fragments": list(
            UnplacedFragment.objects.filter(dossier=dossier).values_list(
                "pk", "placed_in", "set_aside"
            )
        ),
        "attachments": list(Attachment.objects.filter(dossier=dossier).values_list("pk")),
        "owner_password": world.users["owner"]
        .__class__.objects.get(pk=world.users["owner"].pk)
        .password,
    }


def client_for(role: str, world: SimpleNamespace) -> Client:
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def check(response: Any, expect: Expect, url: str, world: SimpleNamespace) -> str | None:
    """A description of the mismatch, or None."""
    got = f"{response.status_code} {response.get('Location', '')}".strip()
    if response.status_code != expect.status:
        return f"expected {expect.status}, got {got}"
    if expect.location is None:
        return None
    if expect.location == "LOGIN":
        wanted = redirect_to_login(url).url
    elif expect.location == "ADMIN_LOGIN":
        wanted = redirect_to_login(url, login_url=reverse("admin:login")).url
    else:
        wanted = expect.location.format(**vars(world))
    if response["Location"] != wanted:
        return f"expected a redirect to {wanted}, got {got}"
    return None


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.key for e in ENTRIES])
def test_authorization(entry: Entry, world: SimpleNamespace):
    rule = rule_for(entry)
    if rule is None:
        pytest.fail(f"{entry.key} ({entry.route}) has no rule: add one to RULES.")
    assert set(rule.expected) == set(ROLES), f"{entry.key}: the rule must list every role"
    url = concrete_url(entry, rule, world)

    failures = []
    before = fingerprint(world)
    for role in ROLES:
        if role == "owner":
            # Nothing the others did may have changed the dossier.
            assert fingerprint(world) == before, f"{entry.key}: a non-owner changed the dossier"
        client = client_for(role, world)
        # A new POST body each time: an uploaded file is consumed by its request.
        response = client.get(url) if rule.method == "GET" else client.post(url, rule.data(world))
        problem = check(response, rule.expected[role], url, world)
        if problem:
            failures.append(f"{rule.method} {url} as {role}: {problem}")
    assert not failures, "\n".join(failures)


POST_ONLY = [e for e in ENTRIES if (r := rule_for(e)) is not None and r.method == "POST"]


@pytest.mark.parametrize("entry", POST_ONLY, ids=[e.key for e in POST_ONLY])
def test_post_only_urls_refuse_get(entry: Entry, world: SimpleNamespace):
    rule = rule_for(entry)
    assert rule is not None
    url = concrete_url(entry, rule, world)
    before = fingerprint(world)

    response = client_for("owner", world).get(url)

    assert response.status_code == 405
    assert fingerprint(world) == before


@pytest.mark.parametrize(
    "path",
    [
        "/livret2/99999999999999999999/",
        "/livret2/0/",
        "/livret2/{dossier.pk}/activite/99/",
        "/livret2/{dossier.pk}/activite/99999999999999999999/",
        "/livret2/{dossier.pk}/situation/99999999999999999999/",
        "/livret2/{dossier.pk}/pieces/99999999999999999999/",
        "/livret2/{dossier.pk}/historique/situation.99999999999999999.title/",
        "/livret2/{dossier.pk}/historique/dossier.status/",
        "/livret2/{dossier.pk}/historique/dossier.context.x/",
    ],
)
def test_unknown_objects_are_404_for_the_owner(path: str, world: SimpleNamespace):
    response = client_for("owner", world).get(path.format(**vars(world)))

    assert response.status_code == 404


def test_another_candidates_situation_is_404_inside_ones_own_dossier(world):
    """A situation id of someone else's dossier, put in the URL of one's own dossier."""
    others_dossier = Dossier.objects.get(case__candidate=world.users["other_candidate"])
    theirs = services.situation_add(
        dossier=others_dossier,
        activity=world.referentiel.activities.get(number=1),
        by=world.users["other_candidate"],
    )
    owner = client_for("owner", world)

    page = owner.get(f"/livret2/{world.dossier.pk}/situation/{theirs.pk}/")
    history = owner.get(f"/livret2/{world.dossier.pk}/historique/situation.{theirs.pk}.title/")
    options = owner.post(
        f"/livret2/{world.dossier.pk}/situation/{theirs.pk}/options/", {"context_mode": "own"}
    )

    assert (page.status_code, history.status_code, options.status_code) == (404, 404, 404)
    theirs.refresh_from_db()
    assert theirs.context_mode == "general"


def test_another_candidates_attachment_is_404_inside_ones_own_dossier(world):
    others_dossier = Dossier.objects.get(case__candidate=world.users["other_candidate"])
    theirs = services.attachment_add(
        dossier=others_dossier,
        upload=png_upload("secret.png"),
        kind="cv",
        by=world.users["other_candidate"],
    )
    owner = client_for("owner", world)

    download = owner.get(f"/livret2/{world.dossier.pk}/pieces/{theirs.pk}/")
    delete = owner.post(f"/livret2/{world.dossier.pk}/pieces/{theirs.pk}/supprimer/")

    assert (download.status_code, delete.status_code) == (404, 404)
    assert Attachment.objects.filter(pk=theirs.pk).exists()


# The API reads no session cookie (401 without a token, above): no CSRF exposure.
CSRF_CHECKED = [e for e in POST_ONLY if e.namespace not in (ADMIN_NAMESPACE, "api")]


@pytest.mark.parametrize("entry", CSRF_CHECKED, ids=[e.key for e in CSRF_CHECKED])
def test_post_urls_refuse_a_request_from_another_site(entry: Entry, world: SimpleNamespace):
    """Without the CSRF token (a form posted from another site), nothing happens."""
    rule = rule_for(entry)
    assert rule is not None
    url = concrete_url(entry, rule, world)
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["owner"]
    before = fingerprint(world)

    response = client.post(url, rule.data(world))

    assert response.status_code == 403
    assert fingerprint(world) == before


def test_the_autosave_sends_the_csrf_token_the_page_gives(world: SimpleNamespace):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["owner"]
    page = client.get(reverse("dossiers:context", args=[world.dossier.pk])).content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    response = client.post(
        reverse("dossiers:field_save", args=[world.dossier.pk, "dossier.context"]),
        {"text": "L'accueil de la caisse.", "base_revision": "0"},
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "saved"


def test_only_administrators_can_reach_the_admin(world: SimpleNamespace):
    """The database refuses staff status to anyone but an administrator."""
    from django.db import IntegrityError

    coach = world.users["coach"]
    coach.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        coach.save()


JUNK = ["²", "-1", "99999999999999999999", "\x00", "é" * 5000, "1.5", " "]
FORM_FIELDS = [
    "included",
    "context_mode",
    "competences",
    "number",
    "kind",
    "situation",
    "branch",
    "text",
    "base_revision",
    "save_id",
]


@pytest.mark.parametrize(
    "junk", JUNK, ids=["superscript", "negative", "huge", "nul", "long", "decimal", "blank"]
)
def test_the_owners_forms_never_answer_500_to_junk(junk: str, world: SimpleNamespace):
    """Whatever a form sends, the answer is a page or a refusal, never a server error."""
    owner = Client(raise_request_exception=False)
    owner.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["owner"]
    data = dict.fromkeys(FORM_FIELDS, junk)
    urls = [
        concrete_url(e, rule, world)
        for e in ENTRIES
        if e.namespace == "dossiers" and (rule := rule_for(e)) is not None
    ]

    errors = [url for url in urls if owner.post(url, data).status_code >= 500]

    assert not errors, f"{junk[:10]!r} made these URLs fail: {errors}"
