"""Files: local folder by default; S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set."""

from botocore.config import Config

from config.env import BASE_DIR, env, env_int

MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # Bounded waits: a hung endpoint must not hold an application worker for a minute.
            "client_config": Config(
                connect_timeout=env_int("AWS_S3_CONNECT_TIMEOUT", 5),
                read_timeout=env_int("AWS_S3_READ_TIMEOUT", 30),
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: the limits the Livret 2 enforces (see vaecos.dossiers.uploads).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
UPLOAD_MAX_FILE_MB = int(env("UPLOAD_MAX_FILE_MB", "10"))
UPLOAD_MAX_DOSSIER_MB = int(env("UPLOAD_MAX_DOSSIER_MB", "50"))
