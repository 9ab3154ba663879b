from django.urls import path

from interlude.insights import views_brief

urlpatterns = [
    path("clinic/clients/<uuid:client_id>/brief/", views_brief.client_brief, name="client_brief"),
    path(
        "clinic/clients/<uuid:client_id>/report/", views_brief.client_report, name="client_report"
    ),
    path(
        "clinic/clients/<uuid:client_id>/report.pdf",
        views_brief.client_report_pdf,
        name="client_report_pdf",
    ),
    path("clinic/reports/<uuid:report_id>/", views_brief.report_job_page, name="report_job"),
    path(
        "clinic/reports/<uuid:report_id>/download/",
        views_brief.report_job_download,
        name="report_job_download",
    ),
]
