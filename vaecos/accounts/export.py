"""A person's download of all their data (RGPD, right of access and portability, art. 15 and 20).

`export_zip(user, out)` writes a zip archive to `out`: `donnees.json` (everything the platform
holds about the person, French keys, ISO 8601 dates), `LISEZMOI.txt` (what the archive holds, in
French) and `fichiers/…` (every stored file that is theirs, copied byte for byte under a safe
name). Files are copied one by one in chunks, so the archive never sits in memory beyond one
chunk; a file gone from storage is listed in the JSON as missing, never an error.

What a candidate's archive holds: their account; each case with its admissibility requests
(every rubrique, experiences, the certifier's gap analysis, decision, letters, supporting
documents, status history); each Livret 2 (every text, situations with their parts and
competences, the full revision history with dates, attachments (and a copy with personal data
masked that waits for confirmation), Word imports and the passages
still to place, findings marked "not personal data", status history) with the coach's comment
threads on it (authors by display name); their registrations to evaluation sessions (session
date and place, status, transmission date, convocation, the frozen dossier sent to the jury);
the jury's decision once notified to them (outcome, reasons, competences still to prove, the
decision bloc by bloc, the result letter); and their acquired blocs.

What it leaves out, and why:
- the password hash, and technical tokens: not information about the person;
- each jury member's private preparation notes and individual votes, the vote counts per bloc,
  the casting vote and the members' evaluation grid: the jury's deliberation is secret and those
  are the members' own working data; the candidate's result is what the jury decided and
  notified (outcome, reasons, competences to prove, blocs validated or not), as in their result
  letter. The procès-verbal (which names the members and states the counts) is not in the
  archive for the same reason; the certifier answers a request for it case by case;
- which jury member did what: a status change made by a jury member reads "le jury";
- a decision not yet notified: it is not final until the candidate is told (the platform shows
  it to them only then);
- the scans' cached findings on the texts: recomputed from the texts, which are in the archive.

Anyone who is not a candidate gets their account and the comments they wrote.
"""

import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Prefetch, TextChoices
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify

from vaecos.accounts.models import Role, User
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    AdmissibilityTransitionLog,
    Experience,
    GapAnalysis,
    Letter,
    Status,
    SupportingDocument,
)
from vaecos.cases.models import VaeCase
from vaecos.coaching.models import Comment, CommentThread
from vaecos.coaching.sections import FIXED_SECTIONS, SITUATION_RE
from vaecos.documents.models import Livret2Import
from vaecos.dossiers.fields import UnknownField, parse_key
from vaecos.dossiers.models import (
    Attachment,
    Dossier,
    DossierStatus,
    DossierTransitionLog,
    FieldRevision,
    Situation,
)
from vaecos.evaluation.models import (
    Registration,
    RegistrationStatus,
    RegistrationTransitionLog,
)
from vaecos.jury.models import AcquiredBloc, BlocResult, Deliberation
from vaecos.utils.models import TransitionLog

FORMAT = "vaecos-mes-donnees/1"
CHUNK = 64 * 1024

