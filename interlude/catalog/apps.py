from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "interlude.catalog"
    label = "catalog"
    verbose_name = "App catalog: external apps, their evaluations, recommendations and suitability"

    def ready(self) -> None:
        # Each part registers its own panels (core.panels) on the record, the brief and Today.
        from interlude.catalog import (  # noqa: F401
            readiness_panels,
            recommend_panels,
            suitability_panels,
        )
