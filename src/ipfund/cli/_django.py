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


def migrate(verbosity: int = 0, progress=None) -> None:
    """Apply the migrations; ``progress(done, total)`` is told as each one begins (Django's own lines,
    in English, are not shown)."""
    from django.core.management import call_command

    if progress is None:
        call_command("migrate", interactive=False, verbosity=verbosity)
        return
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    total = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))

    class Counter:
        done = 0

        def write(self, text: str) -> int:
            if "Applying " in text:  # Django's line as a migration begins
                Counter.done += 1
                progress(Counter.done, total)
            return len(text)

        def flush(self) -> None:
            pass

    call_command("migrate", interactive=False, verbosity=1, stdout=Counter())
