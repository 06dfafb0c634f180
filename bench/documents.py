"""`make bench`, second part: how fast the platform renders a Livret 2, against LibreOffice.

One run, in this process: a throwaway SQLite database in a temporary folder (bench.settings, as
bench/autosave.py), migrated, the référentiel loaded, then one reference dossier built through
the project's services, always the same (seeded text): 6 situations of about 900 words each
(activities I ×2, II ×1 with 2 competences, III ×2, IV ×1; every part written, 2 of them with a
context of their own), a motivation of about 500 words, a context of about 200 words and
5 annexes — a CV and 2 pieces of evidence in PDF (1, 2 and 3 pages), a PNG screenshot and a JPEG
photo (1000×700). 29 more dossiers of the same shape, each with its own text, are built too:
every warm-up and timed run renders a dossier never rendered before, because Typst memoizes
layout between compilations (the same dossier again, far cheaper, is measured apart).

Measured, with wall-clock time (and CPU time of this process, threads included):
- the Livret 2 as PDF (`livret2_pdf`, Typst) and as DOCX (`livret2_docx`, python-docx), data
  read from the database included: 3 warm-up runs each, then BENCH_DOC_RUNS (20) runs each,
  alternating PDF, DOCX, PDF, DOCX… so that both share the machine alike;
- the jury's bundle (`bundle_pdf`, the Livret 2 and its annexes in one PDF): 1 warm-up run, then
  BENCH_BUNDLE_RUNS (5) — informative;
- what candidates do today: `libreoffice --headless --convert-to pdf` on the same DOCX, with a
  private profile in the temporary folder: 1 warm-up run (it creates the profile), then
  BENCH_LIBREOFFICE_RUNS (3).

Goals: PDF median <= 0.2 s, DOCX median <= 0.3 s, LibreOffice median / PDF median >= 10. Exit
status 1 if one fails or could not be measured (LibreOffice missing: install it with
`sudo apt-get install -y libreoffice-writer-nogui`, or set BENCH_SKIP_LIBREOFFICE=1 to leave
that goal out). Figures go to bench/results/documents-last.json.
"""

from __future__ import annotations

import io
import json
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RESULT_FILE = RESULTS / "documents-last.json"

WARMUP_RUNS = int(os.environ.get("BENCH_DOC_WARMUP", "3"))
RUNS = int(os.environ.get("BENCH_DOC_RUNS", "20"))
BUNDLE_RUNS = int(os.environ.get("BENCH_BUNDLE_RUNS", "5"))
LIBREOFFICE_RUNS = int(os.environ.get("BENCH_LIBREOFFICE_RUNS", "3"))
SKIP_LIBREOFFICE = os.environ.get("BENCH_SKIP_LIBREOFFICE") == "1"
LIBREOFFICE_TIMEOUT = 300  # seconds, per conversion
INSTALL_LIBREOFFICE = "sudo apt-get install -y libreoffice-writer-nogui"
BUSY_MACHINE = 0.25  # cores used by other processes above which the figures are flagged

GOAL_PDF_S = 0.2
GOAL_DOCX_S = 0.3
GOAL_LIBREOFFICE_RATIO = 10.0
SIMILAR_PAGES = 0.25  # LibreOffice's page count within ±25 % of the PDF's: "similar"

SEED = 2025  # the reference dossier is the same at every run
SITUATION_WORDS = 900
MOTIVATION_WORDS = {"motivation_reasons": 270, "motivation_strengths": 230}
CONTEXT_WORDS = 200
OWN_CONTEXT_WORDS = 90

# --- the reference dossier's text -------------------------------------------------------------
# Sentences a candidate to the CQP « Conseiller offre de services » could write; the seeded
# random draws from them until each part has its share of words.

