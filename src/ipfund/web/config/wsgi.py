"""WSGI entry for production servers: `gunicorn -c python:ipfund.web.config.gunicorn ipfund.web.config.wsgi`.

In production a worker refuses to start when it is unsafe (web/startup.py): several workers
without the shared cache, no broker for the jobs, or a database role that could alter the tables.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipfund.web.config.settings")
application = get_wsgi_application()

from ipfund.web.startup import declared_workers, refuse_unsafe_start  # noqa: E402  (needs Django set up)

refuse_unsafe_start(workers=declared_workers())
