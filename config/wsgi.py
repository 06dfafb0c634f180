import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
application = get_wsgi_application()

if settings.PII_PRELOAD:
    from vaecos.pii.detection import load_in_background

    load_in_background()