DESCRIPTION = [
    "Un mardi après-midi, je reçois en rendez-vous une allocataire d’une quarantaine d’années, "
    "mère de trois enfants, qui vient de se séparer de son conjoint.",
    "Elle a pris rendez-vous sur caf.fr avec le motif « changement de situation familiale », "
    "mais elle ne sait pas quelles démarches faire en premier.",
    "Elle me montre un courrier reçu la semaine précédente, qui lui réclame un trop-perçu "
    "d’aide au logement de plus de six cents euros.",
    "Elle est visiblement inquiète : elle répète qu’elle n’a jamais rien caché et qu’elle ne "
    "pourra pas rembourser cette somme.",
    "Le matin même, l’accueil sans rendez-vous avait été très chargé et plusieurs personnes "
    "attendaient encore lorsque son entretien a commencé.",
    "Il s’agit d’un jeune homme de vingt-deux ans, intérimaire sur les chantiers navals, qui "
    "n’a jamais eu de dossier à la caisse.",
    "Un partenaire du CCAS m’appelle au sujet d’une personne âgée qui n’arrive plus à se "
    "connecter à son espace personnel depuis le changement de mot de passe.",
    "La demande arrive par la messagerie de l’espace Mon Compte : l’allocataire ne comprend pas "
    "pourquoi son montant a baissé alors que ses revenus n’ont pas changé.",
    "Ce jour-là, j’assure seule la tenue de l’espace libre-service, avec ses quatre bornes et "
    "ses trois postes informatiques.",
    "La personne parle peu le français ; elle est accompagnée de sa fille, qui traduit nos "
    "échanges au fur et à mesure.",
    "Le dossier comporte plusieurs pièces en attente depuis deux mois, dont une attestation de "
    "loyer et un avis d’imposition.",
    "Ma responsable me demande de traiter en priorité une série de déclarations de ressources "
    "arrivées en fin de trimestre.",
]
ANALYSIS = [
    "Avant de répondre, j’ai consulté son dossier dans l’outil de gestion pour vérifier sa "
    "situation déclarée et l’historique de ses paiements.",
    "J’ai constaté que le changement de situation n’avait jamais été enregistré, ce qui "
    "expliquait le calcul de l’indu.",
    "J’ai distingué ce qui relevait de l’urgence, le paiement du loyer du mois suivant, de ce "
    "qui pouvait attendre quelques jours.",
    "J’ai vérifié dans la base documentaire les règles applicables, car je voulais être sûre de "
    "la date d’effet du changement.",
    "J’ai identifié trois besoins : comprendre l’origine de l’indu, déclarer la séparation et "
    "sécuriser ses droits pour les mois à venir.",
    "Je me suis demandé si la personne était en mesure de faire la démarche seule ou si elle "
    "avait besoin d’être accompagnée pas à pas.",
    "Les pièces fournies ne correspondaient pas à la période demandée : il manquait les bulletins "
    "de salaire des deux derniers mois.",
    "J’ai repéré que son adresse électronique était erronée, ce qui expliquait qu’elle ne "
    "recevait plus aucune notification.",
    "J’ai mesuré le risque d’une rupture de droits si la déclaration trimestrielle n’était pas "
    "faite avant la fin du mois.",
    "J’ai relu la procédure interne de traitement des réclamations pour savoir quel service "
    "devait être saisi.",
    "Sa demande réelle n’était pas celle du motif de rendez-vous : derrière la question sur le "
    "montant, il y avait une inquiétude sur le loyer.",
    "J’ai comparé les ressources déclarées avec celles transmises par l’employeur et j’ai trouvé "
    "un écart sur un mois.",
]
ACTIONS = [
    "J’ai expliqué à l’allocataire, avec des mots simples, comment le droit avait été calculé.",
    "J’ai ouvert avec elle son espace Mon Compte sur le poste libre-service et je l’ai laissée "
    "saisir elle-même le changement de situation.",
    "J’ai fait une simulation de ses droits à partir de ses nouvelles ressources.",
    "J’ai numérisé les pièces justificatives qu’elle avait apportées et je les ai rattachées à "
    "son dossier dans la GED.",
    "J’ai noté avec elle la date limite de la prochaine déclaration trimestrielle.",
    "J’ai sollicité la référente technique pour confirmer la date d’effet, avant de donner une "
    "réponse définitive.",
    "Je lui ai présenté la possibilité de demander une remise de dette et je lui ai remis le "
    "formulaire.",
    "J’ai pris contact avec le service production pour signaler que le dossier devait être "
    "traité en priorité.",
    "Je l’ai orientée vers l’assistante sociale du Département pour l’aide au paiement du loyer.",
    "J’ai tracé l’entretien dans son dossier, avec les pièces remises et les démarches restant "
    "à faire.",
    "Je lui ai montré comment retrouver ses courriers et ses attestations dans l’application "
    "mobile.",
    "J’ai vérifié, avant qu’elle parte, qu’elle avait bien reçu l’accusé de réception de sa "
    "déclaration.",
    "J’ai reformulé la demande pour m’assurer que nous parlions bien de la même période.",
    "J’ai contrôlé la cohérence de chaque saisie avec les pièces avant de valider.",
    "J’ai imprimé le récapitulatif de sa demande pour qu’elle le garde avec ses papiers.",
    "J’ai rappelé l’allocataire deux jours plus tard pour vérifier que la pièce manquante avait "
    "bien été déposée.",
    "J’ai proposé un rendez-vous de suivi la semaine suivante, au même créneau.",
    "J’ai complété la fiche de liaison destinée au partenaire, sans y mettre d’information qui ne "
    "le concernait pas.",
]
RATIONALE = [
    "J’ai commencé par la rassurer, car une personne inquiète retient mal les informations qu’on "
    "lui donne.",
    "J’ai préféré faire la démarche avec elle plutôt qu’à sa place, parce qu’elle devra la "
    "refaire seule tous les trois mois.",
    "J’ai demandé l’avis de la référente technique afin de ne pas donner une information "
    "inexacte qui aurait pu créer un nouvel indu.",
    "J’ai insisté sur les dates, puisque c’est le respect des délais qui évite la plupart des "
    "rappels.",
    "Je l’ai orientée vers le Département, car c’est lui qui finance les aides d’urgence au "
    "logement et qui suit son parcours d’insertion.",
    "J’ai respecté strictement le secret professionnel : je n’ai donné aucune information à sa "
    "fille sans son accord explicite.",
    "L’objectif était qu’elle reparte avec une réponse claire et une seule démarche à faire, "
    "pour ne pas la décourager.",
    "J’ai choisi de tracer précisément l’entretien, afin que mes collègues puissent reprendre le "
    "dossier sans lui reposer les mêmes questions.",
    "En effet, un dossier incomplet bloque le traitement et retarde le paiement de plusieurs "
    "semaines.",
    "J’ai pris le temps d’expliquer le calcul, parce qu’un droit compris est un droit mieux "
    "déclaré par la suite.",
    "J’ai décidé de signaler l’écart au service contrôle, car la procédure le prévoit dès qu’un "
    "doute existe sur les ressources.",
    "Ce qui m’a guidée, c’est la règle de la caisse : une seule réponse, juste, plutôt que "
    "plusieurs réponses approximatives.",
]
OUTCOME = [
    "L’allocataire est repartie rassurée, avec sa déclaration enregistrée et un calendrier "
    "précis des prochaines étapes.",
    "Deux semaines plus tard, son droit a été recalculé et le trop-perçu a été réduit de moitié.",
    "Le mois suivant, elle a fait seule sa déclaration trimestrielle depuis son téléphone.",
    "Le dossier a été traité sans relance et le paiement est intervenu à la date habituelle.",
    "Ma responsable a repris cet exemple en réunion d’équipe pour rappeler l’intérêt de vérifier "
    "l’adresse électronique des allocataires.",
    "J’ai appris à chercher la question derrière la demande, au lieu de répondre seulement au "
    "motif du rendez-vous.",
    "Cette situation m’a confirmé l’importance de connaître les partenaires du territoire et "
    "leurs missions.",
    "Avec le recul, je prendrais contact plus tôt avec la référente, dès le début de l’entretien.",
    "Depuis, je vérifie systématiquement les pièces en attente avant chaque rendez-vous.",
    "J’en ai retenu qu’expliquer un indu avec calme désamorce la plupart des tensions à l’accueil.",
    "Aucune réclamation n’a été déposée et l’allocataire a remercié l’accueil par écrit.",
    "Je me sens aujourd’hui plus à l’aise pour accompagner les personnes éloignées du numérique.",
    "La référente technique m’a ensuite demandé de partager ce cas avec les nouveaux conseillers.",
    "Quelques semaines plus tard, la personne est revenue pour une autre démarche et l’a faite "
    "seule, sur une borne.",
    "Cette expérience m’a appris à annoncer dès le début de l’entretien ce que nous pourrions "
    "faire ensemble et ce qui dépendrait d’un autre service.",
]
OWN_CONTEXT = [
    "Cette situation s’est déroulée pendant mes trois mois de renfort dans un espace France "
    "services, en dehors de mon site habituel.",
    "L’espace est animé par deux agents de la commune et reçoit le public de plusieurs "
    "organismes : CAF, CPAM, Assurance retraite, impôts.",
    "Je n’y avais pas accès à tous mes outils : je travaillais à partir des espaces en ligne des "
    "usagers et d’un poste partagé.",
    "Les permanences ont lieu deux matinées par semaine, sur rendez-vous, dans une commune "
    "rurale éloignée de l’accueil de la caisse.",
    "Le public y est souvent âgé et peu équipé en informatique ; beaucoup viennent avec leurs "
    "courriers papier.",
]
MOTIVATION_REASONS = [
    "Je travaille depuis six ans à l’accueil de la caisse d’allocations familiales, après un "
    "premier parcours dans la vente puis dans la banque.",
    "Je n’ai pas d’autre diplôme que mon baccalauréat, et rien ne reconnaît aujourd’hui ce que "
    "j’ai appris sur le terrain.",
    "Je m’engage dans la VAE pour faire valider officiellement mes compétences en législation, en "
    "accompagnement numérique et en maîtrise des risques.",
    "Le moment me semble bon : mes missions se sont élargies et ma responsable m’a encouragée "
    "lors de mon entretien annuel.",
    "À plus long terme, j’aimerais évoluer vers un poste de gestionnaire conseil, et le CQP "
    "serait une première étape.",
    "La VAE est aussi pour moi l’occasion de prendre du recul sur ma pratique et d’expliquer "
    "pourquoi je fais les choses comme je les fais.",
    "J’ai suivi plusieurs formations internes, sur les aides au logement et sur l’accueil des "
    "publics en difficulté, sans qu’elles soient certifiantes.",
    "Mes enfants sont plus grands et je dispose désormais du temps nécessaire pour rédiger ce "
    "dossier sérieusement.",
    "Je souhaite aussi montrer à mes collègues qu’un parcours de validation est possible sans "
    "reprendre des études.",
    "Mon parcours est fait d’expériences successives que je n’ai jamais eu l’occasion de relier "
    "entre elles.",
    "Beaucoup de collègues recrutés plus récemment ont suivi la formation qualifiante, et je "
    "souhaite que mon expérience soit reconnue au même niveau.",
    "Rédiger ce livret m’oblige à mettre des mots sur des gestes devenus automatiques, et c’est "
    "déjà un apprentissage.",
    "Un diplôme reconnu dans toute la branche me donnerait aussi la possibilité de changer de "
    "caisse si ma famille déménage.",
    "Ma conseillère VAE m’a aidée à choisir les situations qui montrent le mieux ce que je sais "
    "faire.",
]
MOTIVATION_STRENGTHS = [
    "Mon premier atout est l’écoute : je sais prendre le temps de comprendre la demande réelle "
    "avant de répondre.",
    "Je connais bien la législation des prestations les plus demandées : prime d’activité, RSA, "
    "aides au logement, prestations familiales.",
    "Je sais lire un dossier dans nos outils et expliquer un calcul ou un indu avec des mots "
    "simples.",
    "Je suis à l’aise avec les outils numériques et j’aime accompagner les allocataires sur "
    "caf.fr pour qu’ils deviennent autonomes.",
    "Je connais mes limites : je sollicite les référents techniques quand une situation dépasse "
    "mes connaissances.",
    "Je respecte strictement le secret professionnel et les règles de confidentialité des données.",
    "Mes mois de renfort dans un espace France services m’ont appris à travailler avec les "
    "partenaires du territoire.",
    "Je reste calme face aux personnes en colère, ce qui me permet de désamorcer la plupart des "
    "tensions à l’accueil.",
    "Je sais organiser mon temps entre l’accueil, les rendez-vous et les tâches de traitement, "
    "même les jours de forte affluence.",
    "Mes années dans la vente m’ont donné l’habitude de présenter une offre de manière claire et "
    "adaptée à chaque personne.",
    "Je vérifie toujours une information avant de la donner, et je n’hésite pas à rappeler une "
    "personne quand j’ai un doute.",
    "Je partage volontiers mes astuces avec les nouveaux collègues, notamment sur les outils "
    "numériques.",
    "Je suis attentive aux signes de fragilité, et je sais orienter une personne vers le travailleur "
    "social quand c’est nécessaire.",
]
CONTEXT = [
    "Je suis conseillère offre de services à l’accueil d’une caisse d’allocations familiales qui "
    "couvre une ville moyenne et les communes voisines.",
    "L’accueil reçoit environ cent cinquante personnes par jour, sans rendez-vous le matin et sur "
    "rendez-vous l’après-midi.",
    "Nous sommes neuf conseillers, encadrés par une responsable d’accueil et appuyés par deux "
    "référents techniques.",
    "Nous travaillons avec les services de production, le service contrôle et les partenaires "
    "du territoire : CCAS, Département, bailleurs sociaux.",
    "Le public est très varié : familles, jeunes actifs, étudiants, bénéficiaires du RSA, "
    "personnes âgées, salariés intérimaires.",
    "J’alterne l’accueil physique, les rappels téléphoniques et la numérisation des pièces "
    "justificatives.",
    "J’utilise au quotidien l’outil de gestion des dossiers, la GED, l’outil de prise de "
    "rendez-vous et la base documentaire de la branche.",
    "La caisse a engagé depuis deux ans un plan de développement du numérique, avec des "
    "ateliers pour les allocataires.",
    "Les rendez-vous sont préparés la veille à partir du motif saisi par la personne lors de sa "
    "prise de rendez-vous.",
    "Chaque conseiller tient aussi, à tour de rôle, une permanence téléphonique dédiée aux "
    "partenaires.",
    "Notre activité est suivie par des indicateurs de délai d’attente et de satisfaction, "
    "présentés chaque mois en réunion d’équipe.",
    "Le site accueille aussi, deux fois par mois, une permanence de la CPAM et une autre de "
    "l’Assurance retraite.",
    "Les courriers et les pièces déposés à l’accueil sont numérisés le jour même pour ne pas "
    "retarder le traitement des dossiers.",
]
LETTER = [
    "Suite à votre demande, nous avons examiné votre dossier au regard des pièces que vous nous "
    "avez transmises et des informations dont nous disposons.",
    "Le montant de votre droit est calculé à partir des ressources que vous avez déclarées pour "
    "le trimestre de référence et de la composition de votre foyer.",
    "Pensez à effectuer votre déclaration trimestrielle sur caf.fr ou sur l’application mobile "
    "avant la date indiquée dans votre espace Mon Compte.",
    "Si votre situation change, signalez-le sans attendre : un changement déclaré tardivement "
    "peut entraîner un rappel ou un trop-perçu.",
    "Vous pouvez contester cette décision dans un délai de deux mois auprès de la commission de "
    "recours amiable, par courrier ou depuis votre espace personnel.",
    "Les pièces justificatives doivent être lisibles et complètes ; un document illisible "
    "retarde le traitement de votre demande.",
    "Le tableau ci-joint récapitule les montants versés au cours des douze derniers mois, "
    "prestation par prestation.",
    "Nos conseillers vous reçoivent sur rendez-vous du lundi au vendredi ; vous pouvez prendre "
    "rendez-vous en ligne ou par téléphone.",
]

