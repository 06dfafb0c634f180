"""Autosave: every saved text is a numbered revision; a stale save never overwrites anything."""

import html
import os
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dossiers.factories import dossier_for
from vaecos.dossiers import services
from vaecos.dossiers.models import DossierStatus, FieldRevision, RevisionKind
from vaecos.dossiers.services import DossierError


@pytest.fixture
def key(situation):
    return f"situation.{situation.pk}.description"


@pytest.fixture
def save(dossier, candidate, key):
    """Save through the service, as the dossier's owner, on the situation's description."""

    def do(text, base, field_key=None, save_id=None, previous=()):
        return services.field_save(
            dossier=dossier,
            field_key=field_key or key,
            text=text,
            base_revision=base,
            by=candidate,
            client_save_id=save_id,
            previous_save_ids=previous,
        )

    return do


def revisions(dossier, key):
    return list(
        FieldRevision.objects.filter(dossier=dossier, field_key=key)
        .order_by("number")
        .values_list("number", "kind", "text", "based_on")
    )


# --- The service ---------------------------------------------------------------------------


def test_each_save_is_a_numbered_revision_by_its_author(save, dossier, situation, candidate, key):
    first = save("Je reçois une allocataire.", 0)
    second = save("Je reçois une allocataire inquiète.", 1)

    assert (first.outcome, first.revision, second.outcome, second.revision) == (
        "saved",
        1,
        "saved",
        2,
    )
    assert revisions(dossier, key) == [
        (1, RevisionKind.EDIT, "Je reçois une allocataire.", 0),
        (2, RevisionKind.EDIT, "Je reçois une allocataire inquiète.", 1),
    ]
    assert set(FieldRevision.objects.values_list("author", flat=True)) == {candidate.pk}
    situation.refresh_from_db()
    assert situation.description == "Je reçois une allocataire inquiète."
    assert services.current_revisions(dossier)[key] == 2


def test_each_field_has_its_own_numbering(save, dossier, situation):
    save("Une description.", 0)
    save("Une description plus longue.", 1)

    title = save("Un titre", 0, field_key=f"situation.{situation.pk}.title")
    context = save("L'accueil de la caisse.", 0, field_key="dossier.context")

    assert (title.revision, context.revision) == (1, 1)
    dossier.refresh_from_db()
    assert dossier.context == "L'accueil de la caisse."


def test_saving_the_same_text_again_makes_no_revision(save, dossier, key):
    save("Un texte.", 0)

    again = save("Un texte.", 1)

    assert (again.outcome, again.revision) == ("unchanged", 1)
    assert len(revisions(dossier, key)) == 1


def test_saving_the_prefilled_value_unchanged_makes_no_revision(dossier, candidate):
    result = services.field_save(
        dossier=dossier,
        field_key="dossier.last_name",
        text="MARTIN",  # dossier_open wrote the candidate's last name in capitals
        base_revision=0,
        by=candidate,
    )

    assert (result.outcome, result.revision) == ("unchanged", 0)
    assert not FieldRevision.objects.exists()


def test_a_stale_save_is_kept_aside_and_changes_nothing(save, dossier, situation, key):
    save("Version du téléphone.", 0)
    save("Version de l'ordinateur.", 1)

    stale = save("Version de la tablette, partie de la version 1.", 1)

    assert stale.outcome == "conflict"
    assert stale.revision == 2  # the current revision is still the computer's
    assert stale.current_text == "Version de l'ordinateur."
    assert stale.conflict_revision == 3
    assert revisions(dossier, key)[-1] == (
        3,
        RevisionKind.CONFLICT,
        "Version de la tablette, partie de la version 1.",
        1,
    )
    situation.refresh_from_db()
    assert situation.description == "Version de l'ordinateur."
    assert services.current_revisions(dossier)[key] == 2


