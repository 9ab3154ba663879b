"""Background work for exports. Tasks take ids, run after commit, and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.rights import services


@task()
def export_build_task(*, job_id: int) -> bool:
    return services.export_build(job_id=job_id)


@task()
def exports_sweep_run() -> dict[str, int]:
    return services.exports_sweep()
