from django.urls import include, path

from config.api import api
from interlude.core import pwa
from interlude.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("interlude.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("interlude.clinic.urls")),
    path("", include("interlude.tracking.urls")),
    path("", include("interlude.tracking.urls_checkin")),
    path("", include("interlude.exercises.urls")),
    path("", include("interlude.care.urls")),
    path("", include("interlude.care.urls_plan")),
    path("", include("interlude.care.urls_notes")),
    path("", include("interlude.care.urls_calendar")),
    path("", include("interlude.homework.urls")),
    path("", include("interlude.interop.urls")),
    path("", include("interlude.interop.urls_tokens")),
    path("fhir/R4/", include("interlude.interop.urls_fhir")),
    path("", include("interlude.catalog.urls_clinician")),
    path("", include("interlude.catalog.urls_recommend")),
    path("", include("interlude.catalog.urls_readiness")),
    path("", include("interlude.catalog.urls_suitability")),
    path("", include("interlude.messaging.urls")),
    path("", include("interlude.reminders.urls")),
    path("", include("interlude.measures.urls")),
    path("", include("interlude.alerts.urls")),
    path("", include("interlude.alerts.urls_settings")),
    path("", include("interlude.insights.urls")),
    path("", include("interlude.rights.urls")),
    path("", include("interlude.consents.urls")),
    path("", include("interlude.consents.urls_sharing")),
    path("", include("interlude.consents.urls_breakglass")),
    path("", include("interlude.consents.urls_closure")),
]
