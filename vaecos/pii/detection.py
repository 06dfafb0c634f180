"""Personal data in French text: Presidio on spaCy's French pipeline, with recognizers of our own.

`scan_text(text)` returns the findings, each with one of `LABELS`. The spaCy model and the analyzer
are loaded once per process, on first use, or ahead of it by `load_in_background()` (which the WSGI
application calls when a server starts: the first page that scans a text would otherwise wait
seconds for the model). Nothing here reaches the network: Presidio's e-mail
recognizer (which asks tldextract for a suffix list) is not used by ours, and the environment
variable that keeps tldextract on its bundled snapshot is set before Presidio is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import functools  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import phonenumbers  # noqa: E402
from stdnum import iban as stdnum_iban  # noqa: E402
from stdnum.fr import nir as stdnum_nir  # noqa: E402
from stdnum.fr import siren as stdnum_siren  # noqa: E402
from stdnum.fr import siret as stdnum_siret  # noqa: E402

# Presidio says at INFO level which recognizers it loads, on every start: not our users' concern.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import spacy
    from presidio_analyzer import AnalyzerEngine

# Bump when the recognizers change: every remembered scan is then redone on its next look.
VERSION = "3"

SPACY_MODEL = "fr_core_news_sm"
LANGUAGE = "fr"

LABELS = (
    "PERSON",
    "NIR",
    "IBAN",
    "SIRET",
    "CAF_NUMBER",
    "PHONE",
    "EMAIL",
    "ADDRESS",
    "BIRTH_DATE",
)

LABEL_NAMES = {
    "PERSON": "Nom de personne",
    "NIR": "Numéro de sécurité sociale (NIR)",
    "IBAN": "IBAN",
    "SIRET": "SIRET / SIREN",
    "CAF_NUMBER": "Numéro d'allocataire",
    "PHONE": "Numéro de téléphone",
    "EMAIL": "Adresse électronique",
    "ADDRESS": "Adresse postale",
    "BIRTH_DATE": "Date de naissance",
}

PLACEHOLDERS = {
    "PERSON": "[NOM]",
    "NIR": "[NIR]",
    "IBAN": "[IBAN]",
    "SIRET": "[SIRET]",
    "CAF_NUMBER": "[N° ALLOCATAIRE]",
    "PHONE": "[TÉLÉPHONE]",
    "EMAIL": "[COURRIEL]",
    "ADDRESS": "[ADRESSE]",
    "BIRTH_DATE": "[DATE DE NAISSANCE]",
}

# When two findings overlap, the more specific one stays.
PRIORITY = {
    "NIR": 9,
    "IBAN": 9,
    "SIRET": 8,
    "EMAIL": 8,
    "BIRTH_DATE": 7,
    "CAF_NUMBER": 7,
    "PHONE": 6,
    "ADDRESS": 5,
    "PERSON": 1,
}


@dataclass(frozen=True)
class Finding:
    label: str
    start: int
    end: int
    text: str
    score: float = 1.0

    @property
    def label_name(self) -> str:
        return LABEL_NAMES[self.label]

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.label]


# --- Words that are never a person's name on their own ---------------------------------------


# Public services, tools and bodies of the trade, and its acronyms. Compared case-insensitively
# and without accents; a name made only of these words (and connectors) is not a person.
def _word_set(words: str) -> set[str]:
    return set(words.split())


NOT_PEOPLE = _word_set(
    """
    caf cnaf cpam cnam msa ccmsa urssaf acoss carsat cnav ugecam ucanss ameli franceconnect
    france connect travail pole emploi ccas mdph cdaph ars drees dgfip impots gouv ants cpf
    institut sécurité securite sociale assurance maladie retraite allocations familiales
    mutualite mutualité agricole caisse mon compte formation espace service services public
    mes droits sociaux mission locale département departement conseil départemental mairie
    préfecture prefecture cedex accueil agence antenne point relais maison dossier teams
    outlook excel word cristal nims kiosque doctolib internet web site tchat chat visio zoom
    apl als alf rsa aah paje css cmu cmuc ame ppa asf ij ijss nir rib iban siret siren cqp cos
    vae rncp c2s prime activité activite rfr qf cerfa pv rdv faq sms cesu pajemploi cmg ass
    are aspa asi mva pch aeeh ajpp ajpa ald acs tiers payant carte vitale
    """
)
# Titles, greetings, months and days are capitalised but never a name on their own.
NOT_PEOPLE |= _word_set(
    """
    madame monsieur mademoiselle mesdames messieurs docteur maitre bonjour cordialement
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre lundi
    mardi mercredi jeudi vendredi samedi dimanche
    """
)

CONNECTORS = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "à", "a", "en", "sur", "aux"}

TITLES = r"(?:M\.|MM\.|Mr\.?|Monsieur|Messieurs|Mme|Mmes|Madame|Mlle|Mademoiselle|Dr\.?|Docteur|Me|Maître|Pr\.?|Professeur)"

# One capitalised name word, e.g. "Dupont", "Jean-Pierre", "N'Diaye", "DUPONT", "O'Neil".
_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LOW = "a-zàâäçéèêëîïôöùûüÿæœß"
NAME_WORD = rf"(?:[{_UP}][{_LOW}{_UP}]*(?:['’\-][{_UP}]?[{_LOW}{_UP}]+)*)"
PARTICLE = r"(?:(?:de|du|des|van|von|der|ben|ibn|el|al|da|di|dos|le|la)\s+|(?:d|l)['’])"
NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE})?{NAME_WORD}){{0,3}}"


def fold(text: str) -> str:
    """Lower case without accents: "Sécurité" and "securite" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NOT_PEOPLE_FOLDED = {fold(w) for w in NOT_PEOPLE}
