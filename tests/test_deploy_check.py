"""`manage.py check --deploy` is clean under the production settings, with nothing but what an
operator must give (secret key, host name, database), and local development keeps plain HTTP."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The check must see the production defaults, not what this shell happens to set.
        if not key.startswith(("SECURE_", "EMAIL_", "AWS_", "AXES_", "DJANGO_", "PYTEST"))
        and key not in {"DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "SECRET_KEY", "BEHIND_TLS_PROXY"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.django.production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters
        "ALLOWED_HOSTS": "vae.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    return env | extra


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_passes_under_the_production_settings(tmp_path):
    result = check_deploy(production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


def test_the_production_defaults_are_https_only(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.STORAGES['default']['BACKEND'], s.MAILERS['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "True",
        # No S3 configuration needed: local files by default.
        "django.core.files.storage.FileSystemStorage",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


def test_preload_and_subdomains_can_be_turned_off(tmp_path):
    env = production_env(
        tmp_path, SECURE_HSTS_PRELOAD="false", SECURE_HSTS_INCLUDE_SUBDOMAINS="false"
    )
    result = check_deploy(env)

    assert result.returncode == 1
    assert "security.W021" in result.stdout + result.stderr  # preload off: the check says so


def test_local_development_keeps_plain_http():
    from config.django import local, test

    for module in (local, test):
        assert module.SECURE_SSL_REDIRECT is False
        assert module.SESSION_COOKIE_SECURE is False
        assert module.SECURE_HSTS_SECONDS == 0