def test_after_a_conflict_the_next_save_follows_the_conflict_copy(save, dossier, situation, key):
    save("Un.", 0)
    save("Deux.", 1)
    save("Trois, en retard.", 1)

    after = save("Deux, puis quatre.", 2)

    assert (after.outcome, after.revision) == ("saved", 4)
    situation.refresh_from_db()
    assert situation.description == "Deux, puis quatre."


def test_resending_a_save_is_acknowledged_without_a_second_row(save, dossier, key):
    save_id = uuid.uuid4()
    first = save("Un texte envoyé deux fois.", 0, save_id=save_id)

    again = save("Un texte envoyé deux fois.", 0, save_id=save_id)

    assert again == first
    assert len(revisions(dossier, key)) == 1


def test_resending_an_old_save_never_overwrites_newer_text(save, dossier, situation, key):
    save_id = uuid.uuid4()
    save("Première version.", 0, save_id=save_id)
    save("Deuxième version.", 1)

    late = save("Première version.", 0, save_id=save_id)

    assert late.outcome == "saved"
    assert late.current_text == "Deuxième version."
    situation.refresh_from_db()
    assert situation.description == "Deuxième version."
    assert len(revisions(dossier, key)) == 2


def test_resending_a_save_whose_text_has_come_back_is_still_acknowledged(save, dossier, key):
    # Found by the property test below: "" saved with an id, then "Un.", then "" again without
    # an id; the first save re-sent must be acknowledged as saved, not as "unchanged".
    save("Un.", 0)
    save_id = uuid.uuid4()
    save("", 1, save_id=save_id)
    save("Un.", 2)
    save("", 3)

    again = save("", 2, save_id=save_id)

    assert (again.outcome, again.revision) == ("saved", 4)
    assert len(revisions(dossier, key)) == 4


def test_resending_a_conflicting_save_gives_the_same_conflict(save, dossier, key):
    save("Un.", 0)
    save("Deux.", 1)
    save_id = uuid.uuid4()
    first = save("Un, modifié ailleurs.", 1, save_id=save_id)

    again = save("Un, modifié ailleurs.", 1, save_id=save_id)

    assert first.outcome == again.outcome == "conflict"
    assert again.conflict_revision == first.conflict_revision == 3
    assert again.current_text == "Deux."
    assert len(revisions(dossier, key)) == 3


def test_a_save_after_a_lost_answer_is_not_a_conflict(save, dossier, situation, key):
    lost = uuid.uuid4()
    save("Premier jet.", 0, save_id=lost)  # saved, but the answer never reached the browser

    # The browser, still on revision 0, says which of its saves went unanswered.
    result = save("Premier jet, suite.", 0, save_id=uuid.uuid4(), previous=(lost,))

    assert (result.outcome, result.revision) == ("saved", 2)
    assert revisions(dossier, key)[-1] == (2, RevisionKind.EDIT, "Premier jet, suite.", 1)
    situation.refresh_from_db()
    assert situation.description == "Premier jet, suite."


def test_a_lost_answer_does_not_hide_another_devices_save(save, dossier, situation, key):
    lost = uuid.uuid4()
    save("Premier jet.", 0, save_id=lost)
    save("Écrit sur la tablette.", 1)

    result = save("Premier jet, suite.", 0, save_id=uuid.uuid4(), previous=(lost,))

    assert (result.outcome, result.current_text) == ("conflict", "Écrit sur la tablette.")
    situation.refresh_from_db()
    assert situation.description == "Écrit sur la tablette."


def test_claiming_unknown_saves_does_not_avoid_a_conflict(save, situation):
    save("Un.", 0)
    save("Deux.", 1)

    result = save("Un, modifié ailleurs.", 1, previous=(uuid.uuid4(), uuid.uuid4()))

    assert result.outcome == "conflict"


