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


def _warm() -> None:
    """Import every view (the URL configuration) and read the installed policy packages before the
    worker takes its first request. Done lazily, a worker's first request took seconds on a busy
    machine, and every request queued behind it waited as long (a load run's p95 showed it)."""
    from django.urls import get_resolver

    from ipfund.web.engine_door import known_policies

    get_resolver().url_patterns  # noqa: B018  (the property imports them)
    known_policies()


_warm()
