"""Escalation in a real browser: a critical alert nobody on the care team acknowledged goes to the
practice owner, who signs in on a 390 px phone, sees that alert (not an empty inbox), and
acknowledges it from the list; the navigation count drops at once. And on a desktop, opening the
acknowledge form does not move the table under the pointer. axe runs on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from interlude.alerts.models import Alert, AlertKind, AlertStatus
from interlude.alerts.services import alert_settings_save, alerts_escalate
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.measures.models import Frequency, QuestionnaireDue, QuestionnaireResponse
from interlude.measures.services import response_submit, schedule_create
from interlude.practices.enums import Role
from interlude.practices.models import CrisisResource
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTE = "Could not reach Dr. Rivera; called Robin myself, safe tonight, seen tomorrow."


def _critical(client, key: str) -> Alert:
    response, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        idempotency_key=key,
    )
    return Alert.objects.get(response=response, kind=AlertKind.CRITICAL_ITEM)


def _tap_height(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["height"]


def test_the_owner_told_by_escalation_sees_and_acknowledges_the_alert_on_a_phone(new_page):
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    client.full_name = "Robin Ash"
    client.save()
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(mfa_exempt=True, full_name="Sam Owner"),
    )
    alert_settings_save(actor=owner.user, practice=owner.practice, escalation_minutes=30)
    alert = _critical(client, "e2e-escalation")

    # Time passes beyond the practice's 30 minutes with nobody acknowledging: escalation.
    later = alert.created_at + timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        assert alerts_escalate() == 1
    alert.refresh_from_db()
    assert alert.escalated_at == later

    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, owner.user.email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Alerts 1 unacknowledged"
    )
    with page.expect_navigation():
        nav.click()
    assert page.url.endswith("/clinic/alerts/")
    needs = page.get_by_role("region", name="Needs someone")
    row = needs.locator(f"#alert-{alert.public_id}")
    assert row.get_by_text("Escalated to you as a practice owner").is_visible()
    # Outside the care team: only that a risk answer was given, and whom to turn to.
    reason = row.locator("td.alert-reason p").first.inner_text()
    assert reason.startswith("A risk answer was given on a questionnaire.")
    assert "item 9" not in row.inner_text()
    assert row.get_by_role("rowheader").inner_text() == "Robin Ash"
    summary = row.locator("summary", has_text="Acknowledge")
    assert summary.is_visible()
    # Reachable without scrolling sideways (check_axe fails on any), and big enough to tap.
    box = summary.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert _tap_height(summary) >= 44
    assert _tap_height(row.get_by_role("link", name="Hand over, history", exact=False)) >= 44
    check_axe(page)
    screenshot(page, "owner-alerts-390")

    summary.click()
    row.get_by_label("Note (required)").fill(NOTE)
    row.get_by_role("button", name="Acknowledge with this note").click()
    row = page.locator(f"#alert-{alert.public_id}")
    row.get_by_text(NOTE).wait_for()
    assert row.locator(".status").inner_text() == "Acknowledged"
    assert row.locator(".alert-by").first.inner_text().startswith("Escalated to the practice")
    # The count in the navigation drops at once, without a reload.
    assert page.locator("#alerts-nav-count").inner_text().strip() == ""
    assert page.locator("#alerts-open-count").inner_text() == "0 need someone"
    check_axe(page)
    screenshot(page, "owner-alert-acknowledged-390")

    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id, alert.acknowledge_note) == (
        AlertStatus.ACKNOWLEDGED,
        owner.user_id,
        NOTE,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.ALERT_VIEWED_AS_RECIPIENT, actor=owner.user, client=client
    ).exists()

    # The alert's page: who was told, when, and who acted.
    goto(page, f"/clinic/alerts/{alert.public_id}/")
    history = page.get_by_role("region", name="Who was told, and who acted").inner_text()
    assert "Emailed (escalated to the practice owner): Sam Owner" in history
    assert "Acknowledged: Sam Owner" in history
    check_axe(page)
    screenshot(page, "owner-alert-page-390")


def test_opening_the_acknowledge_form_does_not_move_the_table_under_the_pointer(new_page):
    membership, client = clinician_with_client()
    MembershipFactory(practice=client.practice, user=UserFactory(full_name="Dr. Ana Cruz"))
    first = _critical(client, "shift-1")
    _critical(client, "shift-2")

    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)
    goto(page, "/clinic/alerts/")
    row = page.locator(f"#alert-{first.public_id}")
    summary = row.locator("summary", has_text="Acknowledge")
    headers = page.locator("thead th")
    summary.scroll_into_view_if_needed()  # so the click itself does not scroll the page
    before = (summary.bounding_box(), [headers.nth(i).bounding_box() for i in range(7)])

    summary.click()
    row.get_by_label("Note (required)").wait_for()

    after = (summary.bounding_box(), [headers.nth(i).bounding_box() for i in range(7)])
    assert after == before
    check_axe(page)
    screenshot(page, "alerts-ack-form-desktop")

    # The alert's own page, with the forms to acknowledge, hand over and resolve.
    goto(page, f"/clinic/alerts/{first.public_id}/")
    assert page.get_by_label("Clinician", exact=True).is_visible()
    check_axe(page)
    screenshot(page, "alert-page-desktop")


def test_crisis_help_shows_at_the_risk_item_the_moment_it_is_answered(new_page):
    membership, client = clinician_with_client()
    CrisisResource.objects.create(
        practice=client.practice, country="US", name="Emergency services", phone="911",
        hours="24/7", is_emergency=True,
    )  # fmt: skip
    schedule_create(
        actor=membership.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE
    )
    due = QuestionnaireDue.objects.get(client=client)
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    goto(page, f"/questionnaires/{due.public_id}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()
    goto(page, f"/questionnaires/{due.public_id}/9/")
    card = page.get_by_role("region", name="If you are in danger now")
    assert not card.is_visible()

    page.get_by_label("Not at all", exact=True).check()
    assert not card.is_visible()
    page.get_by_label("Several days", exact=True).check()

    card.wait_for()  # at once, before anything is sent
    assert card.get_by_role("link", name="911", exact=True).get_attribute("href") == "tel:911"
    assert page.get_by_role("status").inner_text() == (
        "Help is available: crisis lines are shown below."
    )
    assert not QuestionnaireResponse.objects.filter(client=client).exists()
    check_axe(page)
    screenshot(page, "questionnaire-risk-item-card-390")