_CONNECTORS_FOLDED = {fold(w) for w in CONNECTORS}


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-'’.,]+", fold(text)) if w]


def is_public_name(text: str) -> bool:
    """A service, tool, body or acronym of the trade, not a person."""
    words = [w for w in _words(text) if w not in _CONNECTORS_FOLDED]
    return bool(words) and all(w in _NOT_PEOPLE_FOLDED for w in words)


# --- Our recognizers -------------------------------------------------------------------------
# Each rule yields (label, start, end, score) from the raw text (regular expressions,
# python-stdnum, phonenumbers); `_rules_recognizer()` below runs them all as one Presidio
# recognizer. The NER comes from spaCy through Presidio's SpacyRecognizer.

SEP = r"[ \u00a0.\-]?"

NIR_RE = re.compile(
    rf"(?<![\w])[12]{SEP}\d\d{SEP}(?:0[1-9]|1[0-2]|[2-9]\d){SEP}(?:\d\d|2[AaBb]){SEP}"
    rf"\d{{3}}{SEP}\d{{3}}{SEP}\d\d(?![\w])"
)
IBAN_RE = re.compile(
    r"(?<![\w])[A-Za-z]{2}\d\d(?:[ \u00a0]?[A-Za-z0-9]{4}){2,7}(?:[ \u00a0]?[A-Za-z0-9]{1,3})?(?![\w])"
)
SIRET_RE = re.compile(
    r"(?<![\w])\d{3}[ \u00a0.]?\d{3}[ \u00a0.]?\d{3}(?:[ \u00a0.]?\d{5})?(?![\w])"
)
SIREN_CONTEXT = re.compile(
    r"(?i)\b(?:siren|siret|entreprise|société|societe|auto-?entrepreneur|micro-?entreprise)\b"
)
EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w])"
)
CAF_RE = re.compile(
    r"(?i)(?:allocataire|n°\s*caf|numéro\s+caf|num\.?\s*caf|matricule|n°\s*msa|numéro\s+msa|"
    r"dossier\s+caf|référence\s+allocataire|n°\s*d['’]allocataire)"
    r"[^\d\n]{0,30}?(?<![\w])(\d{5,8}[A-Za-z]?)(?![\w])"
)
MONTHS = (
    r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    r"novembre|décembre|decembre)"
)
DATE = (
    r"(?:(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:19|20)?\d\d"
    rf"|(?:1er|0?[1-9]|[12]\d|3[01])\s+{MONTHS}\s+(?:19|20)\d\d)"
)
BIRTH_RE = re.compile(
    rf"(?i)(?:\bné(?:e|\(e\))?\s+le|\bnée?s?\s+le|date\s+de\s+naissance\s*:?|\bdate\s+naiss\.?\s*:?|"
    rf"\bdn\s*:)\s*({DATE})"
)
STREET_TYPES = (
    r"(?:rue|avenue|av\.|boulevard|bd|bld|chemin|impasse|allée|allee|place|route|cours|quai|square|"
    r"résidence|residence|lotissement|voie|passage|sentier|hameau|cité|cite|faubourg|rond-point|"
    r"esplanade|promenade|parc|villa|chaussée|montée|traverse|clos|domaine|lieu-dit|ruelle|mail)"
)
STREET_CONNECT = r"(?:(?:de|des|du|la|le|les|aux|au|sur|en|et|à)\s+|(?:l|d)['’])"
STREET_WORD = rf"(?:[{_UP}0-9][\w\-'’]*)"
CITY_WORD = rf"(?:[{_UP}][\w'’]*)"
POSTCODE_CITY = (
    rf"(?:\d{{5}}|\d\d\s\d{{3}})\s+{CITY_WORD}"
    rf"(?:(?:-|\s+)(?:(?:sur|sous|en|lès|les|le|la|de|du|des|aux)(?:-|\s+))?{CITY_WORD})*"
    r"(?:\s+(?i:cedex)(?:\s+\d+)?)?"
)
ADDRESS_RE = re.compile(
    rf"(?<![\w])\d{{1,4}}(?:\s?(?:bis|ter|quater|[bBtT])\b)?,?\s+(?i:{STREET_TYPES})\s+"
    rf"{STREET_CONNECT}*{STREET_WORD}(?:\s+{STREET_CONNECT}*{STREET_WORD}){{0,5}}"
    rf"(?:,?\s+{POSTCODE_CITY})?"
)
TITLED_RE = re.compile(rf"(?<![\w]){TITLES}\s+({NAME})")
# "Martine DUPONT": a capitalised word then a surname in capitals.
UPPER_SURNAME_RE = re.compile(
    rf"(?<![\w])([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?\s+[{_UP}]{{2,}}(?:[\-\s][{_UP}]{{2,}})?)(?![\w])"
)
LEADING_TITLE_RE = re.compile(rf"^{TITLES}\s+")


