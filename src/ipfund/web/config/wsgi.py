"""WSGI entry for production servers: `gunicorn ipfund.web.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipfund.web.config.settings")
application = get_wsgi_application()