README = """\
VAE COS — vos données personnelles
==================================

Cette archive contient toutes les données que la plateforme VAE COS conserve à votre sujet,
telles qu'elles étaient le {generated}. Vous pouvez l'ouvrir, la conserver ou la transmettre
à un autre service (droit d'accès et droit à la portabilité, articles 15 et 20 du RGPD).

Contenu
-------
- donnees.json : vos données, au format JSON (texte lisible, encodage UTF-8). Les dates
  suivent la norme ISO 8601 (AAAA-MM-JJ, avec l'heure et le fuseau horaire quand il y en a).
  On y trouve votre compte et, pour chacun de vos parcours VAE :
  * vos demandes de recevabilité (Livret 1) : toutes les rubriques, vos expériences,
    l'analyse des écarts du certificateur, la décision et l'historique des statuts ;
  * vos Livrets 2 : tous les textes, les situations avec leurs parties et leurs compétences,
    l'historique complet des versions de chaque texte (avec leurs dates), vos pièces jointes,
    vos imports Word, l'historique des statuts et les commentaires de votre accompagnateur ;
  * vos inscriptions aux sessions d'évaluation (date, lieu, statut, date de transmission) ;
  * les décisions du jury qui vous ont été notifiées (décision, motifs, compétences restant
    à démontrer, décision bloc par bloc) et vos blocs de compétences acquis.
- fichiers/ : une copie à l'identique de chacun de vos fichiers (pièces justificatives et
  courriers de recevabilité, pièces jointes du Livret 2, convocations, dossier transmis au
  jury, lettres de résultat). Dans donnees.json, chaque fichier est indiqué par son chemin
  dans l'archive (« fichier_dans_archive »). Un fichier introuvable sur la plateforme est
  signalé par « fichier_manquant » : true.

Ce que l'archive ne contient pas
--------------------------------
- votre mot de passe (il n'est conservé que sous une forme chiffrée, inutilisable) ;
- les notes personnelles de préparation des membres du jury, leurs votes individuels et la
  grille d'évaluation : le délibéré du jury est secret. La décision du jury, ses motifs et le
  résultat bloc par bloc, tels qu'ils vous ont été notifiés, y figurent ;
- une décision du jury qui ne vous a pas encore été notifiée.

Pour toute question sur vos données, adressez-vous au certificateur.
"""


# --- Small converters --------------------------------------------------------------------------


def _moment(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def safe_name(original: str, default: str = "fichier") -> str:
    """An ASCII file name without any path: the stem slugified, the extension kept."""
    stem, dot, extension = original.replace("\\", "/").rsplit("/", 1)[-1].rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = slugify(stem)[:80].strip("-") or default
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:10]
    return f"{stem}.{extension}" if extension else stem


# --- Stored files ------------------------------------------------------------------------------


@dataclass
class _StoredFile:
    file: FieldFile
    path: str  # inside the archive
    entry: dict[str, Any]  # the JSON object that lists it: told where it went, or missing


class _Files:
    """The stored files to copy, collected while the JSON is built."""

    def __init__(self) -> None:
        self.items: list[_StoredFile] = []
        self.paths: set[str] = set()

    def optional(self, file: FieldFile, path: str) -> dict[str, Any] | None:
        """A document that may not exist yet (a convocation, a result letter): None if not."""
        return self.add(file, path, {}) if file else None

    def add(self, file: FieldFile, path: str, entry: dict[str, Any]) -> dict[str, Any]:
        """Note `file` for `fichiers/<path>`, told in `entry` where it went (or that it is
        missing); a blank file field adds nothing."""
        if not file:
            entry["fichier_dans_archive"] = None
            return entry
        path = f"fichiers/{path}"
        stem, dot, extension = path.rpartition(".")
        unique, counter = path, 1
        while unique in self.paths:  # never two entries of one name in the zip
            counter += 1
            unique = f"{stem}-{counter}.{extension}" if dot else f"{path}-{counter}"
        self.paths.add(unique)
        entry["fichier_dans_archive"] = unique
        entry["fichier_manquant"] = False
        self.items.append(_StoredFile(file, unique, entry))
        return entry


def _copy(archive: zipfile.ZipFile, stored: _StoredFile) -> None:
    """Copy one stored file into the archive, chunk by chunk; if storage has lost it, say so in
    its JSON entry instead."""
    try:
        source = stored.file.storage.open(stored.file.name or "", "rb")
    except OSError:
        source = None
    if source is None:
        stored.entry["fichier_dans_archive"] = None
        stored.entry["fichier_manquant"] = True
        return
    with source:
        try:
            # Some storages open lazily: the first read is where a missing file shows.
            chunk = source.read(CHUNK)
        except OSError:
            stored.entry["fichier_dans_archive"] = None
            stored.entry["fichier_manquant"] = True
            return
        with archive.open(stored.path, "w") as target:
            while chunk:
                target.write(chunk)
                chunk = source.read(CHUNK)


