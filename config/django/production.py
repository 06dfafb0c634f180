"""Production: everything comes from the environment; refuses to start without a secret key.

Secure by default: `manage.py check --deploy --fail-level WARNING` passes with nothing but
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL set (tests/test_deploy_check.py). HTTPS only
(redirect, secure cookies, HSTS for a year with subdomains and preload); each can be turned off
from the environment for a deployment that really needs it.
"""

from config.django.base import *  # noqa: F403
from config.env import env, env_bool, env_int

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY doit être défini en production.")
DEBUG = False

# HTTPS only. Behind a proxy that terminates TLS, BEHIND_TLS_PROXY=true (security.py) lets
# Django see the original scheme; without it the redirect would loop.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health check may come in plain HTTP, straight to the application server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# E-mail: Django refuses the console backend (the default elsewhere) in production, where the
# password reset links would be lost. Without EMAIL_HOST, the SMTP server of the machine itself
# (localhost:25, as Django's own default); EMAIL_HOST configures a real relay (email.py).
if not env("EMAIL_HOST") and not env("EMAIL_BACKEND"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "localhost",
                "port": 25,
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }

STORAGES["staticfiles"]["BACKEND"] = env(  # type: ignore[index]  # noqa: F405
    "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
