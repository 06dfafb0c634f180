"""Demo data for `make run`: one account per role and a half-written Livret 2. Idempotent."""

import datetime
import io
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from vaecos.accounts import second_factor
from vaecos.accounts.models import Gender, Organisation, Role, User
from vaecos.admissibility import services as admissibility_services
from vaecos.cases.models import Coaching, VaeCase
from vaecos.cases.services import case_open
from vaecos.demo import admissibility as admissibility_demo
from vaecos.demo.admissibility import load_admissibility
from vaecos.demo.evaluation import load_evaluation, today_session
from vaecos.documents.bundle import bundle_pdf
from vaecos.documents.engine import render_pdf
from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import AttachmentKind, Dossier
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.evaluation.models import Registration
from vaecos.referentiels.models import Certification

DATA = Path(__file__).resolve().parent / "data" / "livret2_demo.yaml"
# A second candidate, whose complete Livret 2 reached the jury of today's session: the jury
# pages have someone to evaluate. He does not log in.
TRANSMITTED_DATA = Path(__file__).resolve().parent / "data" / "livret2_demo_transmis.yaml"
TRANSMITTED_EMAIL = "lucas.bernard@demo.test"

ACCOUNTS = [
    ("candidat@demo.test", "Camille", "Martin", Role.CANDIDATE),
    ("accompagnateur@demo.test", "Claire", "Dubois", Role.COACH),
    ("instructeur@demo.test", "Julien", "Moreau", Role.INSTRUCTOR),
    ("jury@demo.test", "Nadia", "Petit", Role.JURY),
    ("admin@demo.test", "Alex", "Admin", Role.ADMIN),
]


def demo_accounts(password: str) -> dict[str, User]:
    users: dict[str, User] = {}
    for email, first, last, role in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users[role] = user
    for user in users.values():
        second_factor.enrol_demo_account(user)
    return users


def _fill_dossier(dossier: Dossier, data: dict[str, Any], by: User) -> None:
    version = dossier.referentiel_version
    branch = version.branches.filter(code=data.get("branch")).first()
    if branch:
        dossier_services.dossier_set_branch(dossier=dossier, branch=branch, by=by)
    for name in dossier_fields.DOSSIER_FIELDS:
        text = (data.get(name) or "").strip()
        if text and text != getattr(dossier, name):
            dossier.refresh_from_db()
            dossier_services.field_save(
                dossier=dossier,
                field_key=dossier_fields.dossier_key(name),
                text=text,
                base_revision=dossier_services.current_revisions(dossier).get(
                    dossier_fields.dossier_key(name), 0
                ),
                by=by,
            )
    activities = {a.number: a for a in version.activities.all()}
    for item in data.get("situations", []):
        situation = dossier_services.situation_add(
            dossier=dossier, activity=activities[item["activity"]], by=by
        )
        codes = item.get("competences") or []
        dossier_services.situation_update_options(
            dossier=dossier,
            situation=situation,
            by=by,
            included=bool(item.get("included", True)),
            context_mode=item.get("context_mode", "general"),
            competence_ids=list(
                situation.activity.competences.filter(code__in=codes).values_list("pk", flat=True)
            ),
        )
        for name in dossier_fields.SITUATION_FIELDS:
            text = (item.get(name) or "").strip()
            if text:
                dossier_services.field_save(
                    dossier=dossier,
                    field_key=dossier_fields.situation_key(situation.pk, name),
                    text=text,
                    base_revision=0,
                    by=by,
                )