# --- The data ----------------------------------------------------------------------------------


def _actor(user: User | None) -> str:
    if user is None:
        return "la plateforme"
    # A jury member acts for the jury (the last signature records the outcome): the archive
    # never singles out one member's part in a collective decision.
    return "le jury" if user.role == Role.JURY else user.display_name


def _log(entries: Iterable[TransitionLog], states: type[TextChoices]) -> list[dict[str, Any]]:
    """A transition log, its states named by their French labels."""
    labels = dict(states.choices)
    return [
        {
            "transition": entry.transition,
            "de": labels.get(entry.from_state, entry.from_state) or None,
            "vers": labels.get(entry.to_state, entry.to_state),
            "par": _actor(entry.by),
            "motif": entry.reason,
            "le": _moment(entry.at),
        }
        for entry in entries
    ]


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "adresse_electronique": user.email,
        "prenom": user.first_name,
        "nom": user.last_name,
        "role": user.get_role_display(),
        "sexe": user.get_gender_display() if user.gender else "",
        "organisme": user.organisation.name if user.organisation else None,
        "compte_actif": user.is_active,
        "inscrit_le": _moment(user.date_joined),
        "derniere_connexion": _moment(user.last_login),
    }


def _admissibility(request: AdmissibilityRequest, files: _Files) -> dict[str, Any]:
    folder = f"recevabilite/demande-{request.pk}"
    return {
        "id": request.pk,
        "creee_le": _moment(request.created_at),
        "nature": request.get_nature_display(),
        "blocs_de_competences_seulement": request.blocs_only,
        "statut": request.get_status_display(),
        "etat_civil": {
            "nom_de_naissance": request.birth_name,
            "nom_d_usage": request.usage_name,
            "prenoms": request.first_names,
            "sexe": request.get_sex_display() if request.sex else "",
            "date_de_naissance": _day(request.birth_date),
            "commune_de_naissance": request.birth_city,
            "departement_de_naissance": request.birth_department,
            "pays_de_naissance": request.birth_country,
            "nationalite": request.get_nationality_display() if request.nationality else "",
            "adresse": request.address,
            "telephone_domicile": request.phone_home,
            "telephone_portable": request.phone_mobile,
            "courriel": request.email,
            "situation_actuelle": (
                request.get_current_situation_display() if request.current_situation else ""
            ),
            "precisions_sur_la_situation": request.current_situation_details,
            "reconnu_travailleur_handicape": request.disabled_worker,
        },
        "formation": {
            "derniere_classe_suivie": request.last_class,
            "diplome_le_plus_eleve": request.highest_diploma,
            "autres_certifications": request.other_certifications,
            "formations_courtes": request.short_trainings,
        },
        "experiences": [_experience(e) for e in request.experiences.all()],
        "declaration_sur_l_honneur": {
            "pas_d_interdiction": request.sworn_no_ban,
            "informations_exactes": request.sworn_accurate,
            "demande_unique_cette_annee": request.sworn_unique,
            "trois_candidatures_au_plus": request.sworn_three_max,
            "fait_a": request.signed_at_place,
        },
        "instruction": {
            "recue_le": _moment(request.submitted_at),
            "pieces_ou_informations_manquantes": request.missing_items,
            "complete_le": _day(request.complete_on),
            "decision_attendue_au_plus_tard_le": _day(request.decision_due),
            "decidee_le": _day(request.decided_on),
            "decision_implicite": request.implicit,
            "decidee_par": _name(request.decided_by),
            "motifs_de_la_decision": request.decision_reasons,
            "preconisations_de_formation": request.recommendations,
            "recevable_jusqu_au": _day(request.validity_end),
            "rappel_a_60_jours_envoye_le": _day(request.reminded_60_on),
            "rappel_a_14_jours_envoye_le": _day(request.reminded_14_on),
        },
        "analyse_des_ecarts": [_gap(g) for g in request.gap_analysis.all()],
        "pieces_justificatives": [_supporting(d, files, folder) for d in request.documents.all()],
        "courriers": [_letter(letter, files, folder) for letter in request.letters.all()],
        "historique_des_statuts": _log(request.transitions.all(), Status),
    }


