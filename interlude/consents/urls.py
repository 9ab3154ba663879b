from django.urls import path

from interlude.consents import views_consent

urlpatterns = [
    # the client's onboarding
    path("welcome/", views_consent.onboarding_welcome, name="onboarding_welcome"),
    path("welcome/consent/", views_consent.onboarding_consent, name="onboarding_consent"),
    path("welcome/sharing/", views_consent.onboarding_sharing, name="onboarding_sharing"),
    path("welcome/time-zone/", views_consent.onboarding_time_zone, name="onboarding_time_zone"),
    path("welcome/reminders/", views_consent.onboarding_reminders, name="onboarding_reminders"),
    path("welcome/done/", views_consent.onboarding_done, name="onboarding_done"),
    # the client's consent under Me
    path("me/consent/", views_consent.consent_overview, name="client_consent"),
    path("me/consent/withdraw/", views_consent.consent_withdraw_view, name="consent_withdraw"),
    path("me/consent/history/", views_consent.consent_history_view, name="consent_history"),
    # the practice's consent documents
    path("practice/consent/", views_consent.consent_documents, name="consent_documents"),
    path(
        "practice/consent/<int:version>/",
        views_consent.consent_document_detail,
        name="consent_document_detail",
    ),
]
