"""Security headers, cookies, the Content Security Policy (Django's built-in CSP) and login
throttling (django-axes)."""

from datetime import timedelta

from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# No inline script or style anywhere: every script and stylesheet is a static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Login throttling (django-axes): failed logins are counted per (e-mail, client IP) pair. After
# AXES_FAILURE_LIMIT failures the pair is locked for AXES_COOLOFF_TIME minutes, the login page
# answers 429 (accounts/lockout.html) even with the right password, and a successful login
# clears the counter. Another person on the same network, or the same person elsewhere, is not
# locked. The backend and middleware are wired in config/django/base.py.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# In minutes; at least one (0 would forget every failure at once, and so never lock).
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env_int("AXES_COOLOFF_TIME", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form posts the e-mail address as "username" (AuthenticationForm); the callables
# normalise it (case, spaces: the admin's login form does not) and find the client's address
# behind the TLS proxy.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "vaecos.www.accounts.throttling.client_username"
AXES_CLIENT_IP_CALLABLE = "vaecos.www.accounts.throttling.client_ip_address"
AXES_LOCKOUT_CALLABLE = "vaecos.www.accounts.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A new password (the reset link sent by e-mail) lifts the lock: see the password reset view.
# Otherwise `manage.py axes_reset_username ADRESSE` does. Axes' tables are kept out of the admin.
AXES_ENABLE_ADMIN = False

# Second factor (django-otp, TOTP): instructeurs, jury members and administrators confirm each
# login with a code from an authenticator application (RFC 6238), or with one of their ten
# single-use backup codes. Until they do, every page but the second-factor pages sends them
# there (vaecos.www.middleware.SecondFactorMiddleware). A first login leads to the enrolment
# page (QR code). Someone who lost their phone and backup codes: an administrator deletes their
# devices in the admin (« Appareils TOTP »), and they enrol again at their next login.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "VAE COS"
# After a wrong code, the next try waits 1, 2, 4, 8… seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin lists and deletes devices (a lost phone) but never shows a key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