def _screenshot_png() -> bytes:
    """A drawn, anonymised « capture d'écran » of an online account (no real data)."""
    image = Image.new("RGB", (900, 560), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 900, 70), fill=(0, 83, 155))
    draw.text((30, 25), "Mon Compte - espace allocataire (capture anonymisee)", fill="white")
    lines = [
        "Allocataire : [NOM] [PRENOM]        Numero : [NUMERO ALLOCATAIRE]",
        "",
        "Mes demarches en cours",
        "  - Demande d'aide au logement : en cours de traitement",
        "  - Piece a fournir : attestation de loyer (deposee le 12/09/2024)",
        "",
        "Mes messages",
        "  - Votre demande a bien ete enregistree.",
    ]
    for index, line in enumerate(lines):
        draw.text((40, 110 + index * 34), line, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _letter_pdf() -> bytes:
    return render_pdf(
        "letter.typ",
        {
            "title": "Notification de droit à la prime d'activité (copie anonymisée)",
            "author": "CAF de Loire-Atlantique",
            "header": "Copie anonymisée — pièce jointe au Livret 2",
            "sender": ["Caisse d'allocations familiales", "de Loire-Atlantique"],
            "recipient": ["[NOM] [PRÉNOM]", "[ADRESSE]", "[CODE POSTAL] [VILLE]"],
            "place_date": "Saint-Nazaire, le 4 avril 2025",
            "subject": "Votre droit à la prime d'activité",
            "paragraphs": [
                "Madame,",
                "Suite à votre demande du 18 mars 2025, nous avons le plaisir de vous informer "
                "qu'un droit à la prime d'activité vous est ouvert à compter du mois de mars 2025.",
                "Ce droit est calculé pour trois mois à partir des ressources que vous avez "
                "déclarées. Pensez à effectuer votre déclaration trimestrielle sur caf.fr ou "
                "l'application mobile avant la date indiquée dans votre espace Mon Compte.",
                "Nous vous prions d'agréer, Madame, l'expression de nos salutations distinguées.",
            ],
            "signature": ["Le directeur"],
        },
    )


def _add_evidence(dossier: Dossier, by: User) -> None:
    """Two anonymised supporting documents, so the jury's bundle has annexes to show."""
    situations = {
        s.activity.number: s
        for s in dossier.situations.filter(included=True)
        .select_related("activity")
        .order_by("-activity__number", "-position")
    }
    files = [
        (1, "notification-prime-activite-anonymisee.pdf", _letter_pdf(), "application/pdf"),
        (3, "capture-mon-compte-anonymisee.png", _screenshot_png(), "image/png"),
    ]
    for number, name, content, content_type in files:
        if number in situations:
            dossier_services.attachment_add(
                dossier=dossier,
                upload=SimpleUploadedFile(name, content, content_type),
                kind=AttachmentKind.EVIDENCE,
                by=by,
                situation=situations[number],
            )


@transaction.atomic
def load_demo(password: str | None = None) -> dict[str, Any]:
    password = password or settings.DEMO_PASSWORD
    users = demo_accounts(password)
    candidate = users[Role.CANDIDATE]
    certification = Certification.objects.filter(code="cqp-cos").first()
    if certification is None:
        raise RuntimeError("Chargez d'abord le référentiel : python manage.py load_referentiel")
    version = certification.current_version()
    assert version is not None
    case = VaeCase.objects.filter(
        candidate=candidate, referentiel_version__certification=certification
    ).first()
    created = False
    if case is None:
        data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
        branch = version.branches.filter(code=data.get("branch")).first()
        case = case_open(candidate=candidate, referentiel_version=version, branch=branch)
        dossier = dossier_services.dossier_open(case=case)
        _fill_dossier(dossier, data, candidate)
        _add_evidence(dossier, candidate)
        created = True
    load_admissibility(
        case=case, candidate=candidate, instructor=users[Role.INSTRUCTOR], version=version
    )
    session = load_evaluation(case=case, users=users, password=password, version=version)
    _transmitted_candidate(users, version)
    return {"users": users, "case": case, "created": created, "session": session}


def _transmitted_candidate(users: dict[str, User], version: Any) -> None:
    """Lucas Bernard: coached by the demo accompagnateur (Institut 4.10), his Livret 2 complete,
    final and transmitted five weeks before today's session, whose jury holds the demo jury
    members. Created once; left as it is afterwards (the jury's work on it stays)."""
    if User.objects.filter(email=TRANSMITTED_EMAIL).exists():
        return
    data = yaml.safe_load(TRANSMITTED_DATA.read_text(encoding="utf-8"))
    coach, instructor = users[Role.COACH], users[Role.INSTRUCTOR]
    user = User.objects.create(
        email=TRANSMITTED_EMAIL,
        first_name=data["first_name"],
        last_name=data["last_name"].title(),
        role=Role.CANDIDATE,
        gender=Gender.MAN,
        organisation=Organisation.objects.get(name="CAF de Loire-Atlantique"),
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    case = case_open(
        candidate=user,
        referentiel_version=version,
        branch=version.branches.filter(code=data["branch"]).first(),
    )
    case.coaching = Coaching.INSTITUT_410
    case.coaching_organisation = coach.organisation
    case.coaching_declared_at = timezone.now()
    case.coach = coach
    case.save()
    request = admissibility_services.request_open(case=case, by=user)
    admissibility_demo._fill(request, user, list(version.activities.all()))
    admissibility_demo._advance(request, "recevable", 150, user, instructor)
    # The favourable decision opened the Livret 2.
    dossier = case.dossiers.get()
    _fill_dossier(dossier, data, user)
    dossier.refresh_from_db()
    DOSSIER_WORKFLOW.apply(dossier, "finalize", by=user)
    session = today_session(users, version)
    transmitted = timezone.now() - datetime.timedelta(days=35)
    DOSSIER_WORKFLOW.apply(
        dossier, "transmit", by=coach, reason="Démonstration : transmis cinq semaines avant."
    )
    registration = Registration.objects.create(
        session=session,
        case=case,
        registered_by=coach,
        dossier=dossier,
        transmitted_at=transmitted,
        transmitted_by=coach,
    )
    registration.bundle.save(
        f"livret2-{registration.pk}.pdf", ContentFile(bundle_pdf(dossier)), save=True
    )