def _nir_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in NIR_RE.finditer(text):
        if stdnum_nir.is_valid(re.sub(r"[ \u00a0.\-]", "", m.group())):
            yield "NIR", m.start(), m.end(), 1.0


def _iban_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in IBAN_RE.finditer(text):
        value = m.group()
        # Shrink from the right: the pattern may have taken a following word.
        candidate = value
        while len(re.sub(r"\s", "", candidate)) >= 15:
            if stdnum_iban.is_valid(candidate.upper()):
                yield "IBAN", m.start(), m.start() + len(candidate), 1.0
                break
            candidate = re.sub(r"[ \u00a0]?[A-Za-z0-9]{1,4}$", "", candidate)


def _siret_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in SIRET_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 14 and stdnum_siret.is_valid(digits):
            yield "SIRET", m.start(), m.end(), 0.95
        elif (
            len(digits) == 9
            and stdnum_siren.is_valid(digits)
            and SIREN_CONTEXT.search(text, max(0, m.start() - 60), m.start())
        ):
            yield "SIRET", m.start(), m.end(), 0.9


# French numbers as people write them, allocated or not (a typo is still someone's number).
FRENCH_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[ \u00a0.\-]?(?:\(0\)[ \u00a0]?)?[1-9]|0[1-9])"
    r"(?:[ \u00a0.\-]?\d\d){4}(?![\w])"
)


