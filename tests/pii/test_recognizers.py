"""Each French recognizer: what it finds, what it must not, with valid and invalid keys."""

import pytest
from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir

from vaecos.pii.detection import scan_text


def found(text: str, **kwargs) -> set[tuple[str, str]]:
    return {(f.label, f.text) for f in scan_text(text, **kwargs)}


def labels(text: str) -> set[str]:
    return {f.label for f in scan_text(text)}


NIR = "1850375123456"
NIR_FULL = NIR + stdnum_nir.calc_check_digits(NIR)
IBAN = "FR7630006000011234567890189"


@pytest.mark.parametrize(
    "written",
    [
        NIR_FULL,
        f"{NIR_FULL[0]} {NIR_FULL[1:3]} {NIR_FULL[3:5]} {NIR_FULL[5:7]} {NIR_FULL[7:10]} "
        f"{NIR_FULL[10:13]} {NIR_FULL[13:]}",
        # Corsica: département 2A
        "2" + "91" + "12" + "2A" + "004" + "123" + stdnum_nir.calc_check_digits("291122A004123"),
    ],
)
def test_nir_with_a_valid_key_is_found(written):
    assert ("NIR", written) in found(f"Son numéro de sécurité sociale est le {written}, noté.")


def test_nir_with_a_wrong_key_is_not_a_nir():
    wrong = NIR + f"{(int(stdnum_nir.calc_check_digits(NIR)) + 1) % 97:02d}"
    assert "NIR" not in labels(f"La référence {wrong} figure sur le courrier.")


@pytest.mark.parametrize("written", [IBAN, "FR76 3000 6000 0112 3456 7890 189"])
def test_iban_with_a_valid_key_is_found(written):
    assert stdnum_iban.is_valid(IBAN)
    assert ("IBAN", written) in found(f"Elle m'a donné son RIB : {written}. Je l'ai saisi.")


def test_iban_with_a_wrong_key_is_not_found():
    assert "IBAN" not in labels("Le code FR77 3000 6000 0112 3456 7890 189 est faux.")


def test_siret_with_a_valid_luhn_key_is_found_and_a_wrong_one_not():
    assert ("SIRET", "732 829 320 00074") in found("Son entreprise, SIRET 732 829 320 00074.")
    assert "SIRET" not in labels("Son entreprise, SIRET 732 829 320 00075.")


def test_siren_needs_its_context():
    assert ("SIRET", "732 829 320") in found("Le SIREN de sa micro-entreprise : 732 829 320.")
    assert "SIRET" not in labels("Le dossier 732 829 320 a été classé.")


@pytest.mark.parametrize(
    "written",
    ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "01 23 45 67 89"],
)
def test_french_phone_formats_are_found(written):
    assert ("PHONE", written) in found(f"Je l'ai rappelée au {written} dans l'après-midi.")


def test_public_short_numbers_are_not_phones():
    assert "PHONE" not in labels("Je lui ai conseillé d'appeler le 3230 ou le 3646.")


def test_email_is_found():
    assert ("EMAIL", "k.benali@orange.fr") in found(
        "Il écrit depuis k.benali@orange.fr chaque mois."
    )


def test_allocataire_number_needs_its_context():
    assert ("CAF_NUMBER", "2345678") in found("Son numéro d'allocataire 2345678 était erroné.")
    assert ("CAF_NUMBER", "1234567") in found("N° allocataire : 1234567.")
    assert "CAF_NUMBER" not in labels("Nous avons traité 2345678 euros de prestations.")


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("L'usagère, née le 12/03/1985, m'a expliqué.", "12/03/1985"),
        ("Il est né le 3 mars 1972 à Lyon.", "3 mars 1972"),
        ("Date de naissance : 01.02.1990.", "01.02.1990"),
    ],
)
def test_birth_dates_are_found_by_their_context(sentence, date):
    assert ("BIRTH_DATE", date) in found(sentence)


def test_an_ordinary_date_is_not_a_birth_date():
    assert "BIRTH_DATE" not in labels("Le rendez-vous a eu lieu le 12 mars 2023.")


@pytest.mark.parametrize(
    "address",
    [
        "12 rue des Lilas, 69003 Lyon",
        "4 bis avenue du Général de Gaulle 13001 Marseille",
        "27, boulevard de la Croix-Rousse",
    ],
)
def test_postal_addresses_are_found(address):
    assert ("ADDRESS", address) in found(f"Elle habite au {address}. Je m'y suis rendue.")


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("J'ai reçu Mme Martine Dupont à l'accueil.", "Martine Dupont"),
        ("M. Karim Benali a rappelé.", "Karim Benali"),
        ("Le Dr Lefèvre a signé le certificat.", "Lefèvre"),
        ("Mlle Nguyen est venue avec sa mère.", "Nguyen"),
        ("J'ai contacté Martine DUPONT le lendemain.", "Martine DUPONT"),
    ],
)
def test_people_are_found_with_titles_context_and_capitals(sentence, name):
    assert ("PERSON", name) in found(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Je travaille à la CAF du Rhône, à Lyon.",
        "Je l'ai aidé à se connecter sur Ameli avec FranceConnect, puis sur caf.fr.",
        "Nous avons vérifié ses droits à l'APL, au RSA et son NIR, puis son RIB.",
        "Il a ouvert son compte sur Mon Compte Formation et sur le site de France Travail.",
    ],
)
def test_organisations_places_services_and_acronyms_are_not_personal(sentence):
    assert scan_text(sentence) == []


def test_the_candidates_own_name_is_not_a_finding():
    text = "Moi, Sophie Martin, conseillère, j'ai reçu Mme Martine Dupont."
    assert found(text, own_names=["Sophie", "MARTIN"]) == {("PERSON", "Martine Dupont")}


def test_nothing_in_empty_text():
    assert scan_text("") == []
    assert scan_text("   \n ") == []
