"""The summary's stored answers in their compact shape (models.ClientSummary.scores), and the
`tracks` column worked out from them. Derived data: self-contained here, so a later change to
insights.summary cannot change what this migration does."""

from django.db import migrations

SPARK_POINTS = 12
IMPORTED_PREFIX = "import:"
TRACK_RANKS = {"on_track": 0, "at_risk": 1, "not_on_track": 2}


def _compact(scores):
    result = {}
    for key, value in scores.items():
        if value and isinstance(value[0][0], list):  # already [answers, latest]
            result[key] = value
            continue
        # Before: [[id, at, entered_by, total, band, change, class, track, reason], ...]
        answers = [[a[0], a[1], a[3]] for a in value]
        latest = next(([a[0], *a[4:9]] for a in value if a[3] is not None), None)
        result[key] = [answers, latest]
    return result


def _tracks(scores):
    merged, ranks = {}, {}
    for key, (answers, latest) in scores.items():
        merged.setdefault(key.removeprefix(IMPORTED_PREFIX), []).extend(answers)
        if latest is not None:
            ranks[latest[0]] = TRACK_RANKS.get(latest[4], 0)
    result = []
    for code in sorted(merged):
        newest = sorted(merged[code], key=lambda a: (a[1], a[0]), reverse=True)[:SPARK_POINTS]
        scored = next((a for a in newest if a[2] is not None), None)
        if scored is not None:
            result.append([code, scored[0], ranks[scored[0]]])
    return result


def compact(apps, schema_editor):
    summary = apps.get_model("insights", "ClientSummary")
    batch = []
    for row in summary.objects.only("client_id", "scores").iterator(chunk_size=500):
        row.scores = _compact(row.scores or {})
        row.tracks = _tracks(row.scores)
        batch.append(row)
        if len(batch) == 500:
            summary.objects.bulk_update(batch, ["scores", "tracks"])
            batch = []
    summary.objects.bulk_update(batch, ["scores", "tracks"])


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_summary_tracks")]

    operations = [migrations.RunPython(compact, migrations.RunPython.noop)]