def _experience(experience: Experience) -> dict[str, Any]:
    return {
        "emploi_ou_fonction": experience.role,
        "organisme": experience.organisation,
        "adresse_de_l_organisme": experience.organisation_address,
        "statut": experience.get_status_display(),
        "du": _day(experience.started_on),
        "au": _day(experience.ended_on),
        "duree_en_heures": experience.hours,
        "activites_exercees": experience.activities_done,
        "activites_du_referentiel": [f"{a.roman} — {a.title}" for a in experience.activities.all()],
    }


def _gap(gap: GapAnalysis) -> dict[str, Any]:
    return {
        "activite": f"{gap.activity.roman} — {gap.activity.title}",
        "couverture": gap.get_coverage_display(),
        "commentaire": gap.comment,
    }


def _supporting(document: SupportingDocument, files: _Files, folder: str) -> dict[str, Any]:
    entry = {
        "id": document.pk,
        "nom_du_fichier": document.original_name,
        "nature": document.get_kind_display(),
        "type": document.content_type,
        "taille_octets": document.size,
        "empreinte_sha256": document.sha256,
        "deposee_le": _moment(document.uploaded_at),
    }
    path = f"{folder}/pieces/{document.pk}-{safe_name(document.original_name)}"
    return files.add(document.file, path, entry)


def _letter(letter: Letter, files: _Files, folder: str) -> dict[str, Any]:
    entry = {
        "id": letter.pk,
        "type": letter.get_kind_display(),
        "ecrit_le": _moment(letter.created_at),
        "envoye_par_courriel_le": _moment(letter.emailed_at),
    }
    path = f"{folder}/courriers/{letter.pk}-{safe_name(letter.kind)}.pdf"
    return files.add(letter.file, path, entry)


def _field_label(key: str) -> str:
    try:
        return parse_key(key).label
    except UnknownField:
        return key


def _section_label(key: str, situations: dict[int, Situation]) -> str:
    if key in FIXED_SECTIONS:
        return FIXED_SECTIONS[key]
    match = SITUATION_RE.fullmatch(key)
    situation = situations.get(int(match.group(1))) if match else None
    if situation is None:
        return key
    title = f" « {situation.title} »" if situation.title else " sans titre"
    return f"Activité {situation.activity.roman} — situation{title}"


def _dossier(dossier: Dossier, files: _Files) -> dict[str, Any]:
    folder = f"livret2/tentative-{dossier.attempt}-{dossier.pk}"
    situations = {s.pk: s for s in dossier.situations.all()}
    return {
        "id": dossier.pk,
        "tentative": dossier.attempt,
        "statut": dossier.get_status_display(),
        "cree_le": _moment(dossier.created_at),
        "modifie_le": _moment(dossier.updated_at),
        "en_tete": {
            "nom": dossier.last_name,
            "prenom": dossier.first_name,
            "branche": dossier.branch.name if dossier.branch else None,
        },
        "motivation": {
            "pourquoi_je_m_engage": dossier.motivation_reasons,
            "mes_atouts": dossier.motivation_strengths,
        },
        "contexte_de_l_organisme": dossier.context,
        "blocs_deja_valides": [a.bloc_code or a.roman for a in dossier.exempt_activities.all()],
        "situations": [_situation(s) for s in situations.values()],
        "historique_des_textes": [_revision(r) for r in dossier.revisions.all()],
        "pieces_jointes": [_attachment(a, files, folder) for a in dossier.attachments.all()],
        "imports_word": [_import(i) for i in dossier.imports.all()],
        "pas_des_donnees_personnelles": [
            {"texte": d.text, "type": d.label_name, "le": _moment(d.at)}
            for d in dossier.pii_dismissals.all()
        ],
        "commentaires": [_thread(t, situations) for t in dossier.comment_threads.all()],
        "historique_des_statuts": _log(dossier.transitions.all(), DossierStatus),
    }


