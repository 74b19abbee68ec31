"""What production refuses to start with (gunicorn's workers and the Celery worker call this).

- Several web processes without a shared cache: each would keep its own count of the anonymous
  limits (/api/evaluate answered 89 of 120 requests in 1.4 s against a limit of 30 a minute).
  gunicorn started with ``-c python:ipfund.web.config.gunicorn`` tells the workers how many there
  are; started otherwise, the number is unknown and the shared cache is required.
- No broker: jobs would run on one thread per web process, lost with it. Production runs Celery
  on Redis; ``IPFUND_JOBS_IN_PROCESS=1`` accepts the in-process worker knowingly (it recovers
  through the job leases too, see jobs/leases.py).
- A database role that owns the tables or is a superuser (audit/db_roles.py), unless
  ``IPFUND_DB_OWNER_ALLOWED=1``.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

WORKERS_ENV = "IPFUND_WEB_WORKERS"  # set by the gunicorn config for the workers it forks
SEVERAL_WORKERS_NO_SHARED_CACHE = (
    "以 {workers} 运行时须设置共享缓存 IPFUND_CACHE_URL（如 redis://127.0.0.1:6379/1）：否则每个进程各自计数，"
    "匿名接口的限流形同虚设。只用一个进程时，请用 gunicorn -c python:ipfund.web.config.gunicorn -w 1 启动。"
)
NO_BROKER = (
    "生产环境须设置 CELERY_BROKER_URL（如 redis://127.0.0.1:6379/0）并运行 Celery worker 执行导出等后台任务；"
    "确需在 Web 进程内执行，请设置 IPFUND_JOBS_IN_PROCESS=1。"
)
REFUSED = "生产环境拒绝启动：\n"


def _shared_cache() -> bool:
    return not settings.CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))


def declared_workers() -> int | None:
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() else None


def start_problems(*, workers: int | None, web: bool = True) -> list[str]:
    """Everything that makes this production start unsafe, in Chinese (empty: start)."""
    from django.db import connection

    from ipfund.web.audit.db_roles import role_problems

    problems = []
    if web and (workers is None or workers > 1) and not _shared_cache():
        problems.append(SEVERAL_WORKERS_NO_SHARED_CACHE.format(
            workers="多个进程（未知个数）" if workers is None else f"{workers} 个进程"))
    if not settings.CELERY_BROKER_URL and not settings.IPFUND_JOBS_IN_PROCESS:
        problems.append(NO_BROKER)
    if not settings.IPFUND_DB_OWNER_ALLOWED:
        problems.extend(role_problems(connection))
    return problems


def refuse_unsafe_start(*, workers: int | None, web: bool = True) -> None:
    """In production, raise ImproperlyConfigured naming every problem; elsewhere nothing."""
    if not settings.PRODUCTION:
        return
    problems = start_problems(workers=workers, web=web)
    if problems:
        raise ImproperlyConfigured(REFUSED + "\n".join(f"- {p}" for p in problems))
    if settings.IPFUND_JOBS_IN_PROCESS and not settings.CELERY_BROKER_URL:
        log.warning("后台任务在 Web 进程内执行（IPFUND_JOBS_IN_PROCESS=1），未使用 Celery。")
