"""Who may see which jobs: only the person who asked for one."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Job


def jobs_of(user) -> QuerySet[Job]:
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)


def job_get_for(user, pk) -> Job:
    return jobs_of(user).get(pk=pk)
