"""Settings of `make bench`: the project's settings, served like production, on a throwaway database.

bench/autosave.py creates the database and passes its address in DATABASE_URL; the database
settings themselves (SQLite in WAL mode with IMMEDIATE transactions, or PostgreSQL with
persistent connections) are the project's, read by config/settings/database.py.
"""

import os
import tempfile

from config.django.base import *  # noqa: F403

if not os.environ.get("DATABASE_URL"):
    # Without it the base settings would fall back to var/db.sqlite3, the developer's database.
    raise RuntimeError("bench.settings needs DATABASE_URL (bench/autosave.py sets it).")

DEBUG = False
SECRET_KEY = "bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT") or tempfile.mkdtemp(prefix="vaecos-bench-media-")
SHOW_DEMO_ACCOUNTS = False
# Nothing is collected: an empty folder keeps WhiteNoise from warning about var/staticfiles.
STATIC_ROOT = os.path.join(MEDIA_ROOT, "static")
os.makedirs(STATIC_ROOT, exist_ok=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # 4xx answers (a 409 conflict, say) are counted by the load generator; 5xx still show.
    "loggers": {"django.request": {"level": "ERROR"}, "django.db.backends": {"level": "WARNING"}},
}

# Investigation only (bench/README.md): try another connection lifetime than the project's.
if os.environ.get("BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])  # noqa: F405