# activity number, title, when, context mode, competence codes
SITUATIONS = [
    (1, "Reprise d’emploi d’une allocataire au RSA : prime d’activité et orientation", "Mars 2025",
     "general", []),
    (1, "Séparation et trop-perçu d’aide au logement pendant une permanence France services",
     "Novembre 2024", "own", []),
    (2, "Un écart de ressources signalé au service contrôle dans le respect du secret "
     "professionnel", "Janvier 2025", "general", ["II-1", "II-4"]),
    (3, "Accompagner une personne âgée vers son espace Mon Compte", "Octobre 2024", "general",
     []),
    (3, "Première démarche en ligne d’un jeune intérimaire, en permanence délocalisée",
     "Juin 2024", "own", []),
    (4, "Saisie en nombre des déclarations trimestrielles de fin de période", "Avril 2025",
     "general", []),
]  # fmt: skip
SITUATION_SHARES = {  # of the words left once the title, the date and an own context are counted
    "description": 0.17,
    "analysis": 0.18,
    "actions": 0.25,
    "rationale": 0.21,
    "outcome": 0.19,
}
POOLS = {
    "description": DESCRIPTION,
    "analysis": ANALYSIS,
    "actions": ACTIONS,
    "rationale": RATIONALE,
    "outcome": OUTCOME,
    "own_context": OWN_CONTEXT,
    "motivation_reasons": MOTIVATION_REASONS,
    "motivation_strengths": MOTIVATION_STRENGTHS,
    "context": CONTEXT,
}


