"""WSGI entry point for gunicorn (production) and `sj serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survivors_justice.settings")
application = get_wsgi_application()