def test_line_endings_are_stored_one_way(save, situation):
    save("Ligne 1\r\nLigne 2\rLigne 3", 0)

    situation.refresh_from_db()
    assert situation.description == "Ligne 1\nLigne 2\nLigne 3"
    assert save("Ligne 1\r\nLigne 2\r\nLigne 3", 1).outcome == "unchanged"


def test_an_over_long_text_is_refused_with_a_french_message(save, dossier, situation):
    title_key = f"situation.{situation.pk}.title"
    assert save("x" * 300, 0, field_key=title_key).outcome == "saved"

    with pytest.raises(DossierError) as refused:
        save("x" * 301, 1, field_key=title_key)

    assert refused.value.message == (
        "« Titre de la situation » : 301 caractères, la limite est de 300."
    )
    situation.refresh_from_db()
    assert situation.title == "x" * 300
    assert len(revisions(dossier, title_key)) == 1


def test_a_field_of_another_dossier_is_refused(save, referentiel, other_candidate):
    other = dossier_for(referentiel, candidate=other_candidate)
    theirs = services.situation_add(
        dossier=other, activity=referentiel.activities.get(number=1), by=other_candidate
    )

    with pytest.raises(DossierError) as refused:
        save("Je m'invite.", 0, field_key=f"situation.{theirs.pk}.title")

    assert refused.value.message == "Ce champ n'existe pas dans ce dossier."
    theirs.refresh_from_db()
    assert theirs.title == ""
    assert not FieldRevision.objects.exists()


@pytest.mark.parametrize(
    "field_key", ["dossier.status", "dossier.case", "situation.x.title", "situation.1", "context"]
)
def test_unknown_fields_are_refused(save, field_key):
    with pytest.raises(DossierError):
        save("Texte.", 0, field_key=field_key)


def test_a_finalised_dossier_cannot_be_saved(save, dossier):
    dossier.status = DossierStatus.FINAL
    dossier.save()

    with pytest.raises(DossierError) as refused:
        save("Trop tard.", 0)

    assert "n'est plus modifiable" in refused.value.message
    assert not FieldRevision.objects.exists()


def test_restore_makes_an_old_text_current_as_a_new_revision(
    save, dossier, situation, candidate, key
):
    save("Le premier jet.", 0)
    save("Une réécriture ratée.", 1)

    restored = services.field_restore(dossier=dossier, field_key=key, number=1, by=candidate)

    assert (restored.number, restored.kind, restored.restored_from, restored.based_on) == (
        3,
        RevisionKind.RESTORE,
        1,
        2,
    )
    assert restored.text == "Le premier jet."
    assert restored.author == candidate
    situation.refresh_from_db()
    assert situation.description == "Le premier jet."
    assert services.current_revisions(dossier)[key] == 3
    # The restored text is current: an edit based on it is saved.
    assert save("Le premier jet, repris.", 3).outcome == "saved"


def test_a_conflict_copy_can_be_restored(save, dossier, situation, candidate, key):
    save("Un.", 0)
    save("Deux.", 1)
    save("La version mise de côté.", 1)

    services.field_restore(dossier=dossier, field_key=key, number=3, by=candidate)

    situation.refresh_from_db()
    assert situation.description == "La version mise de côté."


def test_restoring_a_version_that_does_not_exist_is_refused(save, dossier, candidate, key):
    save("Un.", 0)

    with pytest.raises(DossierError) as refused:
        services.field_restore(dossier=dossier, field_key=key, number=7, by=candidate)

    assert refused.value.message == "Cette version n'existe pas."
    assert len(revisions(dossier, key)) == 1


# --- The JSON endpoint used by the autosave ------------------------------------------------


@pytest.fixture
def owner(candidate):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    return client


@pytest.fixture
def post(owner, dossier, key):
    def do(data, field_key=None):
        return owner.post(reverse("dossiers:field_save", args=[dossier.pk, field_key or key]), data)

    return do


