from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", "Signed in"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    LOGOUT = "auth.logout", "Signed out"
    LOCKED_OUT = "auth.locked_out", "Locked out after repeated failures"
    MFA_ADDED = "auth.mfa_added", "Added a second factor"
    MFA_REMOVED = "auth.mfa_removed", "Removed a second factor"
    PASSWORD_CHANGED = "auth.password_changed", "Changed password"
    ACCOUNT_DISABLED = "auth.account_disabled", "Account disabled"
    INVITATION_SENT = "invitation.sent", "Sent an invitation"
    INVITATION_ACCEPTED = "invitation.accepted", "Accepted an invitation"
    INVITATION_REVOKED = "invitation.revoked", "Revoked an invitation"
    CLIENT_CREATED = "client.created", "Added a client"
    CLIENT_RECORD_VIEWED = "client.record_viewed", "Viewed the client record"
    CASELOAD_VIEWED = "client.caseload_viewed", "Viewed the caseload"
    CLIENT_ACCESS_DENIED = "client.access_denied", "Was refused access to a client record"
    ROUTE_ACCESS_DENIED = "auth.route_denied", "Was refused a page"
    CARE_TEAM_CHANGED = "client.care_team_changed", "Changed the care team"
    CRISIS_RESOURCE_CHANGED = "practice.crisis_resource_changed", "Changed crisis resources"
    INSTRUMENT_SETTINGS_CHANGED = (
        "practice.instrument_settings_changed",
        "Changed questionnaire settings",
    )
    ALERT_SETTINGS_CHANGED = "practice.alert_settings_changed", "Changed alert settings"
    QUESTIONNAIRE_SCHEDULED = "measures.scheduled", "Scheduled a questionnaire"
    QUESTIONNAIRE_SCHEDULE_ENDED = "measures.schedule_ended", "Stopped a questionnaire schedule"
    QUESTIONNAIRE_SUBMITTED = "measures.submitted", "Answered a questionnaire"
    APPOINTMENT_CHANGED = "care.appointment_changed", "Added or changed an appointment"
    ALERT_RAISED = "alert.raised", "An alert was raised"
    ALERT_NOTIFIED = "alert.notified", "Alert notification sent"
    ALERTS_VIEWED = "alert.inbox_viewed", "Viewed the alert inbox"
    ALERT_ACKNOWLEDGED = "alert.acknowledged", "Acknowledged an alert"
    ALERT_RESOLVED = "alert.resolved", "Resolved an alert"
    ALERT_ESCALATED = "alert.escalated", "Alert escalated to the practice owner"
    ALERT_HANDED_OVER = "alert.handed_over", "Handed an alert to a named clinician"
    ALERT_VIEWED_AS_RECIPIENT = (
        "alert.viewed_as_recipient",
        "Viewed an alert passed to them (escalation or handover)",
    )
    REPORT_EXPORTED = "client.report_exported", "Exported a progress report"
    CONSENT_PUBLISHED = "practice.consent_published", "Published a consent document"
    CONSENT_ACCEPTED = "consent.accepted", "Gave consent"
    CONSENT_WITHDRAWN = "consent.withdrawn", "Withdrew consent"
    SHARING_CHANGED = "consent.sharing_changed", "Changed what is shared"
    SHARING_DEFAULTS_CHANGED = (
        "practice.sharing_defaults_changed",
        "Changed what new clients share by default",
    )
    MODULES_CHANGED = "client.modules_changed", "Switched parts of the app on or off"
    BREAK_GLASS_OPENED = "client.break_glass_opened", "Opened a record in an emergency"
    BREAK_GLASS_VIEWED = "client.break_glass_viewed", "Read a record under emergency access"
    EXPORT_REQUESTED = "client.export_requested", "Asked for a copy of their data"
    EXPORT_DOWNLOADED = "client.export_downloaded", "Downloaded a copy of their data"
    CLOSURE_REQUESTED = "client.closure_requested", "Asked to close their account"
    CLOSURE_CONFIRMED = "client.closure_confirmed", "Closed a client's account"
    DATA_KEY_DESTROYED = "client.data_key_destroyed", "Destroyed a client's data key"
    # Between sessions: homework, the treatment plan, session notes, calendars, messages, reminders.
    ASSIGNMENT_CREATED = "homework.assigned", "Set homework"
    ASSIGNMENT_CHANGED = "homework.changed", "Changed or ended homework"
    ASSIGNMENT_COMPLETED = "homework.completed", "Recorded how homework went"
    ASSIGNMENT_FEEDBACK = "homework.feedback", "Left feedback on homework"
    TREATMENT_PLAN_CHANGED = "care.plan_changed", "Changed the treatment plan"
    GOAL_REVIEWED = "care.goal_reviewed", "Reviewed progress towards a goal"
    SESSION_NOTE_SAVED = "care.note_saved", "Wrote a session note"
    SESSION_NOTE_SIGNED = "care.note_signed", "Signed a session note"
    SESSION_NOTE_ADDENDUM = "care.note_addendum", "Added an addendum to a signed session note"
    CALENDAR_FEED_CREATED = "care.calendar_feed_created", "Created a calendar feed link"
    CALENDAR_FEED_REVOKED = "care.calendar_feed_revoked", "Revoked a calendar feed link"
    MESSAGE_SENT = "message.sent", "Sent a message"
    MESSAGE_ATTACHMENT_OPENED = "message.attachment_opened", "Opened a message attachment"
    MESSAGING_SETTINGS_CHANGED = (
        "practice.messaging_settings_changed",
        "Changed messaging hours or reply time",
    )
    REMINDER_SETTINGS_CHANGED = "reminders.settings_changed", "Changed reminder settings"
    PUSH_SUBSCRIBED = "reminders.push_subscribed", "Turned on notifications on a device"
    PRACTICE_REMINDER_SETTINGS_CHANGED = (
        "practice.reminder_settings_changed",
        "Changed the practice's reminder settings",
    )
    # [7] bringing data in from other apps, tokens for apps and devices, FHIR
    IMPORT_UPLOADED = "import.uploaded", "Uploaded a file to bring in"
    IMPORT_COMMITTED = "import.committed", "Added the records of an import"
    IMPORT_UNDONE = "import.undone", "Undid an import"
    IMPORT_DISCARDED = "import.discarded", "Discarded an import before adding it"
    IMPORT_PROFILE_SAVED = "import.profile_saved", "Saved a column mapping for spreadsheets"
    TOKEN_CREATED = "token.created", "Created a personal access token"
    TOKEN_REVOKED = "token.revoked", "Revoked a personal access token"
    OBSERVATIONS_PUSHED = "observations.pushed", "An app or device sent data"
    # [8] the app catalog, recommendations, the digital readiness check, suitability notes
    CATALOG_APP_SAVED = "catalog.app_saved", "Added or reviewed an app in the catalog"
    CATALOG_APP_ARCHIVED = "catalog.app_archived", "Removed an app from the catalog"
    APP_RECOMMENDED = "catalog.recommended", "Recommended an app"
    RECOMMENDATION_WITHDRAWN = "catalog.recommendation_withdrawn", "Withdrew an app recommendation"
    READINESS_REQUESTED = "readiness.requested", "Asked for the digital readiness check"
    READINESS_SUBMITTED = "readiness.submitted", "Answered the digital readiness check"
    READINESS_CANCELLED = "readiness.cancelled", "Withdrew a request for the readiness check"
    SUITABILITY_NOTE_SAVED = "suitability.note_saved", "Wrote a suitability note"
    SUITABILITY_NOTE_REMOVED = "suitability.note_removed", "Removed a suitability note"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"