def _situation(situation: Situation) -> dict[str, Any]:
    return {
        "id": situation.pk,
        "activite": f"{situation.activity.roman} — {situation.activity.title}",
        "ordre": situation.position,
        "retenue_pour_le_dossier": situation.included,
        "lieu": situation.get_context_mode_display(),
        "titre": situation.title,
        "quand": situation.when,
        "contexte_propre": situation.own_context,
        "la_situation": situation.description,
        "mon_analyse": situation.analysis,
        "mes_actions": situation.actions,
        "pourquoi_j_ai_agi_ainsi": situation.rationale,
        "resultat_et_enseignements": situation.outcome,
        "competences_mises_en_oeuvre": [
            {"code": c.code, "intitule": c.wording} for c in situation.competences.all()
        ],
        "creee_le": _moment(situation.created_at),
    }


def _revision(revision: FieldRevision) -> dict[str, Any]:
    return {
        "champ": revision.field_key,
        "libelle": _field_label(revision.field_key),
        "situation_id": revision.situation_id,
        "version": revision.number,
        "type": revision.get_kind_display(),
        "texte": revision.text,
        "basee_sur_la_version": revision.based_on,
        "restauree_depuis_la_version": revision.restored_from,
        "auteur": _name(revision.author),
        "enregistree_le": _moment(revision.created_at),
    }


def _attachment(attachment: Attachment, files: _Files, folder: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": attachment.pk,
        "type": attachment.get_kind_display(),
        "situation_id": attachment.situation_id,
        "nom_du_fichier": attachment.original_name,
        "type_de_contenu": attachment.content_type,
        "taille_octets": attachment.size,
        "empreinte_sha256": attachment.sha256,
        "deposee_le": _moment(attachment.uploaded_at),
    }
    path = f"{folder}/pieces-jointes/{attachment.pk}-{safe_name(attachment.original_name)}"
    files.add(attachment.file, path, entry)
    review = getattr(attachment, "review", None)
    if review is not None and review.redacted_file:
        # A copy with personal data masked, waiting for the candidate to confirm or discard it.
        entry["copie_masquee_en_attente"] = files.add(
            review.redacted_file,
            f"{folder}/pieces-jointes/{attachment.pk}-copie-masquee.pdf",
            {"creee_pour_la_piece": attachment.pk},
        )
    return entry


def _import(source: Livret2Import) -> dict[str, Any]:
    return {
        "id": source.pk,
        "nom_du_fichier": source.original_name,
        "empreinte_sha256": source.sha256,
        "statut": source.get_status_display(),
        "depose_le": _moment(source.created_at),
        "confirme_ou_annule_le": _moment(source.decided_at),
        "valeurs_lues": source.plan,
        "rapport": source.report,
        "textes_a_placer": [
            {
                "emplacement_dans_le_fichier": f.where,
                "texte": f.text,
                "place_dans": _field_label(f.placed_in) if f.placed_in else None,
                "mis_de_cote": f.set_aside,
                "decide_le": _moment(f.decided_at),
            }
            for f in source.fragments.all()
        ],
    }


def _thread(thread: CommentThread, situations: dict[int, Situation]) -> dict[str, Any]:
    return {
        "partie_du_dossier": _section_label(thread.section, situations),
        "ouvert_par": _name(thread.opened_by),
        "ouvert_le": _moment(thread.opened_at),
        "resolu_le": _moment(thread.resolved_at),
        "resolu_par": _name(thread.resolved_by),
        "messages": [
            {"auteur": _name(c.author), "ecrit_le": _moment(c.created_at), "texte": c.body}
            for c in thread.comments.all()
        ],
    }


