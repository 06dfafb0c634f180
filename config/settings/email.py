"""E-mail (Django 6.1 MAILERS): printed on the console by default; SMTP when EMAIL_HOST is set."""

from typing import Any

from config.env import env, env_bool, env_int

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "VAE COS <ne-pas-repondre@vae-cos.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_smtp_host = env("EMAIL_HOST")
_default_mailer: dict[str, Any]
if _smtp_host:
    _default_mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("EMAIL_PORT", 587),
            "username": env("EMAIL_HOST_USER") or None,
            "password": env("EMAIL_HOST_PASSWORD") or None,
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
else:
    _default_mailer = {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }

MAILERS = {"default": _default_mailer}
