import tempfile
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from vaecos.accounts import second_factor
from vaecos.accounts.export import export_zip
from vaecos.accounts.models import User
from vaecos.www.accounts.throttling import unlock

# Up to this size the archive stays in memory; a larger one spills to a temporary file.
EXPORT_IN_MEMORY = 8 * 1024 * 1024


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_demo_accounts"] = settings.SHOW_DEMO_ACCOUNTS
        return context


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """What the archive of one's personal data holds, and the button to download it."""
    return render(request, "accounts/my_data.html")


@login_required
@require_GET
def my_data_download(request: HttpRequest) -> FileResponse:
    """The signed-in person's own data only: no identifier in the URL, nothing to guess."""
    # Not a `with`: the response owns the file and closes it once sent.
    archive = tempfile.SpooledTemporaryFile(max_size=EXPORT_IN_MEMORY)  # noqa: SIM115
    try:
        export_zip(cast(User, request.user), archive)
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    filename = f"vaecos-mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    response = FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the e-mailed link also lifts a login lockout: the
    lockout page sends locked-out people here, and the link proves the address is theirs."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        unlock(form.user.get_username())
        second_factor.reset_throttling(form.user)
        return response