def _registration(registration: Registration, files: _Files) -> dict[str, Any]:
    folder = f"sessions/inscription-{registration.pk}"
    session = registration.session
    entry: dict[str, Any] = {
        "id": registration.pk,
        "session": {
            "date": _day(session.date),
            "heure_de_debut": session.start_time.isoformat(timespec="minutes"),
            "duree_de_l_oral_minutes": session.duration_minutes,
            "lieu": session.place,
            "lien_de_visioconference": session.video_link,
            "informations_pratiques": session.practical_details,
        },
        "statut": registration.get_status_display(),
        "inscrit_le": _moment(registration.registered_at),
        "livret2_transmis_id": registration.dossier_id,
        "transmis_le": _moment(registration.transmitted_at),
        "convoque_le": _moment(registration.convened_at),
        "rappel_envoye_le": _moment(registration.reminder_sent_at),
        "historique_des_statuts": _log(registration.transitions.all(), RegistrationStatus),
    }
    entry["convocation"] = files.optional(registration.convocation, f"{folder}/convocation.pdf")
    entry["dossier_transmis_au_jury"] = files.optional(
        registration.bundle, f"{folder}/dossier-transmis.pdf"
    )
    deliberation: Deliberation | None = getattr(registration, "deliberation", None)
    # A decision reaches the candidate when it is notified, not before (as on their pages).
    if deliberation is not None and deliberation.status == Deliberation.Status.NOTIFIED:
        entry["decision_du_jury"] = _decision(deliberation, files)
    else:
        entry["decision_du_jury"] = None
    return entry


def _decision(deliberation: Deliberation, files: _Files) -> dict[str, Any]:
    results: list[BlocResult] = list(deliberation.results.all())
    entry: dict[str, Any] = {
        "id": deliberation.pk,
        "decision": deliberation.get_outcome_display(),
        "deliberee_le": _moment(deliberation.deliberated_at),
        "notifiee_le": _moment(deliberation.notified_at),
        "motifs": deliberation.reasons,
        "competences_restant_a_demontrer": deliberation.competences_to_prove,
        "blocs": [
            {
                "bloc": r.activity.bloc_code or r.activity.roman,
                "intitule": r.activity.title,
                "valide": r.validated,
            }
            for r in results
        ],
    }
    entry["lettre_de_resultat"] = files.optional(
        deliberation.result_letter, f"decisions/decision-{deliberation.pk}/lettre-de-resultat.pdf"
    )
    return entry


def _case(case: VaeCase, files: _Files) -> dict[str, Any]:
    version = case.referentiel_version
    return {
        "id": case.pk,
        "cree_le": _moment(case.created_at),
        "certification": {
            "intitule": version.certification.name,
            "code_rncp": version.certification.rncp_code,
            "version_du_referentiel": version.version,
        },
        "branche": case.branch.name if case.branch else None,
        "accompagnement": case.get_coaching_display(),
        "accompagnement_declare_le": _moment(case.coaching_declared_at),
        "organisme_d_accompagnement": (
            case.coaching_organisation.name if case.coaching_organisation else None
        ),
        "accompagnateur": _name(case.coach),
        "demandes_de_recevabilite": [
            _admissibility(r, files) for r in case.admissibility_requests.all()
        ],
        "livrets2": [_dossier(d, files) for d in case.dossiers.all()],
        "inscriptions_aux_sessions": [_registration(r, files) for r in case.registrations.all()],
    }


