"""E-mail: printed on the console by default; SMTP when EMAIL_HOST is set."""

from config.env import env, env_bool, env_int

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "VAE COS <ne-pas-repondre@vae-cos.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