def test_endpoint_saves_and_answers_the_new_revision(post, situation, candidate, key):
    response = post({"text": "Je reçois une allocataire.", "base_revision": "0"})

    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["revision"]) == ("saved", 1)
    assert body["saved_at"] and body["saved_at_display"]
    situation.refresh_from_db()
    assert situation.description == "Je reçois une allocataire."
    assert FieldRevision.objects.get(field_key=key).author == candidate


def test_endpoint_answers_409_with_the_current_text_on_a_stale_save(post):
    post({"text": "Un.", "base_revision": "0"})
    post({"text": "Deux.", "base_revision": "1"})

    response = post({"text": "Un, modifié ailleurs.", "base_revision": "1"})

    assert response.status_code == 409
    body = response.json()
    assert (body["outcome"], body["revision"], body["text"], body["conflict_revision"]) == (
        "conflict",
        2,
        "Deux.",
        3,
    )
    assert FieldRevision.objects.get(number=3).text == "Un, modifié ailleurs."


def test_endpoint_resend_gets_the_same_answer(post, dossier, key):
    data = {"text": "Envoyé deux fois.", "base_revision": "0", "save_id": str(uuid.uuid4())}

    first, again = post(data), post(data)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert len(revisions(dossier, key)) == 1


def test_endpoint_resend_of_a_conflict_gets_the_same_conflict(post, dossier, key):
    post({"text": "Un.", "base_revision": "0"})
    post({"text": "Deux.", "base_revision": "1"})
    data = {"text": "Un, ailleurs.", "base_revision": "1", "save_id": str(uuid.uuid4())}

    first, again = post(data), post(data)

    assert (first.status_code, again.status_code) == (409, 409)
    assert again.json()["conflict_revision"] == first.json()["conflict_revision"]
    assert again.json()["text"] == "Deux."
    assert len(revisions(dossier, key)) == 3


def test_endpoint_takes_the_unanswered_saves_into_account(post, situation):
    lost = str(uuid.uuid4())
    post({"text": "Premier jet.", "base_revision": "0", "save_id": lost})

    response = post(
        {
            "text": "Premier jet, suite.",
            "base_revision": "0",
            "save_id": str(uuid.uuid4()),
            "previous_save_id": [str(uuid.uuid4()), lost],
        }
    )

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["revision"]) == ("saved", 2)


def test_after_a_long_outage_the_newest_unanswered_save_still_counts(post, situation):
    # The page repeats its unanswered saves, oldest first, at every retry: 60 old ones, each
    # twice, then the one the server did store. It must not be cut off (a false conflict).
    lost = str(uuid.uuid4())
    post({"text": "Premier jet.", "base_revision": "0", "save_id": lost})
    old = [str(uuid.uuid4()) for _ in range(60)]

    response = post(
        {
            "text": "Premier jet, suite.",
            "base_revision": "0",
            "save_id": str(uuid.uuid4()),
            "previous_save_id": [*old, *old, lost],
        }
    )

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["revision"]) == ("saved", 2)


def test_endpoint_refuses_an_unreadable_unanswered_save(post):
    response = post({"text": "Texte.", "base_revision": "0", "previous_save_id": "pas-un-uuid"})

    assert response.status_code == 400
    assert not FieldRevision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"text": "Sans base."},
        {"text": "Base vide.", "base_revision": ""},
        {"text": "Base illisible.", "base_revision": "un"},
        {"text": "Base décimale.", "base_revision": "1.5"},
        {"text": "Mauvais identifiant.", "base_revision": "0", "save_id": "pas-un-uuid"},
        {"base_revision": "0"},
    ],
    ids=["no-base", "empty-base", "text-base", "decimal-base", "bad-save-id", "no-text"],
)
def test_endpoint_refuses_an_incomplete_request_with_400(post, data):
    response = post(data)

    assert response.status_code == 400
    assert response.json()["error"] == "Requête d'enregistrement incomplète."
    assert not FieldRevision.objects.exists()


