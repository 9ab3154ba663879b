"""Background work for imports. Tasks take ids, run after commit, and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.interop import services


@task()
def import_read_task(*, job_id: int) -> bool:
    return services.import_read(job_id=job_id)


@task()
def import_commit_task(*, job_id: int) -> bool:
    return services.import_apply(job_id=job_id)


@task()
def imports_sweep_run() -> dict[str, int]:
    return services.imports_sweep()
