"""CORE-10 results re-banded under definition version 2 (a wrong band is a clinical error).

Version 1 of the CORE-10 definition had the bands 11-15 mild, 16-20 moderate, 21-25 moderately
severe, 26-40 severe; the published bands are 11-14, 15-19, 20-24 and 25-40. Totals do not change.
Every stored CORE-10 result scored under version 1 gets the band of its total under version 2, and
its `scoring_meta["rebanded_from"]` records what it was, when and why, so the record explains the
change. The bands are copied here, not read from definitions/core10.json: this migration must do
the same thing whenever it runs. Reversible: going back restores the recorded band.
"""

from django.db import migrations

OLD_VERSION = "1"
NEW_VERSION = "2"
MIGRATION = "measures.0005_core10_reband"
REASON = (
    "Re-banded: CORE-10 definition version 1 had the boundaries of mild, moderate, moderately "
    "severe and severe one point too high. The total is unchanged."
)
# (min, max, code, label) of CORE-10 definition version 2.
BANDS_V2 = (
    (0, 5, "healthy", "Healthy"),
    (6, 10, "low", "Low"),
    (11, 14, "mild", "Mild"),
    (15, 19, "moderate", "Moderate"),
    (20, 24, "moderately_severe", "Moderately severe"),
    (25, 40, "severe", "Severe"),
)


def band_v2(total: float) -> tuple[str, str]:
    for low, high, code, label in BANDS_V2:
        if low <= total <= high:
            return code, label
    return "", ""


def reband_row(row) -> bool:
    """Re-band one CORE-10 response scored under version 1; False when there is nothing to do."""
    if row.instrument_code != "core10" or row.instrument_version != OLD_VERSION:
        return False
    meta = dict(row.scoring_meta or {})
    meta["rebanded_from"] = {
        "definition_version": OLD_VERSION,
        "band_code": row.band_code,
        "band_label": row.band_label,
        "by": MIGRATION,
        "reason": REASON,
    }
    if row.total is not None:  # an incomplete answer set has no band under either version
        row.band_code, row.band_label = band_v2(row.total)
    meta["definition_version"] = NEW_VERSION
    row.instrument_version = NEW_VERSION
    row.scoring_meta = meta
    return True


def reband(apps, schema_editor):
    Response = apps.get_model("measures", "QuestionnaireResponse")
    rows = Response.objects.filter(instrument_code="core10", instrument_version=OLD_VERSION)
    for row in rows.only(
        "id",
        "instrument_code",
        "instrument_version",
        "total",
        "band_code",
        "band_label",
        "scoring_meta",
    ).iterator():
        if reband_row(row):
            # update(), not save(): the encrypted answers of the row are not touched.
            Response.objects.filter(pk=row.pk).update(
                instrument_version=row.instrument_version,
                band_code=row.band_code,
                band_label=row.band_label,
                scoring_meta=row.scoring_meta,
            )


def unband(apps, schema_editor):
    Response = apps.get_model("measures", "QuestionnaireResponse")
    rows = Response.objects.filter(instrument_code="core10", instrument_version=NEW_VERSION)
    for row in rows.iterator():
        meta = dict(row.scoring_meta or {})
        before = meta.pop("rebanded_from", None)
        if not before or before.get("by") != MIGRATION:
            continue  # scored under version 2 in the first place
        meta["definition_version"] = OLD_VERSION
        Response.objects.filter(pk=row.pk).update(
            instrument_version=OLD_VERSION,
            band_code=before["band_code"],
            band_label=before["band_label"],
            scoring_meta=meta,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0004_questionnaire_draft"),
    ]

    operations = [migrations.RunPython(reband, unband)]
