from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Practice admin"
    CLINICIAN = "clinician", "Clinician"

    @property
    def is_clinical(self) -> bool:
        """Owners of small practices see clients too; admins handle people and settings only."""
        return self in (Role.OWNER, Role.CLINICIAN)

    @property
    def manages_practice(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)


class ClientStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DISCHARGED = "discharged", "Discharged"


class InvitationKind(models.TextChoices):
    STAFF = "staff", "Practice team member"
    CLIENT = "client", "Client"


class ShareScope(models.TextChoices):
    """What part of a client's record a read touches; the categories of the client's sharing
    choices. Values are stored in audit rows: add new ones, never rename.

    The client switches the `SWITCHABLE` ones (consents.rules); PROFILE, SAFETY_PLAN, RISK and
    CARE_RECORD are never hidden from the care team, as the consent document says."""

    PROFILE = "profile", "Profile and care team"
    CHECKINS = "checkins", "Check-in scores"
    JOURNAL = "journal", "Check-in notes and journal"
    MEASURES = "measures", "Questionnaires"
    IMPORTS = "imports", "Imported app data"
    MESSAGES = "messages", "Messages"
    WORKSHEETS = "worksheets", "Worksheets"
    RELAXATION = "relaxation", "Relaxation practice"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    RISK = "risk", "Risk answers and alerts"
    CARE_RECORD = "care_record", "What the care team records (appointments, paper scores)"
    # Homework the care team set and how each due day went: addressed to the care team, like a
    # message, so never switched off (the worksheet a client linked still follows WORKSHEETS).
    HOMEWORK = "homework", "Homework and how it went"
    # The digital readiness check: answers the client gives the care team so they can choose
    # which tools suit them, so addressed to the care team like homework (never switched off).
    READINESS = "readiness", "How you use apps and devices (the readiness check)"


class Module(models.TextChoices):
    """A part of the client's app a clinician can switch off for one client (suitability).
    The safety plan and crisis help are not modules: nothing switches them off."""

    CHECKINS = "checkins", "Check-ins"
    JOURNAL = "journal", "Journal"
    WORKSHEETS = "worksheets", "Worksheets"
    RELAXATION = "relaxation", "Relaxation"
    QUESTIONNAIRES = "questionnaires", "Questionnaires"
    LIBRARY = "library", "Reading library"
    HOMEWORK = "homework", "Homework"
    MESSAGING = "messaging", "Messages"
    REMINDERS = "reminders", "Reminders"
    IMPORTS = "imports", "Bring in data from other apps"
