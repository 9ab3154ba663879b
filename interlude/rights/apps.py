from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "interlude.rights"
    label = "rights"
    verbose_name = "Data rights: the client's own download of everything about them"
