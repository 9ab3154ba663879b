"""Background work for the progress report PDF. Tasks take ids, run after commit, and are safe to
run twice (insights.services says why)."""

from __future__ import annotations

from django.tasks import task

from interlude.insights import services


@task()
def report_build_task(*, job_id: int) -> bool:
    return services.report_job_build(job_id=job_id)


@task()
def reports_sweep_run() -> dict[str, int]:
    return services.reports_sweep()