def _phone_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in FRENCH_PHONE_RE.finditer(text):
        yield "PHONE", m.start(), m.end(), 0.9
    for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID):
        digits = re.sub(r"\D", "", match.raw_string)
        if len(digits) < 9:  # short public numbers (3230, 3646) are services, not people
            continue
        start, end = match.start, match.end
        while start < end and not text[start].isalnum() and text[start] != "+":
            start += 1  # "(06 12 …": the bracket is not part of the number
        while end > start and not text[end - 1].isalnum():
            end -= 1
        yield "PHONE", start, end, 0.95


def _email_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in EMAIL_RE.finditer(text):
        yield "EMAIL", m.start(), m.end(), 1.0


def _caf_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in CAF_RE.finditer(text):
        yield "CAF_NUMBER", m.start(1), m.end(1), 0.9


def _birth_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in BIRTH_RE.finditer(text):
        yield "BIRTH_DATE", m.start(1), m.end(1), 0.95


def _address_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in ADDRESS_RE.finditer(text):
        yield "ADDRESS", m.start(), m.end(), 0.9


def _name_matches(text: str) -> Iterable[tuple[str, int, int, float]]:
    for m in TITLED_RE.finditer(text):
        if not is_public_name(m.group(1)):
            yield "PERSON", m.start(1), m.end(1), 0.95
    for m in UPPER_SURNAME_RE.finditer(text):
        if not is_public_name(m.group(1)) and not _is_public_upper(m.group(1)):
            yield "PERSON", m.start(1), m.end(1), 0.85


def _is_public_upper(text: str) -> bool:
    # "Agence CAF", "Accueil MSA": the capitals are a body, not a surname.
    return any(fold(w) in _NOT_PEOPLE_FOLDED for w in text.split()[1:])


RULES = (
    _nir_matches,
    _iban_matches,
    _siret_matches,
    _phone_matches,
    _email_matches,
    _caf_matches,
    _birth_matches,
    _address_matches,
    _name_matches,
)


# --- Presidio wiring --------------------------------------------------------------------------


def _nlp_configuration() -> dict[str, Any]:
    return {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": {
                "PER": "PERSON",
                "LOC": "LOCATION",
                "ORG": "ORGANIZATION",
                "MISC": "MISC",
            },
            "labels_to_ignore": ["MISC"],
        },
    }


@functools.cache
def _nlp_engine() -> Any:
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    return NlpEngineProvider(nlp_configuration=_nlp_configuration()).create_engine()


def nlp() -> spacy.Language:
    """The spaCy pipeline Presidio uses (loaded once per process)."""
    return _nlp_engine().nlp[LANGUAGE]


def _rules_recognizer() -> Any:
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    class FrenchRulesRecognizer(EntityRecognizer):  # type: ignore[misc]
        """NIR, IBAN, SIRET, phone, e-mail, allocataire number, birth date, address, titled names."""

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [
                RecognizerResult(entity_type=label, start=start, end=end, score=score)
                for rule in RULES
                for label, start, end, score in rule(text)
                if label in entities
            ]

    return FrenchRulesRecognizer(
        supported_entities=list(LABELS), name="FrenchRulesRecognizer", supported_language=LANGUAGE
    )


# The analyzer is built once per process, whoever asks first: the warm-up thread or requests
# arriving together. functools.cache alone would let each of them build one (seconds and about
# 300 MB each); this lock makes the others wait for the first.
_building = threading.Lock()


def _new_lock_in_child() -> None:
    # A process forked while another thread held the lock (gunicorn --preload during the warm-up)
    # would inherit it held by a thread that does not exist there, and wait for it forever.
    global _building
    _building = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_in_child)


def analyzer() -> AnalyzerEngine:
    """Our analyzer: spaCy's NER for people's names, and the French rules above."""
    with _building:
        return _built_analyzer()


# What load_in_background() logs once the analyzer is built (followed by the time it took).
LOADED = "Détection des données personnelles prête"


