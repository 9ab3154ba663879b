"""The shared starter set of the app catalog (catalog/content/starter_apps.json).

Runs `starter.starter_sync` with the historical models: it creates the starter entries (no
practice) with their answers and facets, and changes nothing that already matches the file.
Going back leaves the entries in place (they are removed with the tables of 0001).
"""

from django.db import migrations


def load_starter_set(apps, schema_editor):
    from interlude.catalog.starter import starter_sync

    starter_sync(
        app_model=apps.get_model("catalog", "CatalogApp"),
        answer_model=apps.get_model("catalog", "EvaluationAnswer"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_starter_set, migrations.RunPython.noop),
    ]
