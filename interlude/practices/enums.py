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
    """What part of a client's record a read touches. The client's sharing choices (a later issue)
    switch scopes off; PROFILE (name, contact, care team) is always visible to the care team."""

    PROFILE = "profile", "Profile and care team"
    CHECKINS = "checkins", "Check-ins and mood"
    JOURNAL = "journal", "Journal and worksheet text"
    MEASURES = "measures", "Questionnaires"
    IMPORTS = "imports", "Imported app data"
    MESSAGES = "messages", "Messages"
