"""The accessibility statement: public, honest about its status, with its contact when set."""


def test_the_statement_is_public_and_says_non_conforme_without_an_audit(client, db):
    page = client.get("/accessibilite/").content.decode()
    assert "<strong>non conforme</strong>" in page
    assert "Défenseur des droits" in page
    assert "Accessibilité : non conforme" in page  # the footer of every page


def test_the_contact_address_comes_from_the_settings(client, db, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@ucanss.example"
    page = client.get("/accessibilite/").content.decode()
    assert 'href="mailto:accessibilite@ucanss.example"' in page
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    assert "mailto:" not in client.get("/accessibilite/").content.decode()
