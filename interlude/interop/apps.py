from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interlude.interop"
    label = "interop"
    verbose_name = "Interop: other apps' files, apps and devices pushing data, and FHIR R4"