def _cases(user: User) -> list[VaeCase]:
    """Every case of the candidate with all it holds, in a constant number of queries."""
    by = Prefetch("transitions", queryset=AdmissibilityTransitionLog.objects.select_related("by"))
    requests = AdmissibilityRequest.objects.select_related("decided_by").prefetch_related(
        Prefetch("experiences", queryset=Experience.objects.prefetch_related("activities")),
        Prefetch("gap_analysis", queryset=GapAnalysis.objects.select_related("activity")),
        "documents",
        "letters",
        by,
    )
    dossiers = (
        Dossier.objects.select_related("branch")
        .prefetch_related(
            "exempt_activities",
            Prefetch(
                "situations",
                queryset=Situation.objects.select_related("activity").prefetch_related(
                    "competences"
                ),
            ),
            Prefetch(
                "revisions",
                queryset=FieldRevision.objects.select_related("author").order_by(
                    "field_key", "number"
                ),
            ),
            Prefetch("attachments", queryset=Attachment.objects.select_related("review")),
            Prefetch("imports", queryset=Livret2Import.objects.prefetch_related("fragments")),
            "pii_dismissals",
            Prefetch(
                "comment_threads",
                queryset=CommentThread.objects.select_related(
                    "opened_by", "resolved_by"
                ).prefetch_related(
                    Prefetch("comments", queryset=Comment.objects.select_related("author"))
                ),
            ),
            Prefetch("transitions", queryset=DossierTransitionLog.objects.select_related("by")),
        )
        .order_by("attempt")
    )
    registrations = (
        Registration.objects.select_related("session", "deliberation")
        .prefetch_related(
            Prefetch(
                "transitions", queryset=RegistrationTransitionLog.objects.select_related("by")
            ),
            Prefetch(
                "deliberation__results", queryset=BlocResult.objects.select_related("activity")
            ),
        )
        .order_by("session__date", "pk")
    )
    return list(
        VaeCase.objects.filter(candidate=user)
        .select_related(
            "referentiel_version__certification", "branch", "coaching_organisation", "coach"
        )
        .prefetch_related(
            Prefetch("admissibility_requests", queryset=requests.order_by("created_at", "pk")),
            Prefetch("dossiers", queryset=dossiers),
            Prefetch("registrations", queryset=registrations),
        )
        .order_by("created_at", "pk")
    )


def _acquired(user: User) -> list[dict[str, Any]]:
    blocs = (
        AcquiredBloc.objects.filter(candidate=user)
        .select_related("certification", "activity")
        .order_by("certification__name", "activity__number")
    )
    return [
        {
            "certification": bloc.certification.name,
            "bloc": bloc.bloc_code,
            "intitule": bloc.activity.title,
            "valide_le": _day(bloc.acquired_on),
            "decision_id": bloc.deliberation_id,
        }
        for bloc in blocs
    ]


def _comments_written(user: User) -> list[dict[str, Any]]:
    comments = (
        Comment.objects.filter(author=user).select_related("thread").order_by("created_at", "pk")
    )
    return [
        {
            "livret2_id": c.thread.dossier_id,
            "partie_du_dossier": FIXED_SECTIONS.get(c.thread.section, c.thread.section),
            "ecrit_le": _moment(c.created_at),
            "texte": c.body,
        }
        for c in comments
    ]


def export_data(user: User) -> tuple[dict[str, Any], list[_StoredFile]]:
    """The person's data as JSON-ready values, and the stored files it lists."""
    files = _Files()
    data: dict[str, Any] = {
        "format": FORMAT,
        "genere_le": _moment(timezone.now()),
        "compte": _account(user),
    }
    if user.role == Role.CANDIDATE:
        data["parcours"] = [_case(case, files) for case in _cases(user)]
        data["blocs_de_competences_acquis"] = _acquired(user)
    else:
        data["commentaires_rediges"] = _comments_written(user)
    return data, files.items


def export_zip(user: User, out: IO[bytes]) -> None:
    """Write the person's archive to `out` (a binary, writable file; seekable or not)."""
    data, files = export_data(user)
    generated = timezone.localtime().strftime("%d/%m/%Y à %H:%M")
    with zipfile.ZipFile(out, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(generated=generated).encode())
        # The files first: the JSON then says which ones storage had lost.
        for stored in files:
            _copy(archive, stored)
        with (
            archive.open("donnees.json", "w") as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as text,
        ):
            json.dump(data, text, ensure_ascii=False, indent=2)
            text.write("\n")
