"""API tokens in the admin: an administrator creates one (its secret shown once), reads them,
and revokes them; nothing else changes a token, and none is ever deleted (kept for audit)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from vaecos.accounts.models import User
from vaecos.api.models import ApiToken
from vaecos.api.tokens import token_create, token_revoke, user_refusal


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "scope", "expires_at"]

    def clean_user(self) -> User:
        user = cast(User, self.cleaned_data["user"])
        refusal = user_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal)
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    change_form_template = "api/admin/change_form.html"
    list_display = [
        "name",
        "prefix",
        "user",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", "user__role"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__email", "user__last_name"]
    actions = ["revoke"]
    readonly_fields = [
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["name", "user", "scope", "expires_at"]
        return ["name", "user", "scope", "expires_at", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        # A token, once created, only gets revoked: its account and scope stay as issued.
        if obj is None:
            return []
        return ["name", "user", "scope", "expires_at", *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing on a token can be changed here, only revoked (response_change)
        _, secret = token_create(
            name=obj.name,
            user=obj.user,
            scope=obj.scope,
            expires_at=obj.expires_at,
            by=cast(User, request.user),
            token=obj,
        )
        messages.warning(
            request,
            f"Jeton créé. Copiez-le maintenant : il ne sera plus jamais affiché, seule son "
            f"empreinte est conservée. Jeton : {secret}",
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        token = self.get_object(request, object_id)
        extra = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_revoke": token is not None and token.revoked_at is None,
        }
        return super().change_view(request, object_id, form_url, extra)

    def response_change(self, request: HttpRequest, obj: ApiToken) -> HttpResponse:
        if "_revoke" in request.POST:
            self._revoke([obj], request)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        self._revoke(list(queryset), request)

    def _revoke(self, tokens: list[ApiToken], request: HttpRequest) -> None:
        by = cast(User, request.user)
        done = [t for t in tokens if token_revoke(token=t, by=by)]
        if done:
            names = ", ".join(f"« {t.name} »" for t in done)
            messages.success(
                request, f"Jeton révoqué : {names}. Il ne permet plus d'accéder à l'API."
            )
        if len(done) < len(tokens):
            messages.info(request, "Les autres jetons sélectionnés étaient déjà révoqués.")
