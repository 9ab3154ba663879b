"""URLs of the FHIR R4 read API, included at /fhir/R4/ (config/urls.py)."""

from django.urls import URLPattern, path, re_path

from interlude.interop import views_fhir

# FHIR ids: [A-Za-z0-9\-\.]{1,64}
_ID = r"(?P<resource_id>[A-Za-z0-9\-\.]{1,64})"

urlpatterns: list[URLPattern] = [
    path("metadata", views_fhir.metadata, name="fhir_metadata"),
    path("Patient", views_fhir.patient_search, name="fhir_patient_search"),
    re_path(
        r"^Patient/(?P<patient_id>[A-Za-z0-9\-\.]{1,64})/\$everything$",
        views_fhir.patient_everything,
        name="fhir_patient_everything",
    ),
    re_path(
        r"^Patient/(?P<patient_id>[A-Za-z0-9\-\.]{1,64})$",
        views_fhir.patient_read,
        name="fhir_patient_read",
    ),
    path("Observation", views_fhir.observation_search, name="fhir_observation_search"),
    re_path(rf"^Observation/{_ID}$", views_fhir.observation_read, name="fhir_observation_read"),
    path("Questionnaire", views_fhir.questionnaire_search, name="fhir_questionnaire_search"),
    re_path(
        rf"^Questionnaire/{_ID}$", views_fhir.questionnaire_read, name="fhir_questionnaire_read"
    ),
    path(
        "QuestionnaireResponse",
        views_fhir.questionnaire_response_search,
        name="fhir_questionnaire_response_search",
    ),
    re_path(
        rf"^QuestionnaireResponse/{_ID}$",
        views_fhir.questionnaire_response_read,
        name="fhir_questionnaire_response_read",
    ),
    re_path(r"^(?P<rest>.*)$", views_fhir.not_supported, name="fhir_not_supported"),
]
