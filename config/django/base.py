"""Settings for every environment; each concern lives in config/settings/*.py."""

from config.env import BASE_DIR, env, env_bool, env_int
from config.settings.database import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.retention import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.storage import *  # noqa: F403
from config.settings.tasks import *  # noqa: F403

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "vaecos.accounts",
    "vaecos.referentiels",
    "vaecos.cases",
    "vaecos.dossiers",
    "vaecos.documents",
    "vaecos.admissibility",
    "vaecos.pii",
    "vaecos.coaching",
    "vaecos.evaluation",
    "vaecos.jury",
    "vaecos.audit",
    "vaecos.retention",
    "vaecos.reporting",
    "vaecos.api",
    "vaecos.demo",
    "vaecos.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vaecos.www.middleware.DossierFrozenMiddleware",
    "vaecos.www.middleware.SecondFactorMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "vaecos.www.context_processors.platform",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out (e-mail, IP) pair before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "www:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

BOOTSTRAP5 = {"set_placeholder": False, "server_side_validation": True}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A hostile or broken PDF makes pypdf warn hundreds of times; the refusal says enough.
        "pypdf": {"level": "ERROR"},
    },
}

# Servers (runserver, gunicorn) load the personal-data scanner's language model in the background
# as they start, so that the first page that scans a text does not wait seconds for it. Turn off
# to save memory on a server that never shows a Livret 2 (the model then loads on first use).
PII_PRELOAD = env_bool("PII_PRELOAD", True)

# Demo data (make run): password of the demo accounts.
DEMO_PASSWORD = env("DEMO_PASSWORD", "demo")
SHOW_DEMO_ACCOUNTS = env_bool("SHOW_DEMO_ACCOUNTS", DEBUG)  # noqa: F405
# The address people write to about accessibility (the statement page shows it when set).
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL")

# Admissibility (Livret 1): the experience below which the request gets a warning (never a
# block: the 2022 law dropped the one-year minimum, the certifier still reads it as a hint).
ADMISSIBILITY_MIN_HOURS = env_int("ADMISSIBILITY_MIN_HOURS", 1607)
# How many different certifications a candidate may request in one calendar year.
ADMISSIBILITY_MAX_CERTIFICATIONS_PER_YEAR = env_int("ADMISSIBILITY_MAX_CERTIFICATIONS_PER_YEAR", 3)
# Where the certifier is told of an implicit (silence-means-yes) admissibility decision.
ADMISSIBILITY_CERTIFIER_EMAIL = env("ADMISSIBILITY_CERTIFIER_EMAIL", "recevabilite@ucanss.example")

# REST API (/api/v1/, vaecos.api): requests allowed per token, and per client address for failed
# authentications, as "<number>/<s|min|h|day>". Counted in the database, so every application
# server shares the counts.
API_RATE_LIMIT = env("API_RATE_LIMIT", "120/min")