def test_endpoint_refuses_an_over_long_text_with_a_french_message(post, situation):
    response = post({"text": "x" * 301, "base_revision": "0"}, f"situation.{situation.pk}.title")

    assert response.status_code == 400
    assert response.json()["error"] == (
        "« Titre de la situation » : 301 caractères, la limite est de 300."
    )


def test_endpoint_refuses_another_dossiers_situation(post, referentiel, other_candidate):
    other = dossier_for(referentiel, candidate=other_candidate)
    theirs = services.situation_add(
        dossier=other, activity=referentiel.activities.get(number=1), by=other_candidate
    )

    response = post({"text": "Je m'invite.", "base_revision": "0"}, f"situation.{theirs.pk}.title")

    assert response.status_code == 400
    assert response.json()["error"] == "Ce champ n'existe pas dans ce dossier."
    theirs.refresh_from_db()
    assert theirs.title == ""


def test_endpoint_answers_409_when_the_dossier_is_finalised(post, dossier):
    dossier.status = DossierStatus.FINAL
    dossier.save()

    response = post({"text": "Trop tard.", "base_revision": "0"})

    assert response.status_code == 409
    assert response.json() == {"error": "Le dossier est « Finalisé » : il n'est plus modifiable."}
    assert not FieldRevision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"text": "Base négative.", "base_revision": "-1"},
        {"text": "Base immense.", "base_revision": "99999999999999999999"},
        {"text": "Base de 64 bits.", "base_revision": str(2**63)},
        {"text": "Base de 32 bits.", "base_revision": str(2**31)},
        {"text": "Texte\x00avec un octet nul.", "base_revision": "0"},
        {
            "text": "Identifiant en majuscules.",
            "base_revision": "0",
            "save_id": str(uuid.uuid4()).upper(),
        },
        {"text": "Identifiant vide.", "base_revision": "0", "save_id": ""},
    ],
    ids=["negative", "huge", "2**63", "2**31", "nul-byte", "uppercase-uuid", "empty-save-id"],
)
def test_endpoint_never_answers_500(post, data):
    response = post(data)

    assert response.status_code in {200, 400, 409}, (
        f"{data!r} got {response.status_code}: the autosave would retry it forever"
    )
    assert "error" in response.json() or "outcome" in response.json()


@pytest.mark.parametrize(
    "field_key",
    ["dossier.status", "situation.99999999999999999.title", "situation.1.inconnu", "%20"],
)
def test_endpoint_refuses_unknown_fields_with_400(post, field_key):
    response = post({"text": "Texte.", "base_revision": "0"}, field_key)

    assert response.status_code == 400
    assert response.json()["error"] == "Ce champ n'existe pas dans ce dossier."


# --- History and restore pages ---------------------------------------------------------------


