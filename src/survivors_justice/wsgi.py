"""WSGI entry point for gunicorn (production) and `sj serve`."""

import os

from django.core.wsgi import get_wsgi_application

from survivors_justice.files import private_by_default

private_by_default()  # the store, exports and logs this process creates are private
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survivors_justice.settings")
application = get_wsgi_application()