def count_words(text: str) -> int:
    """Words as a word processor counts them (bullet markers aside)."""
    return sum(1 for token in text.split() if token not in ("-", "–", "•"))


# Put before a sentence now and then, so that paragraphs differ from one dossier to another.
CONNECTORS = [
    "Ce jour-là, ", "Ensuite, ", "Très vite, ", "Par ailleurs, ", "Dans ce cas, ",
    "Concrètement, ", "À ce moment-là, ", "Comme souvent, ", "De mon côté, ", "Au fond, ",
    "D’abord, ", "Puis ", "Dans la foulée, ", "Bien sûr, ", "Cette fois, ",
]  # fmt: skip


def vary(rng: random.Random, sentence: str) -> str:
    if (
        rng.random() < 0.5
        or sentence in LETTER
        or sentence.startswith(("En effet", "Enfin", "Avec le recul"))
    ):
        return sentence
    return rng.choice(CONNECTORS) + sentence[0].lower() + sentence[1:]


def write(rng: random.Random, pool: list[str], words: int, *, bullets: bool = False) -> str:
    """About `words` words of sentences drawn from the pool (each once before any repeats):
    paragraphs of 2 to 4 sentences, or bullets of 1 or 2."""
    deck: list[str] = []
    sentences: list[str] = []
    count = 0
    while True:
        if not deck:
            deck = pool[:]
            rng.shuffle(deck)
        sentence = vary(rng, deck.pop())
        if sentences and count + count_words(sentence) / 2 > words:
            break  # the sentence would overshoot more than it fits: the count is near `words`
        sentences.append(sentence)
        count += count_words(sentence)
    groups, i = [], 0
    while i < len(sentences):
        size = rng.randint(1, 2) if bullets else rng.randint(2, 4)
        groups.append(" ".join(sentences[i : i + size]))
        i += size
    if bullets:
        return "\n".join(f"- {g}" for g in groups)
    return "\n\n".join(groups)


# --- the annexes ------------------------------------------------------------------------------