def test_history_shows_every_version_and_what_changed(owner, save, dossier, candidate, key):
    save("Le chat dort sur le canapé.", 0)
    save("Le chien dort sur le canapé.", 1)
    save("Une version en retard.", 1)

    response = owner.get(reverse("dossiers:field_history", args=[dossier.pk, key]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Historique : La situation" in page
    for number in (1, 2, 3):
        assert f"Version {number}" in page
    assert "Version actuelle" in page
    assert "Version concurrente mise de côté" in page
    assert "<del>chat</del><ins>chien</ins>" in page
    assert "<ins>Le chat dort sur le canapé.</ins>" in page
    assert html.escape(candidate.display_name) in page
    # Every version but the current one can be restored.
    assert page.count('name="number"') == 2


def test_history_of_a_field_never_saved_says_so(owner, dossier):
    response = owner.get(reverse("dossiers:field_history", args=[dossier.pk, "dossier.context"]))

    assert response.status_code == 200
    assert "Ce champ n'a pas encore été modifié." in response.content.decode()


def test_history_escapes_the_text(owner, save, dossier, key):
    save("<script>alert(1)</script>", 0)

    page = owner.get(reverse("dossiers:field_history", args=[dossier.pk, key])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_restore_through_the_page(owner, save, dossier, situation, key):
    save("Le premier jet.", 0)
    save("Une réécriture ratée.", 1)
    url = reverse("dossiers:field_history", args=[dossier.pk, key])

    response = owner.post(
        reverse("dossiers:field_restore", args=[dossier.pk, key]), {"number": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == url
    page = owner.get(url).content.decode()
    assert "La version 1 a été restaurée : elle devient la version 3." in page
    assert "Restauration de la version 1" in page
    situation.refresh_from_db()
    assert situation.description == "Le premier jet."


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Version invalide."),
        ("deux", "Version invalide."),
        ("9", "Cette version n'existe pas."),
    ],
)
def test_restore_page_refuses_a_bad_version(owner, save, dossier, key, number, message):
    save("Un.", 0)

    response = owner.post(
        reverse("dossiers:field_restore", args=[dossier.pk, key]), {"number": number}, follow=True
    )

    assert message in html.unescape(response.content.decode())
    assert len(revisions(dossier, key)) == 1


# --- Any sequence of saves, resends and stale saves keeps the history consistent ------------

TEXTS = ["", "Un.", "Deux.", "Un.\r\n", "Deux.\r\nTrois.", "Deux.\nTrois."]

steps = st.lists(
    st.one_of(
        # A new save: its text, how many revisions behind its base is, whether it has an id.
        st.tuples(st.just("new"), st.sampled_from(TEXTS), st.integers(0, 2), st.booleans()),
        # The autosave sending again an earlier request, exactly (its answer was lost).
        st.tuples(st.just("resend"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=int(os.environ.get("REVISION_EXAMPLES", 30)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_any_sequence_of_saves_keeps_the_history_consistent(referentiel, candidate, steps):
    with transaction.atomic():
        dossier = dossier_for(referentiel, candidate=candidate)
        situation = services.situation_add(
            dossier=dossier, activity=referentiel.activities.get(number=1), by=candidate
        )
        key = f"situation.{situation.pk}.analysis"
        # The model: the current text and number, every row written, each save id's row.
        current_text, current_number, rows, by_save_id = "", 0, [], {}
        sent = []
        for step in steps:
            if step[0] == "new":
                _, text, behind, with_id = step
                request = (text, max(0, current_number - behind), uuid.uuid4() if with_id else None)
            elif sent:
                request = sent[step[1] % len(sent)]
            else:
                continue
            sent.append(request)
            text, base, save_id = request
            normalised = text.replace("\r\n", "\n")

            result = services.field_save(
                dossier=dossier,
                field_key=key,
                text=text,
                base_revision=base,
                by=candidate,
                client_save_id=save_id,
            )

            if save_id is not None and save_id in by_save_id:
                kind, number = by_save_id[save_id]
                expected = "conflict" if kind == RevisionKind.CONFLICT else "saved"
                assert (result.outcome, result.revision) == (expected, current_number)
                if kind == RevisionKind.CONFLICT:
                    assert result.conflict_revision == number
            elif normalised == current_text:
                assert (result.outcome, result.revision) == ("unchanged", current_number)
            else:
                number = len(rows) + 1
                kind = RevisionKind.EDIT if base == current_number else RevisionKind.CONFLICT
                rows.append((number, kind, normalised))
                if save_id is not None:
                    by_save_id[save_id] = (kind, number)
                if kind == RevisionKind.EDIT:
                    current_text, current_number = normalised, number
                    assert (result.outcome, result.revision) == ("saved", number)
                else:
                    assert (result.outcome, result.conflict_revision) == ("conflict", number)
            assert result.current_text == current_text

        assert [r[:3] for r in revisions(dossier, key)] == rows
        situation.refresh_from_db()
        assert situation.analysis == current_text
        assert services.current_revisions(dossier).get(key, 0) == current_number
        transaction.set_rollback(True)
