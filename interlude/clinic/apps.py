from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The practice as people use it: invitations, staff and clients, crisis resources, the
    caseload, the client record and the client's home pages. Its services write audit events, so
    it sits above `practices` (the tenancy), `audit` and the gate (`consents`)."""

    name = "interlude.clinic"
    label = "clinic"
    verbose_name = "Clinic"
