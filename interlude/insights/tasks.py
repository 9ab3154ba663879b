"""Background work for the progress report PDF. Tasks take ids, run after commit, and are safe to
run twice (insights.report_jobs says why)."""

from __future__ import annotations

from django.tasks import task

from interlude.insights import report_jobs


@task()
def report_build_task(*, job_id: int) -> bool:
    return report_jobs.report_job_build(job_id=job_id)


@task()
def reports_sweep_run() -> dict[str, int]:
    return report_jobs.reports_sweep()