def load_in_background() -> threading.Thread:
    """Build the analyzer in a daemon thread, so that the first page that scans does not wait
    for the model; a request arriving meanwhile waits for this build instead of starting its own."""

    def load() -> None:
        started = time.monotonic()
        try:
            analyzer()
        except Exception:  # the first scan will raise it again, in a request that can report it
            logger.exception("Chargement anticipé de la détection des données personnelles échoué")
        else:
            logger.info("%s en %.1f s", LOADED, time.monotonic() - started)

    thread = threading.Thread(target=load, name="vaecos-pii-warm-up", daemon=True)
    thread.start()
    return thread


@functools.cache
def _built_analyzer() -> AnalyzerEngine:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.add_recognizer(
        SpacyRecognizer(supported_language=LANGUAGE, supported_entities=["PERSON"])
    )
    registry.add_recognizer(_rules_recognizer())
    return AnalyzerEngine(
        nlp_engine=_nlp_engine(), registry=registry, supported_languages=[LANGUAGE]
    )


@functools.cache
def baseline_analyzer() -> AnalyzerEngine:
    """Presidio's default French setup, for comparison: same model, built-in recognizers only."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=_nlp_engine())
    return AnalyzerEngine(
        nlp_engine=_nlp_engine(), registry=registry, supported_languages=[LANGUAGE]
    )


# --- Clean-up of the raw results -------------------------------------------------------------


def _trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop a leading title and surrounding punctuation; None if nothing of a name is left."""
    span = text[start:end]
    title = LEADING_TITLE_RE.match(span)
    if title:
        start += title.end()
        span = text[start:end]
    stripped = span.strip(" \t\n\u00a0,;:.!?()«»\"'’-")
    if not stripped:
        return None
    start += span.index(stripped)
    end = start + len(stripped)
    return start, end


def _plausible_person(value: str) -> bool:
    if any(ch.isdigit() for ch in value) or any(ch in value for ch in "@/[]"):
        return False
    if "\n" in value:
        return False
    if is_public_name(value):
        return False
    words = value.split()
    if not words or len(words) > 5:
        return False
    # A name starts with a capital letter; an all-capitals single short word is an acronym.
    if not words[0][0].isupper():
        return False
    return not (len(words) == 1 and value.isupper() and len(value) <= 4)


def _own_name_words(own_names: Sequence[str]) -> set[str]:
    return {w for name in own_names for w in _words(name) if len(w) > 1}


def _clean(text: str, raw: Iterable[tuple[str, int, int, float]], own: set[str]) -> list[Finding]:
    kept: list[Finding] = []
    for label, start, end, score in raw:
        if label == "PERSON":
            trimmed = _trim_person(text, start, end)
            if trimmed is None:
                continue
            start, end = trimmed
            value = text[start:end]
            if not _plausible_person(value):
                continue
            if own and set(_words(value)) <= own:
                continue  # the candidate's own name
        kept.append(Finding(label, start, end, text[start:end], round(score, 2)))
    # Overlaps: the more specific label wins, then the longer span.
    kept.sort(key=lambda f: (-PRIORITY[f.label], -(f.end - f.start), f.start))
    chosen: list[Finding] = []
    for finding in kept:
        if any(finding.start < c.end and c.start < finding.end for c in chosen):
            continue
        chosen.append(finding)
    return sorted(chosen, key=lambda f: (f.start, f.end))


def scan_text(text: str, *, own_names: Sequence[str] = ()) -> list[Finding]:
    """The personal data in a text, sorted by position. `own_names` (the candidate's first and
    last names) are not findings: the candidate's own name belongs in their dossier."""
    if not text or not text.strip():
        return []
    results = analyzer().analyze(
        text=text, language=LANGUAGE, entities=list(LABELS), score_threshold=0.3
    )
    raw = [(r.entity_type, r.start, r.end, r.score) for r in results]
    return _clean(text, raw, _own_name_words(own_names))