def letter_pdf(rng: random.Random, pages: int, subject: str) -> bytes:
    """A letter of exactly `pages` pages (Typst's letter template): paragraphs are added until
    the letter reaches that many pages."""
    from pypdf import PdfReader

    from vaecos.documents.engine import render_pdf

    def render(count: int) -> bytes:
        return render_pdf(
            "letter.typ",
            {
                "title": subject,
                "author": "Caisse d'allocations familiales",
                "header": "Copie anonymisée — pièce jointe au Livret 2",
                "reference": f"Réf. BENCH-{pages}",
                "sender": ["Caisse d'allocations familiales", "Service des prestations"],
                "recipient": ["[NOM] [PRÉNOM]", "[ADRESSE]", "[CODE POSTAL] [VILLE]"],
                "place_date": "Le 4 avril 2025",
                "subject": subject,
                "paragraphs": ["Madame,", *texts[:count], "Veuillez agréer nos salutations."],
                "signature": ["Le directeur"],
            },
            timestamp=datetime(2025, 4, 4, tzinfo=UTC),
        )

    texts = [write(rng, LETTER, 70) for _ in range(12 * pages)]
    count = max(1, 7 * (pages - 1))
    while True:
        content = render(count)
        found = len(PdfReader(io.BytesIO(content)).pages)
        if found >= pages or count >= len(texts):
            if found != pages:
                raise RuntimeError(f"letter of {pages} pages: got {found}")
            return content
        count += 1


def screenshot_png() -> bytes:
    """A drawn, anonymised screenshot of an online account, 1000×700."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1000, 700), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=20)
    small = ImageFont.load_default(size=16)
    draw.rectangle((0, 0, 1000, 80), fill=(0, 83, 155))
    draw.text(
        (30, 28), "Mon Compte - espace allocataire (capture anonymisee)", fill="white", font=font
    )
    draw.rectangle((0, 80, 220, 700), fill=(230, 234, 240))
    for index, item in enumerate(["Accueil", "Mes paiements", "Mes demarches", "Mes messages"]):
        draw.text((24, 110 + index * 44), item, fill=(0, 60, 120), font=small)
    lines = [
        "Allocataire : [NOM] [PRENOM]       Numero : [NUMERO ALLOCATAIRE]",
        "",
        "Mes demarches en cours",
        "  - Declaration trimestrielle de ressources : a faire avant le 30/04/2025",
        "  - Demande de prime d'activite : enregistree le 18/03/2025",
        "  - Piece a fournir : attestation de loyer (deposee le 12/09/2024)",
        "",
        "Mes derniers paiements",
        "  05/03/2025   Prime d'activite        187,42 EUR",
        "  05/03/2025   Aide au logement        241,00 EUR",
        "  05/02/2025   Aide au logement        241,00 EUR",
    ]
    for index, line in enumerate(lines):
        draw.text((250, 110 + index * 40), line, fill=(20, 20, 20), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def photo_jpeg(rng: random.Random) -> bytes:
    """A photo-like JPEG, 1000×700: a whiteboard of appointments, with sensor noise."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1000, 700), (118, 104, 92))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 50, 940, 640), fill=(236, 238, 232), outline=(90, 90, 90), width=8)
    font = ImageFont.load_default(size=22)
    for row in range(9):
        y = 110 + row * 56
        draw.line((90, y, 910, y), fill=(150, 160, 170), width=2)
        for col in range(4):
            if rng.random() < 0.7:
                x = 110 + col * 200
                text = f"{8 + row}h{rng.choice(['00', '15', '30', '45'])} RDV {rng.randint(1, 9)}"
                draw.text(
                    (x, y + 14), text, fill=rng.choice([(20, 40, 150), (160, 30, 30)]), font=font
                )
    noise = Image.frombytes("RGB", image.size, rng.randbytes(image.size[0] * image.size[1] * 3))
    image = Image.blend(image, noise, 0.08)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


# --- the database and the dossier -------------------------------------------------------------


def start_django(tmp: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'documents.sqlite3'}",
            "BENCH_MEDIA_ROOT": str(tmp / "media"),
        }
    )
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"):
        os.environ.pop(name, None)  # the bench settings decide
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


CANDIDATES = [
    ("Sandrine", "Lefèvre"), ("Karim", "Benali"), ("Aurélie", "Nguyen"), ("Thomas", "Girard"),
    ("Fatou", "Diallo"), ("Julie", "Rousseau"), ("Mehdi", "Haddad"), ("Élodie", "Fontaine"),
]  # fmt: skip


def make_annexes() -> list[tuple[str, bytes, int | None, bool]]:
    """The 5 annexes: file name, content, index of its situation (None: the CV), is it the CV."""
    rng = random.Random(SEED)
    return [
        ("cv.pdf", letter_pdf(rng, 2, "Curriculum vitae"), None, True),
        (
            "notification-prime-activite-anonymisee.pdf",
            letter_pdf(rng, 1, "Votre droit à la prime d'activité"),
            0,
            False,
        ),
        ("capture-mon-compte-anonymisee.png", screenshot_png(), 3, False),
        (
            "procedure-signalement-extrait.pdf",
            letter_pdf(rng, 3, "Procédure de signalement des écarts de ressources (extrait)"),
            2,
            False,
        ),
        ("tableau-rendez-vous.jpg", photo_jpeg(rng), 5, False),
    ]


def load_referentiel() -> Any:
    from django.core.management import call_command

    from vaecos.referentiels.models import Certification

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_referentiel", verbosity=0, stdout=io.StringIO())
    version = Certification.objects.get(code="cqp-cos").current_version()
    assert version is not None
    return version


