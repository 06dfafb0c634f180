"""Production: everything comes from the environment; refuses to start without a secret key."""

from config.django.base import *  # noqa: F403
from config.env import env, env_bool, env_int

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY doit être défini en production.")
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
STORAGES["staticfiles"]["BACKEND"] = env(  # type: ignore[index]  # noqa: F405
    "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
