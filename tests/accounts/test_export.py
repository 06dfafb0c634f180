"""A person's download of all their data (RGPD): what the archive holds, what it never holds,
its files byte for byte, a file lost from storage, and who reaches the page."""

import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.evaluation.factories import RegistrationFactory, favourable_case
from tests.files import jpeg_bytes, pdf_bytes, png_bytes, upload
from tests.jury.factories import jury_session, vote
from vaecos.accounts.export import export_zip, safe_name
from vaecos.admissibility.models import Letter, LetterKind, SupportingDocument
from vaecos.coaching import services as coaching
from vaecos.dossiers import services as dossiers
from vaecos.dossiers.models import DossierStatus
from vaecos.jury import services as jury
from vaecos.jury.models import Deliberation, GridEntry

# --- The world: two candidates who went all the way, each with texts of their own -------------


def _stored(model_instance, field: str, name: str, data: bytes) -> None:
    getattr(model_instance, field).save(name, ContentFile(data), save=True)


def candidate_journey(referentiel, *, candidate, coach, tag: str) -> SimpleNamespace:
    """A candidate whose admissibility is favourable, who wrote their Livret 2 (several
    revisions, an attachment, a coach's comment), was convened, evaluated and notified of a
    partial validation. `tag` marks every text they wrote, to find it (or not) in an archive."""
    case = favourable_case(referentiel, candidate=candidate)
    case.coach = coach
    case.save(update_fields=["coach"])
    request = case.admissibility_requests.get()
    request.decision_reasons = f"Expérience suffisante {tag}"
    request.save(update_fields=["decision_reasons"])
    supporting = SupportingDocument(
        request=request,
        original_name="Attestation d'employeur (2024).pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=candidate,
    )
    _stored(supporting, "file", "x", pdf_bytes(2))
    letter = Letter(request=request, kind=LetterKind.DECISION)
    _stored(letter, "file", "decision.pdf", b"%PDF-1.7 decision " + tag.encode())

    dossier = case.dossiers.get()
    key = "dossier.motivation_reasons"
    first = dossiers.field_save(
        dossier=dossier, field_key=key, text=f"Premier jet {tag}", base_revision=0, by=candidate
    )
    dossiers.field_save(
        dossier=dossier,
        field_key=key,
        text=f"Version finale {tag}",
        base_revision=first.revision,
        by=candidate,
    )
    activity = referentiel.activities.get(number=2)
    situation = dossiers.situation_add(dossier=dossier, activity=activity, by=candidate)
    dossiers.field_save(
        dossier=dossier,
        field_key=f"situation.{situation.pk}.analysis",
        text=f"Mon analyse {tag}",
        base_revision=0,
        by=candidate,
    )
    situation.competences.set(activity.competences.all()[:1])
    attachment = dossiers.attachment_add(
        dossier=dossier,
        upload=upload("Mon CV à jour.png", png_bytes(noise=True), "image/png"),
        kind="cv",
        by=candidate,
    )
    coaching.thread_open(
        dossier=dossier, section="motivation", body=f"Précisez vos atouts {tag}", by=coach
    )

    session, jury_members = jury_session(referentiel)
    dossier.status = DossierStatus.TRANSMITTED
    dossier.save(update_fields=["status"])
    registration = RegistrationFactory(
        session=session, case=case, dossier=dossier, transmitted_at=timezone.now()
    )
    _stored(registration, "bundle", "livret2.pdf", pdf_bytes(3))
    _stored(registration, "convocation", "convocation.pdf", jpeg_bytes())
    president, member = jury_members
    jury.note_save(registration=registration, by=president.user, text=f"NOTE-PRIVEE {tag}")
    jury.grid_save(
        registration=registration,
        by=member.user,
        changes=[
            jury.GridChange(
                activity_id=activity.pk,
                competence_id=None,
                assessment="acquis",
                observation=f"OBSERVATION-DE-GRILLE {tag}",
                version=0,
            )
        ],
    )
    vote(registration, president, True, True, False, True)
    vote(registration, member, True, False, False, False)
    jury.deliberation_decide(
        registration=registration,
        by=president.user,
        mode="votes",
        competences_to_prove=f"III : l'accompagnement numérique {tag}",
        reasons=f"Les situations III et IV manquent d'analyse {tag}",
    )
    for seat in jury_members:
        jury.deliberation_sign(registration=registration, by=seat.user)
    deliberation = Deliberation.objects.get(registration=registration)
    assert deliberation.status == Deliberation.Status.NOTIFIED
    return SimpleNamespace(
        case=case,
        request=request,
        supporting=supporting,
        letter=letter,
        dossier=dossier,
        situation=situation,
        attachment=attachment,
        registration=registration,
        deliberation=deliberation,
        jury=jury_members,
    )


