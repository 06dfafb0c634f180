"""The second-factor pages: enrolment (QR code), the code asked at each login, backup codes."""

from datetime import datetime
from io import BytesIO
from typing import cast
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device

from vaecos.accounts import notifications, second_factor
from vaecos.accounts.models import User

SESSION_NEW_CODES = "second_factor_new_codes"
SESSION_PENDING = "second_factor_pending_device"


def _code_field(
    label: str, help_text: str, digits_only: bool = True, **attrs: object
) -> forms.CharField:
    """A one-time code as browsers and password managers expect it (autocomplete one-time-code)."""
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric" if digits_only else "text",
                "spellcheck": "false",
                **attrs,
            }
        ),
        error_messages={"required": "Saisissez le code affiché par votre application."},
    )


class CodeForm(forms.Form):
    # A backup code has letters: the keyboard must offer them.
    code = _code_field(
        "Code de vérification",
        "Les 6 chiffres affichés par votre application, ou un code de secours.",
        digits_only=False,
        autofocus=True,
    )


class RenewalForm(forms.Form):
    code = _code_field(
        "Code de votre application",
        "Les 6 chiffres affichés maintenant par votre application d'authentification.",
    )


class EnrolmentForm(forms.Form):
    code = _code_field(
        "Code à 6 chiffres", "Le code que votre application affiche après avoir ajouté le compte."
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: not another site, nor a view name that redirect() would resolve.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("www:home")


def _wait_message(wait: datetime) -> str:
    seconds = max(1, int((wait - timezone.now()).total_seconds()) + 1)
    return (
        f"Trop de codes erronés : patientez {seconds} seconde{'s' if seconds > 1 else ''} "
        "avant de réessayer."
    )


def _demo_code(user: User) -> str | None:
    """On a demonstration platform only, the current code of a demonstration account."""
    if not settings.SHOW_DEMO_ACCOUNTS or not user.email.endswith("@demo.test"):
        return None
    device = user.totpdevice_set.filter(confirmed=True).first()  # type: ignore[attr-defined]
    if device is None:
        return None
    return second_factor.current_code(device)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not second_factor.requires_second_factor(user):
        return redirect(_next_url(request))
    if not second_factor.is_enrolled(user):
        return redirect(
            f"{reverse('accounts:second_factor_setup')}?{urlencode({'next': _next_url(request)})}"
        )
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = second_factor.verify(user, form.cleaned_data["code"])
        if attempt.device is not None:
            _confirmed(request, attempt.device)
            left = second_factor.backup_codes_left(user)
            if second_factor.is_backup(attempt.device):
                messages.warning(
                    request,
                    f"Code de secours utilisé : il vous en reste {left}. "
                    "Générez-en de nouveaux depuis « Double authentification ».",
                )
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _wait_message(attempt.wait_until)
            if attempt.wait_until
            else "Code incorrect ou expiré. Vérifiez l'heure de votre téléphone et réessayez.",
        )
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _next_url(request), "demo_code": _demo_code(user)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not second_factor.requires_second_factor(user):
        return redirect(_next_url(request))
    if second_factor.is_enrolled(user):
        # A new device only after the current one (or an administrator) confirms who this is.
        return redirect(
            f"{reverse('accounts:second_factor')}?{urlencode({'next': _next_url(request)})}"
        )
    device = second_factor.pending_device(user, request.session.get(SESSION_PENDING))
    request.session[SESSION_PENDING] = device.pk
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt, codes = second_factor.confirm_enrolment(user, device.pk, form.cleaned_data["code"])
        if attempt.device is not None:
            _confirmed(request, attempt.device)
            request.session.pop(SESSION_PENDING, None)
            request.session[SESSION_NEW_CODES] = codes
            notifications.second_factor_changed(user, notifications.ENROLLED)
            messages.success(request, "La double authentification est activée sur votre compte.")
            return redirect(
                f"{reverse('accounts:second_factor_codes')}?{urlencode({'next': _next_url(request)})}"
            )
        form.add_error(
            "code",
            _wait_message(attempt.wait_until)
            if attempt.wait_until
            else "Code incorrect. Vérifiez que vous avez bien ajouté le compte, "
            "et l'heure de votre téléphone.",
        )
    return render(
        request,
        "accounts/second_factor_setup.html",
        {"form": form, "key": second_factor.readable_key(device), "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_GET
def qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code of the device being enrolled (nothing once it is confirmed)."""
    user = cast(User, request.user)
    if not second_factor.requires_second_factor(user) or second_factor.is_enrolled(user):
        return HttpResponse(status=404)
    device = second_factor.pending_device(user, request.session.get(SESSION_PENDING))
    request.session[SESSION_PENDING] = device.pk
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest) -> HttpResponse:
    """The backup codes: shown once after enrolment or renewal. Renewing them asks for a code of
    the application: a session taken over could otherwise mint codes and keep access."""
    user = cast(User, request.user)
    if not second_factor.requires_second_factor(user) or not second_factor.is_enrolled(user):
        return redirect("www:home")
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:second_factor")
    form = RenewalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = second_factor.verify(user, form.cleaned_data["code"], backup_codes=False)
        if attempt.device is not None:
            request.session[SESSION_NEW_CODES] = second_factor.new_backup_codes(user)
            notifications.second_factor_changed(user, notifications.NEW_BACKUP_CODES)
            messages.success(
                request, "Nouveaux codes de secours générés : les anciens ne fonctionnent plus."
            )
            return redirect("accounts:second_factor_codes")
        form.add_error(
            "code",
            _wait_message(attempt.wait_until)
            if attempt.wait_until
            else "Code incorrect ou expiré : aucun nouveau code de secours n'a été généré.",
        )
    new_codes = request.session.pop(SESSION_NEW_CODES, None)
    return render(
        request,
        "accounts/second_factor_codes.html",
        {
            "new_codes": new_codes,
            "left": second_factor.backup_codes_left(user),
            "next": _next_url(request),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _confirmed(request: HttpRequest, device: Device) -> None:
    """The login is now confirmed: a new session key and CSRF token (ASVS 3.2.1)."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)
