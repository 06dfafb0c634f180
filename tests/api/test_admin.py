"""Administrators create API tokens in the admin (the secret shown once, only its digest
stored) and revoke them (a button and an action); tokens are never deleted."""

import hashlib
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.api.conftest import Api, make_token
from vaecos.api.models import ApiToken, Scope

ADD = reverse("admin:api_apitoken_add")


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def create(admin_client, user, scope="lecture"):
    return admin_client.post(
        ADD,
        {
            "name": "Portail France VAE",
            "user": user.pk,
            "scope": scope,
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )


def secret_in(response) -> str:
    page = html.unescape(response.content.decode())
    found = re.search(r"Jeton : ([A-Za-z0-9_-]+)", page)
    assert found, page
    return found.group(1)


def test_the_secret_is_shown_once_and_only_its_digest_is_kept(
    admin_client, administrator, instructor
):
    response = create(admin_client, instructor, "ecriture")

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Copiez-le maintenant : il ne sera plus jamais affiché" in page
    secret = secret_in(response)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    assert token.created_by == administrator and token.scope == Scope.WRITE
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    # Neither the list nor the token's page shows it again; the digest is not shown at all.
    listing = admin_client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    change = admin_client.get(
        reverse("admin:api_apitoken_change", args=[token.pk])
    ).content.decode()
    for later in (listing, change):
        assert secret not in later and token.digest not in later
    assert token.prefix in listing
    assert Api(secret).get("/cases").status_code == 200


def test_only_active_staff_and_jury_accounts_get_a_token(admin_client):
    candidate = UserFactory()
    inactive = UserFactory(jury=True, is_active=False)

    for user in (candidate, inactive):
        response = create(admin_client, user)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not ApiToken.objects.exists()
    create(admin_client, UserFactory(jury=True))
    assert ApiToken.objects.count() == 1


def test_the_revoke_button(admin_client, administrator, instructor):
    token, secret = make_token(instructor)
    url = reverse("admin:api_apitoken_change", args=[token.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="_revoke"' in page
    assert 'name="_save"' not in page  # nothing else to change on a token

    response = admin_client.post(url, {"_revoke": "Révoquer ce jeton"}, follow=True)

    assert "Il ne permet plus d'accéder à l'API" in html.unescape(response.content.decode())
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == administrator
    assert token.scope == Scope.WRITE and token.user == instructor
    assert 'name="_revoke"' not in admin_client.get(url).content.decode()
    assert Api(secret).get("/cases").json()["error"]["code"] == "token_revoked"


def test_the_revoke_action_and_no_deletion(admin_client, instructor):
    tokens = [make_token(instructor)[0] for _ in range(2)]
    changelist = reverse("admin:api_apitoken_changelist")

    admin_client.post(
        changelist, {"action": "revoke", "_selected_action": [t.pk for t in tokens]}, follow=True
    )

    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    page = admin_client.get(changelist).content.decode()
    assert "delete_selected" not in page
    delete = reverse("admin:api_apitoken_delete", args=[tokens[0].pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ApiToken.objects.count() == 2


def test_only_administrators_reach_the_tokens(instructor):
    client = Client()
    client.force_login(instructor)
    response = client.get(ADD)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ["candidat", "accompagnateur"])
def test_candidates_and_coaches_cannot_hold_a_token(admin_client, administrator, role):
    from vaecos.api.tokens import token_create
    from vaecos.utils.errors import ActionRefused

    user = UserFactory(role=role)

    form = admin_client.get(ADD).content.decode()
    page = create(admin_client, user).content.decode()
    with pytest.raises(ActionRefused, match="Seuls les instructeurs"):
        token_create(name="x", user=user, scope=Scope.READ, by=administrator)

    assert f'<option value="{user.pk}"' not in form  # not even offered
    assert f'<option value="{administrator.pk}"' in form
    assert "errorlist" in page
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["candidat", "accompagnateur"])
def test_a_token_stops_working_when_its_user_becomes_a_candidate_or_coach(instructor, role):
    token, secret = make_token(instructor)
    instructor.role = role
    instructor.save(update_fields=["role"])

    response = Api(secret).get("/cases")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_user_not_allowed"


def test_an_expiry_date_is_kept_and_enforced(admin_client, instructor):
    import datetime

    from django.utils import timezone

    admin_client.post(
        ADD,
        {
            "name": "Export ponctuel",
            "user": instructor.pk,
            "scope": "lecture",
            "expires_at_0": "01/01/2020",
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )
    token = ApiToken.objects.get()
    assert token.expires_at is not None and token.expires_at < timezone.now()
    assert token.scope == Scope.READ
    assert token.refusal() == "token_expired"
    assert token.refusal(now=token.expires_at - datetime.timedelta(seconds=1)) == ""