@pytest.fixture
def journey(referentiel, candidate, coach):
    return candidate_journey(referentiel, candidate=candidate, coach=coach, tag="[CAMILLE]")


@pytest.fixture
def other_journey(referentiel, other_candidate, coach):
    return candidate_journey(referentiel, candidate=other_candidate, coach=coach, tag="[AUTRE]")


def archive_of(user) -> zipfile.ZipFile:
    out = io.BytesIO()
    export_zip(user, out)
    out.seek(0)
    return zipfile.ZipFile(out)


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("donnees.json").decode("utf-8"))


def keys_of(value) -> set[str]:
    """Every key of every object in a JSON value, however deep."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


# --- What the archive holds ----------------------------------------------------------------------


def test_the_archive_holds_the_candidates_texts_revisions_and_decisions(journey, candidate):
    archive = archive_of(candidate)
    data = data_of(archive)

    assert {"LISEZMOI.txt", "donnees.json"} <= set(archive.namelist())
    assert "RGPD" in archive.read("LISEZMOI.txt").decode("utf-8")
    account = data["compte"]
    assert account["adresse_electronique"] == candidate.email
    assert account["nom"] == "Martin" and account["prenom"] == "Camille"
    assert not {"password", "mot_de_passe"} & keys_of(data)

    (case,) = data["parcours"]
    (request,) = case["demandes_de_recevabilite"]
    assert request["statut"] == "Recevable"
    assert request["instruction"]["motifs_de_la_decision"] == "Expérience suffisante [CAMILLE]"
    assert request["etat_civil"]["date_de_naissance"] == "1988-04-12"
    assert request["experiences"][0]["organisme"] == "CAF de Loire-Atlantique"

    (dossier,) = case["livrets2"]
    assert dossier["motivation"]["pourquoi_je_m_engage"] == "Version finale [CAMILLE]"
    history = [
        (r["champ"], r["version"], r["texte"])
        for r in dossier["historique_des_textes"]
        if r["champ"] == "dossier.motivation_reasons"
    ]
    assert history == [
        ("dossier.motivation_reasons", 1, "Premier jet [CAMILLE]"),
        ("dossier.motivation_reasons", 2, "Version finale [CAMILLE]"),
    ]
    revision = dossier["historique_des_textes"][0]
    assert revision["libelle"] == "Pourquoi je m'engage dans la VAE"
    # ISO 8601 with the time zone.
    assert revision["enregistree_le"][:4].isdigit() and revision["enregistree_le"][10] == "T"
    (situation,) = dossier["situations"]
    assert situation["mon_analyse"] == "Mon analyse [CAMILLE]"
    assert situation["competences_mises_en_oeuvre"][0]["code"] == "II-1"
    (thread,) = dossier["commentaires"]
    assert thread["partie_du_dossier"] == "Motivation"
    assert thread["messages"][0]["texte"] == "Précisez vos atouts [CAMILLE]"
    assert thread["messages"][0]["auteur"] == journey.case.coach.display_name
    assert [s["vers"] for s in dossier["historique_des_statuts"]] == ["En cours de rédaction"]

    (registration,) = case["inscriptions_aux_sessions"]
    assert registration["session"]["date"] == timezone.localdate().isoformat()
    assert registration["session"]["lieu"].startswith("Ucanss")
    assert registration["statut"] == "Évalué"
    assert registration["transmis_le"]
    assert [(s["vers"], s["par"]) for s in registration["historique_des_statuts"]] == [
        ("Évalué", "le jury")
    ]
    decision = registration["decision_du_jury"]
    assert decision["decision"] == "Validation partielle"
    assert decision["motifs"] == "Les situations III et IV manquent d'analyse [CAMILLE]"
    assert decision["competences_restant_a_demontrer"].endswith("[CAMILLE]")
    assert [b["valide"] for b in decision["blocs"]] == [True, True, False, True]
    assert len(data["blocs_de_competences_acquis"]) == 3


def test_every_file_of_the_candidate_is_in_the_archive_byte_for_byte(journey, candidate):
    archive = archive_of(candidate)
    data = data_of(archive)
    case = data["parcours"][0]
    request = case["demandes_de_recevabilite"][0]
    registration = case["inscriptions_aux_sessions"][0]
    listed = {
        request["pieces_justificatives"][0]["fichier_dans_archive"]: journey.supporting.file,
        request["courriers"][0]["fichier_dans_archive"]: journey.letter.file,
        case["livrets2"][0]["pieces_jointes"][0]["fichier_dans_archive"]: journey.attachment.file,
        registration["convocation"]["fichier_dans_archive"]: journey.registration.convocation,
        registration["dossier_transmis_au_jury"][
            "fichier_dans_archive"
        ]: journey.registration.bundle,
        registration["decision_du_jury"]["lettre_de_resultat"][
            "fichier_dans_archive"
        ]: journey.deliberation.result_letter,
    }

    assert len(listed) == 6
    for path, stored in listed.items():
        assert path.startswith("fichiers/")
        with stored.open("rb") as handle:
            assert archive.read(path) == handle.read(), path
    assert {n for n in archive.namelist() if n.startswith("fichiers/")} == set(listed)
    # Safe names: the original name survives in the JSON, the path is plain ASCII.
    supporting = request["pieces_justificatives"][0]
    assert supporting["nom_du_fichier"] == "Attestation d'employeur (2024).pdf"
    assert supporting["fichier_dans_archive"].endswith("-attestation-demployeur-2024.pdf")
    assert all(name.isascii() and ".." not in name for name in archive.namelist())


def test_another_candidates_data_never_appears(journey, other_journey, candidate):
    archive = archive_of(candidate)
    everything = archive.read("donnees.json").decode("utf-8")

    assert "[CAMILLE]" in everything
    assert "[AUTRE]" not in everything
    assert other_journey.case.candidate.email not in everything
    other_files = {
        other_journey.supporting.file,
        other_journey.letter.file,
        other_journey.attachment.file,
        other_journey.registration.bundle,
        other_journey.deliberation.result_letter,
    }
    contents = {archive.read(n) for n in archive.namelist() if n.startswith("fichiers/")}
    for stored in other_files:
        with stored.open("rb") as handle:
            data = handle.read()
        # Same-looking blank PDFs may match by chance; the letter and the noisy PNG cannot.
        if b"[AUTRE]" in data or stored == other_journey.attachment.file:
            assert data not in contents


def test_the_jurys_private_notes_grid_and_individual_votes_are_absent(journey, candidate):
    data = data_of(archive_of(candidate))
    everything = json.dumps(data, ensure_ascii=False)

    assert GridEntry.objects.filter(observation__startswith="OBSERVATION-DE-GRILLE").exists()
    assert "NOTE-PRIVEE" not in everything
    assert "OBSERVATION-DE-GRILLE" not in everything
    assert not [k for k in keys_of(data) if "vote" in k or k in ("pour", "contre")]
    for seat in journey.jury:
        assert seat.user.last_name not in everything
    decision = data["parcours"][0]["inscriptions_aux_sessions"][0]["decision_du_jury"]
    assert all(set(bloc) == {"bloc", "intitule", "valide"} for bloc in decision["blocs"])
    # The procès-verbal names each member and the counts: not part of the candidate's archive.
    assert not [n for n in archive_of(candidate).namelist() if "proces" in n or "pv" in n]


def test_a_decision_not_yet_notified_is_not_in_the_archive(journey, candidate):
    journey.deliberation.status = Deliberation.Status.SIGNED
    journey.deliberation.save(update_fields=["status"])
    archive = archive_of(candidate)
    registration = data_of(archive)["parcours"][0]["inscriptions_aux_sessions"][0]

    assert registration["decision_du_jury"] is None
    assert not [n for n in archive.namelist() if "decision" in n and "resultat" in n]


def test_a_file_missing_from_storage_is_listed_as_missing(journey, candidate):
    attachment = journey.attachment
    attachment.file.storage.delete(attachment.file.name)

    archive = archive_of(candidate)
    dossier = data_of(archive)["parcours"][0]["livrets2"][0]

    (listed,) = dossier["pieces_jointes"]
    assert listed["fichier_manquant"] is True and listed["fichier_dans_archive"] is None
    assert listed["nom_du_fichier"] == "Mon CV à jour.png"
    assert not [n for n in archive.namelist() if "pieces-jointes" in n]
    # The other files are still there.
    assert len([n for n in archive.namelist() if n.startswith("fichiers/")]) == 5


def test_someone_who_is_not_a_candidate_gets_their_account_and_their_comments(journey, coach):
    data = data_of(archive_of(coach))

    assert data["compte"]["adresse_electronique"] == coach.email
    assert "parcours" not in data
    (comment,) = data["commentaires_rediges"]
    assert comment["texte"] == "Précisez vos atouts [CAMILLE]"
    assert comment["partie_du_dossier"] == "Motivation"


def test_the_export_query_count_does_not_grow_with_the_data(referentiel, journey, candidate):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_zip(candidate, io.BytesIO())
        return len(captured)

    before = queries()
    dossier = journey.dossier
    dossier.status = DossierStatus.IN_PROGRESS
    dossier.save(update_fields=["status"])
    activity = referentiel.activities.get(number=2)
    for index in range(3):
        situation = dossiers.situation_add(dossier=dossier, activity=activity, by=candidate)
        situation.competences.set(activity.competences.all()[:2])
        key = f"situation.{situation.pk}.description"
        base = 0
        for version in range(4):
            base = dossiers.field_save(
                dossier=dossier,
                field_key=key,
                text=f"Texte {index}.{version}",
                base_revision=base,
                by=candidate,
            ).revision
        dossiers.attachment_add(
            dossier=dossier,
            upload=upload(f"preuve-{index}.png", png_bytes(), "image/png"),
            kind="evidence",
            by=candidate,
            situation=situation,
        )
    coaching.thread_open(
        dossier=dossier, section="context", body="Un autre fil", by=journey.case.coach
    )

    assert queries() == before


def test_safe_names_keep_no_path_and_no_unusual_character():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Mes documents\\Relevé été.PDF") == "releve-ete.pdf"
    assert safe_name("") == "fichier"
    assert safe_name(".pdf") == "fichier.pdf"


# --- The page and the download ------------------------------------------------------------------


def test_the_page_explains_the_archive_and_links_to_the_download(owner):
    response = owner.get(reverse("accounts:my_data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mes données personnelles" in page
    assert reverse("accounts:my_data_download") in page


def test_the_download_is_a_dated_zip_never_cached(owner, journey):
    response = owner.get(reverse("accounts:my_data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="vaecos-mes-donnees-{today}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    assert data_of(archive)["compte"]["adresse_electronique"] == journey.case.candidate.email


@pytest.mark.parametrize("name", ["accounts:my_data", "accounts:my_data_download"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(db, name):
    url = reverse(name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_each_person_downloads_their_own_data_only(journey, other_journey, other_candidate):
    client = Client()
    client.force_login(other_candidate)

    response = client.get(reverse("accounts:my_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    response.close()

    everything = archive.read("donnees.json").decode("utf-8")
    assert "[AUTRE]" in everything and "[CAMILLE]" not in everything


def test_a_new_account_gets_an_archive_too(db):
    user = UserFactory()

    data = data_of(archive_of(user))

    assert data["parcours"] == [] and data["blocs_de_competences_acquis"] == []
