"""The caseload's summary: one row per client, so the caseload reads a row instead of years.

Derived data only, recomputed from the records by `insights.summary` inside the transaction of
every write that changes it (the `core.hooks.client_changed` hook) and by `summaries_rebuild`.
Each piece is kept per sharing category (own and imported check-ins apart, each answer with who
entered it, active days per category) so the caseload asks the viewer's `CareAccess` at read
time what it may show. Nothing here depends on "now": windows such as "the last 14 days" are
applied when read, from the stored dates.
"""

from __future__ import annotations

from django.db import models


class ClientSummary(models.Model):
    client = models.OneToOneField(
        "practices.Client", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    # {instrument code: [[id, submitted_at (ISO), entered_by, total or null, band_label,
    #   change_from_baseline, classification, track_status, track_reason], ...]}: the newest
    # answers (scored or not), newest first, kept apart for imported answers under "import:<code>"
    # so a viewer not shown imported data still gets their own newest ones.
    scores = models.JSONField(default=dict, blank=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)  # the client's own
    last_imported_checkin_at = models.DateTimeField(null=True, blank=True)
    alerts_open = models.PositiveIntegerField(default=0)  # not yet resolved
    alerts_new = models.PositiveIntegerField(default=0)  # not yet acknowledged
    alert_top_rank = models.SmallIntegerField(default=-1)  # highest open severity rank
    # {category: ["YYYY-MM-DD", ...]}: the newest distinct local days with activity, newest first.
    active_days = models.JSONField(default=dict, blank=True)
    zone = models.CharField(max_length=64, blank=True)  # the client's zone the days were read in
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "client summaries"

    def __str__(self) -> str:
        return f"Summary of client {self.client_id}"
