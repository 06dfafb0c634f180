"""Second factor (TOTP, django-otp) for the accounts that decide: instructeurs, jury, admins.

A person enrols once: a pending (unconfirmed) TOTP device is created, its key shown as a QR code;
the first right code confirms it and creates ten single-use backup codes. Afterwards each login
is confirmed by a code of the application or a backup code (`verify`). django-otp's throttling
makes each wrong code double the wait before the next try.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vaecos.accounts.models import Role, User

ROLES_WITH_SECOND_FACTOR = (Role.INSTRUCTOR, Role.JURY, Role.ADMIN)
APP_DEVICE_NAME = "Application d'authentification"
BACKUP_DEVICE_NAME = "Codes de secours"
BACKUP_CODES = 10


def requires_second_factor(user: User) -> bool:
    """Whether this signed-in person must confirm their login with a second factor."""
    if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return user.role in ROLES_WITH_SECOND_FACTOR or user.is_staff or user.is_superuser


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User, pk: int | None) -> TOTPDevice:
    """The device being enrolled in this browser session (`pk` kept in the session): the same
    key on every visit of that session. Another session (someone else with the password) gets
    a new key, which replaces this one: only the last key shown can be confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pk).first() if pk else None
    if device is None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def readable_key(device: TOTPDevice) -> str:
    """The key in base 32, by groups of four, for typing it into an application by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def clean_code(code: str) -> str:
    return "".join(code.split()).lower()


@dataclass(frozen=True)
class Attempt:
    device: Device | None
    wait_until: datetime | None = None


def _locked_until(devices: list[Device]) -> datetime | None:
    """When every device is throttled after wrong codes, the time the first one frees."""
    until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        until.append((data or {}).get("locked_until"))
    known = [moment for moment in until if moment is not None]
    return min(known) if known else None


def confirm_enrolment(user: User, pk: int | None, code: str) -> tuple[Attempt, list[str]]:
    """Checks the first code of this session's pending device; on success confirms it and
    returns the new backup codes (shown once)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False, pk=pk).first()
            if pk
            else None
        )
        if device is None:
            return Attempt(None), []
        if wait := _locked_until([device]):
            return Attempt(None, wait), []
        if not device.verify_token(clean_code(code)):
            return Attempt(None), []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = new_backup_codes(user)
    return Attempt(device), codes


def _digest(code: str) -> str:
    """Backup codes are stored as a keyed digest (ASVS 2.6.2): a copy of the database or of a
    backup alone gives none of them. A new SECRET_KEY makes them all invalid."""
    return salted_hmac(
        "vaecos.second-factor.backup-code", clean_code(code), algorithm="sha256"
    ).hexdigest()[:16]


def new_backup_codes(user: User) -> list[str]:
    """Replaces the person's backup codes with ten new ones, on the same device: a session
    confirmed by a backup code stays confirmed."""
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=_digest(code)) for code in codes
        )
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user: User, code: str, backup_codes: bool = True) -> Attempt:
    """A login confirmed by a code of the application or (unless `backup_codes` is False) a
    backup code, which is then used up."""
    code = clean_code(code)
    with transaction.atomic():
        # Six digits are for the application, anything else is a backup code: a backup code
        # does not count as a wrong code of the application, nor the reverse.
        app_code = code.isdigit() and len(code) <= 6  # backup codes have 8 characters
        model = TOTPDevice if app_code or not backup_codes else StaticDevice
        devices: list[Device] = list(
            model.objects.select_for_update().filter(user=user, confirmed=True)
        )
        if wait := _locked_until(devices):
            return Attempt(None, wait)
        for device in devices:
            token = _digest(code) if isinstance(device, StaticDevice) else code
            if device.verify_token(token):
                return Attempt(device)
        return Attempt(None)


def is_backup(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def reset_throttling(user: User) -> None:
    """After a new password chosen through the e-mailed link: wrong codes typed by someone
    who knew the old password no longer keep the owner waiting."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )


def enrol_demo_account(user: User) -> None:
    """A demonstration account that needs a second factor gets an enrolled TOTP device, so that
    the platform can be tried at once: its current code is shown on the page that asks for it
    (on a demonstration platform only) and by `manage.py demo_code ADRESSE`."""
    needs_one = user.role in ROLES_WITH_SECOND_FACTOR or user.is_staff
    if needs_one and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the device's application shows now (demonstration accounts only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
