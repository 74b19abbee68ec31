"""Django start-up for the platform's sub-commands (serve, demo, audit, manage)."""

from __future__ import annotations

import os


def setup(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["IPFUND_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipfund.web.config.settings")
    from django.conf import settings

    import django

    django.setup()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not settings.PRODUCTION:  # whitenoise serves from the finders then, but wants the root to exist
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