def build_dossier(
    version: Any, index: int, annexes: list[tuple[str, bytes, int | None, bool]]
) -> tuple[Any, dict[str, Any]]:
    """Dossier number `index` (0 is the reference), through the project's services, with the
    same shape as every other and its own text (seed SEED + index); returns it and its words."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vaecos.accounts.models import Role, User
    from vaecos.cases.services import case_open
    from vaecos.dossiers import fields as dossier_fields
    from vaecos.dossiers import services
    from vaecos.dossiers.models import AttachmentKind, ContextMode, Dossier

    first_name, last_name = CANDIDATES[index % len(CANDIDATES)]
    user = User.objects.create_user(
        f"candidat-{index:02d}@bench.test",
        secrets.token_urlsafe(16),
        first_name=first_name,
        last_name=last_name,
        role=Role.CANDIDATE,
    )
    case = case_open(
        candidate=user, referentiel_version=version, branch=version.branches.get(code="famille")
    )
    dossier = services.dossier_open(case=case, by=user)
    rng = random.Random(SEED + index)

    def save(key: str, text: str) -> None:
        base = services.current_revisions(dossier).get(key, 0)
        result = services.field_save(
            dossier=dossier, field_key=key, text=text, base_revision=base, by=user
        )
        assert result.outcome == "saved", (key, result.outcome)

    words: dict[str, Any] = {"situations": []}
    for name, target in {**MOTIVATION_WORDS, "context": CONTEXT_WORDS}.items():
        text = write(rng, POOLS[name], target)
        save(dossier_fields.dossier_key(name), text)
        words[name] = count_words(text)
    words["motivation"] = sum(words[name] for name in MOTIVATION_WORDS)

    activities = {a.number: a for a in version.activities.all()}
    situations = []
    for number, title, when, mode, codes in SITUATIONS:
        activity = activities[number]
        situation = services.situation_add(dossier=dossier, activity=activity, by=user)
        services.situation_update_options(
            dossier=dossier,
            situation=situation,
            by=user,
            included=True,
            context_mode=mode,
            competence_ids=list(
                activity.competences.filter(code__in=codes).values_list("pk", flat=True)
            ),
        )
        parts = {"title": title, "when": when}
        if mode == ContextMode.OWN:
            parts["own_context"] = write(rng, OWN_CONTEXT, OWN_CONTEXT_WORDS)
        left = SITUATION_WORDS - sum(count_words(t) for t in parts.values())
        for name, share in SITUATION_SHARES.items():
            parts[name] = write(rng, POOLS[name], round(left * share), bullets=name == "actions")
        for name, text in parts.items():
            save(dossier_fields.situation_key(situation.pk, name), text)
        words["situations"].append(sum(count_words(t) for t in parts.values()))
        situations.append(situation)

    kinds = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}
    for name, content, at, is_cv in annexes:
        services.attachment_add(
            dossier=dossier,
            upload=SimpleUploadedFile(name, content, kinds[Path(name).suffix]),
            kind=AttachmentKind.CV if is_cv else AttachmentKind.EVIDENCE,
            by=user,
            situation=None if at is None else situations[at],
        )
    words["situations_total"] = sum(words["situations"])
    words["total"] = words["situations_total"] + words["motivation"] + words["context"]
    return Dossier.objects.get(pk=dossier.pk), words


# --- the measures -----------------------------------------------------------------------------


def machine_cpu() -> float:
    """CPU seconds used so far by the whole machine (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Series:
    """Wall and CPU times of one kind of render."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.first: float | None = None  # the very first run, cold
        self.output = b""

    def run(self, render: Callable[[Any], bytes], dossier: Any, *, keep: bool = True) -> None:
        cpu, start = time.process_time(), time.perf_counter()
        self.output = render(dossier)
        wall = time.perf_counter() - start
        if self.first is None:
            self.first = wall
        if keep:
            self.wall.append(wall)
            self.cpu.append(time.process_time() - cpu)

    def figures(self) -> dict[str, Any]:
        return summary(self.wall) | {
            "cpu_median_s": round(statistics.median(self.cpu), 4) if self.cpu else None,
            "first_run_s": round(self.first, 4) if self.first is not None else None,
            "bytes": len(self.output),
        }


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"runs": 0, "median_s": None, "p95_s": None, "min_s": None, "max_s": None}
    ordered = sorted(values)
    cuts = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else ordered * 99
    )
    return {
        "runs": len(ordered),
        "median_s": round(statistics.median(ordered), 4),
        "p95_s": round(cuts[94], 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
    }


def page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def paragraphs(data: dict[str, Any]) -> set[str]:
    """Every paragraph and bullet of a Livret 2's text."""
    parts = [*data["motivation"], data["context"]]
    parts += [p for a in data["activities"] for s in a["situations"] for p in s["parts"]]
    found: set[str] = set()
    for part in parts:
        for block in part["blocks"]:
            found.update([block["text"]] if block["type"] == "p" else block["items"])
    return found


def dossiers_needed() -> int:
    # The reference, then one never rendered before for each warm-up and timed run.
    return 1 + WARMUP_RUNS + RUNS + 1 + BUNDLE_RUNS


def measure_renders(dossiers: list[Any]) -> dict[str, Any]:
    """Each warm-up and timed run renders a dossier that was never rendered before: Typst
    memoizes layout between compilations, so rendering the same text again is much cheaper
    (measured apart, as « same dossier again »)."""
    from vaecos.documents.bundle import bundle_pdf
    from vaecos.documents.exports import livret2_docx, livret2_pdf
    from vaecos.documents.livret2 import livret2_data

    def data_json(dossier: Any) -> bytes:  # what the PDF template receives
        return json.dumps(livret2_data(dossier), ensure_ascii=False, default=str).encode()

    reference, fresh = dossiers[0], iter(dossiers[1:])
    pdf, docx, data = Series("pdf"), Series("docx"), Series("data")
    again, bundle = Series("pdf again"), Series("bundle")
    rendered: list[Any] = []
    for _ in range(WARMUP_RUNS):
        dossier = next(fresh)
        pdf.run(livret2_pdf, dossier, keep=False)
        docx.run(livret2_docx, dossier, keep=False)
        rendered.append(dossier)
    print(
        f"Warm-up done ({WARMUP_RUNS} runs each); {RUNS} timed runs each, PDF and DOCX "
        "alternating, a new dossier each time…",
        flush=True,
    )
    timed: list[Any] = []
    all_cpu, own_cpu, start = machine_cpu(), time.process_time(), time.perf_counter()
    for _ in range(RUNS):
        dossier = next(fresh)
        pdf.run(livret2_pdf, dossier)
        docx.run(livret2_docx, dossier)
        data.run(data_json, dossier)
        timed.append(dossier)
    seconds = time.perf_counter() - start
    others = max(0.0, machine_cpu() - all_cpu - (time.process_time() - own_cpu)) / seconds

    # How new each timed dossier's text was to Typst: paragraphs seen in an earlier dossier.
    seen = set().union(*(paragraphs(livret2_data(d)) for d in rendered))
    shared = total = 0
    for dossier in timed:
        own = paragraphs(livret2_data(dossier))
        shared, total = shared + len(own & seen), total + len(own)
        seen |= own

    print(f"Same dossier again: {RUNS} runs; jury bundle: 1 warm-up run, {BUNDLE_RUNS} timed…")
    again.run(livret2_pdf, reference, keep=False)
    for _ in range(RUNS):
        again.run(livret2_pdf, reference)
    for index in range(1 + BUNDLE_RUNS):
        dossier = next(fresh)
        bundle.run(bundle_pdf, dossier, keep=index > 0)
    outputs = {
        "pdf": livret2_pdf(reference),
        "docx": livret2_docx(reference),
        "bundle": bundle_pdf(reference),
    }
    return {
        "pdf": pdf.figures() | {"pages": page_count(outputs["pdf"])},
        "docx": docx.figures(),
        "data": data.figures(),
        "pdf_same_dossier_again": again.figures(),
        "bundle": bundle.figures() | {"pages": page_count(outputs["bundle"])},
        "paragraphs_seen_before": round(shared / total, 3) if total else None,
        "other_cpu_cores": round(others, 2),
        "outputs": outputs,
    }


def convert_with_libreoffice(docx: bytes, tmp: Path) -> dict[str, Any]:
    """Time `libreoffice --headless --convert-to pdf` on the DOCX, as a candidate's machine does."""
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    if exe is None:
        return {"installed": False, "runs": 0, "median_s": None}
    folder, profile = tmp / "libreoffice", tmp / "libreoffice-profile"
    folder.mkdir()
    source = folder / "livret2.docx"
    source.write_bytes(docx)
    target = folder / "livret2.pdf"
    command = [
        exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to", "pdf", "--outdir", str(folder), str(source),
    ]  # fmt: skip
    times: list[float] = []
    first: float | None = None
    for index in range(1 + LIBREOFFICE_RUNS):
        target.unlink(missing_ok=True)
        start = time.perf_counter()
        # Own process group, so that a conversion that hangs can be stopped with its children.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=LIBREOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return {"installed": True, "error": f"timed out after {LIBREOFFICE_TIMEOUT} s"}
        wall = time.perf_counter() - start
        if process.returncode != 0 or not target.exists():
            return {
                "installed": True,
                "error": f"status {process.returncode}: {output.decode(errors='replace')[-500:]}",
            }
        if index == 0:
            first = wall  # creates the profile
        else:
            times.append(wall)
        print(f"  LibreOffice run {index + 1}: {wall:.2f} s", flush=True)
    shutil.copyfile(target, RESULTS / "documents-last-libreoffice.pdf")  # to compare
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return summary(times) | {
        "installed": True,
        "executable": exe,
        "version": version.stdout.strip(),
        "first_run_s": round(first, 3) if first is not None else None,
        "pages": page_count(target.read_bytes()),
        "pdf_bytes": target.stat().st_size,
    }


# --- the report -------------------------------------------------------------------------------


def judge(renders: dict[str, Any], office: dict[str, Any]) -> dict[str, Any]:
    pdf, docx = renders["pdf"]["median_s"], renders["docx"]["median_s"]
    lo = office.get("median_s")
    ratio = round(lo / pdf, 1) if lo and pdf else None
    pages_ratio = (
        round(office["pages"] / renders["pdf"]["pages"], 2) if office.get("pages") else None
    )
    return {
        "pdf_ok": pdf is not None and pdf <= GOAL_PDF_S,
        "docx_ok": docx is not None and docx <= GOAL_DOCX_S,
        "libreoffice_ratio": ratio,
        # A goal that could not be measured is not met, unless it was left out on purpose.
        "libreoffice_ok": (ratio is not None and ratio >= GOAL_LIBREOFFICE_RATIO)
        if not SKIP_LIBREOFFICE
        else None,
        "libreoffice_skipped": SKIP_LIBREOFFICE,
        "pages_libreoffice_over_pdf": pages_ratio,
        "pages_similar": pages_ratio is not None and abs(pages_ratio - 1) <= SIMILAR_PAGES,
        "machine_busy_elsewhere": renders["other_cpu_cores"] > BUSY_MACHINE,
    }


def show(result: dict[str, Any]) -> None:
    renders, office, verdict, words = (
        result["renders"], result["libreoffice"], result["verdict"], result["dossier"]
    )  # fmt: skip

    def s(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f} s"

    def mark(ok: bool | None) -> str:
        return {True: "ok", False: "ÉCHEC / FAILED", None: "non mesuré / skipped"}[ok]

    def row(label: str, f: dict[str, Any], goal: str = "", ok: str = "") -> tuple[str, ...]:
        return (
            label, s(f.get("median_s")), s(f.get("p95_s")), s(f.get("max_s")),
            s(f.get("cpu_median_s")), str(f.get("runs", "")), goal, ok,
        )  # fmt: skip

    rows = [
        ("", "médiane/median", "p95", "max", "CPU méd.", "runs", "objectif/goal", ""),
        row("PDF du Livret 2 (Typst)", renders["pdf"], f"<= {GOAL_PDF_S} s",
            mark(verdict["pdf_ok"])),
        row("DOCX du Livret 2 (python-docx)", renders["docx"], f"<= {GOAL_DOCX_S} s",
            mark(verdict["docx_ok"])),
        row("  dont données / of which data", renders["data"]),
        row("PDF, même dossier / same dossier again", renders["pdf_same_dossier_again"],
            "(info)"),
        row("Dossier du jury / jury bundle", renders["bundle"], "(info)"),
    ]  # fmt: skip
    if office.get("median_s") is not None:
        rows.append(row("LibreOffice DOCX → PDF", office, "(référence)"))
    else:
        why = office.get("error") or ("left out" if SKIP_LIBREOFFICE else "NOT INSTALLED")
        rows.append(("LibreOffice DOCX → PDF", "-", "", "", "", "0", "", why))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    conf = result["config"]
    print()
    print(
        f"Documents benchmark / rendu des documents — reference dossier: 6 situations "
        f"({', '.join(str(w) for w in words['situations'])} words), motivation "
        f"{words['motivation']}, context {words['context']}, {len(words['annexes'])} annexes; "
        f"{conf['cpus']} CPUs, Python {conf['python']}"
    )
    for r in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))
    pdf_pages, lo_pages = renders["pdf"]["pages"], office.get("pages")
    print(
        f"  pages: PDF {pdf_pages}, jury bundle {renders['bundle']['pages']}, DOCX through "
        f"LibreOffice {lo_pages if lo_pages is not None else '-'}"
        + (
            f" ({'similar' if verdict['pages_similar'] else 'NOT similar'}: "
            f"×{verdict['pages_libreoffice_over_pdf']})"
            if lo_pages is not None
            else ""
        )
    )
    print(
        f"  sizes: PDF {renders['pdf']['bytes'] // 1024} kB, DOCX {renders['docx']['bytes'] // 1024} "
        f"kB, bundle {renders['bundle']['bytes'] // 1024} kB; first (cold) run: PDF "
        f"{s(renders['pdf']['first_run_s'])}, DOCX {s(renders['docx']['first_run_s'])}"
        + (
            f", LibreOffice with a new profile {s(office['first_run_s'])}"
            if office.get("first_run_s") is not None
            else ""
        )
    )
    print(
        f"  each timed run renders a dossier never rendered before ("
        f"{renders['paragraphs_seen_before']:.0%} of its paragraphs and bullets were in an "
        "earlier one); the same dossier again is cheaper: Typst memoizes layout between runs"
    )
    if verdict["machine_busy_elsewhere"]:
        print(
            f"  ! other processes used {renders['other_cpu_cores']} cores during the timed runs: "
            "the machine was shared, the figures are less reliable."
        )
    print()
    print("Objectifs / goals:")
    print(
        f"  PDF median {s(renders['pdf']['median_s'])} <= {GOAL_PDF_S} s: {mark(verdict['pdf_ok'])}"
    )
    print(
        f"  DOCX median {s(renders['docx']['median_s'])} <= {GOAL_DOCX_S} s: "
        f"{mark(verdict['docx_ok'])}"
    )
    if SKIP_LIBREOFFICE:
        print("  LibreOffice / PDF >= 10: left out (BENCH_SKIP_LIBREOFFICE=1)")
    elif not office.get("installed"):
        print(
            f"  LibreOffice / PDF >= {GOAL_LIBREOFFICE_RATIO:g}: NOT MEASURED (LibreOffice is not "
            f"installed) — a goal not measured is not met. Install it with:\n"
            f"    {INSTALL_LIBREOFFICE}\n"
            "  or leave this goal out with BENCH_SKIP_LIBREOFFICE=1."
        )
    else:
        print(
            f"  LibreOffice median / PDF median = {verdict['libreoffice_ratio']} >= "
            f"{GOAL_LIBREOFFICE_RATIO:g}: {mark(verdict['libreoffice_ok'])}"
            + (f" ({office['error']})" if office.get("error") else "")
        )
    print(f"  figures: {RESULT_FILE.relative_to(ROOT)}")


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vaecos-bench-documents-"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        count = dossiers_needed()
        print(
            f"Preparing a sqlite database, the reference dossier and {count - 1} more like it…",
            flush=True,
        )
        start_django(tmp)
        version, annexes = load_referentiel(), make_annexes()
        built = [build_dossier(version, index, annexes) for index in range(count)]
        words = built[0][1] | {
            "annexes": [
                {"name": n, "bytes": len(c), "kind": "pdf" if n.endswith(".pdf") else "image"}
                for n, c, _, _ in annexes
            ],
            "total_words_of_all_dossiers": [
                min(w["total"] for _, w in built),
                max(w["total"] for _, w in built),
            ],
        }
        renders = measure_renders([dossier for dossier, _ in built])
        outputs = renders.pop("outputs")
        (RESULTS / "documents-last-libreoffice.pdf").unlink(missing_ok=True)
        if SKIP_LIBREOFFICE:
            office: dict[str, Any] = {"installed": None, "skipped": True}
        else:
            print(
                f"LibreOffice: 1 warm-up run (new profile), {LIBREOFFICE_RUNS} timed runs…",
                flush=True,
            )
            office = convert_with_libreoffice(outputs["docx"], tmp)
        for name, content in outputs.items():  # to look at them after the run
            suffix = "docx" if name == "docx" else "pdf"
            (RESULTS / f"documents-last-{name}.{suffix}").write_bytes(content)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "warmup_runs": WARMUP_RUNS,
            "runs": RUNS,
            "bundle_runs": BUNDLE_RUNS,
            "libreoffice_runs": LIBREOFFICE_RUNS,
            "seed": SEED,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "dossier": words,
        "renders": renders,
        "libreoffice": office,
        "goals": {
            "pdf_median_s_max": GOAL_PDF_S,
            "docx_median_s_max": GOAL_DOCX_S,
            "libreoffice_over_pdf_min": GOAL_LIBREOFFICE_RATIO,
        },
    }
    result["verdict"] = verdict = judge(renders, office)
    RESULT_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    show(result)
    passed = verdict["pdf_ok"] and verdict["docx_ok"] and verdict["libreoffice_ok"] is not False
    print("\nAll goals met." if passed else "\nA goal is not met.")
    if verdict["machine_busy_elsewhere"]:
        print("The machine was busy with other work: run again on a quiet machine to conclude.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
