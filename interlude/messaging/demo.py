"""Demo thread for the demo client: several weeks of messages both ways, most read, one sharing a
recent thought record, and the practice's messaging hours. Idempotent: a client who already has
messages is left alone. Written straight to the models (no emails, no rate limit, no alerts: the
demo words carry no risk phrase)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from interlude.messaging.models import Message, MessagingSettings, SharedKind, Side
from interlude.practices.models import Client

# (days ago, hour, side, text, share the latest thought record)
DEMO_THREAD: list[tuple[int, int, Side, str, bool]] = [
    (
        27,
        10,
        Side.CARE_TEAM,
        "Hi Jordan, good to see you today. As we agreed, try one thought "
        "record this week when you notice your mood dip. Bring it next time.",
        False,
    ),
    (
        26,
        19,
        Side.CLIENT,
        "Thanks. I tried one after the team meeting. It was harder than it "
        "looked but I got to the balanced thought.",
        False,
    ),
    (
        25,
        9,
        Side.CARE_TEAM,
        "That's a real step. Noticing the hard part is part of the work. "
        "We'll look at it together on Thursday.",
        False,
    ),
    (18, 21, Side.CLIENT, "Can we move Thursday to the afternoon? Work changed my shifts.", False),
    (
        17,
        11,
        Side.CARE_TEAM,
        "Yes, 15:00 on Thursday works. I've changed it in the calendar.",
        False,
    ),
    (
        9,
        20,
        Side.CLIENT,
        "Sleep has been a bit better since I started the wind-down routine.",
        False,
    ),
    (
        8,
        10,
        Side.CARE_TEAM,
        "Great to hear. Keep the sleep diary going so we can see the pattern.",
        False,
    ),
    (
        2,
        18,
        Side.CLIENT,
        "I did another thought record about the phone call with my sister. "
        "Sharing it here so we can talk about it.",
        True,
    ),
]


def demo_messages(*, client: Client, now: datetime | None = None) -> bool:
    """Seed the thread of `client` (who needs a user and a care-team member). Returns whether
    anything was created."""
    now = now or timezone.now()
    MessagingSettings.objects.get_or_create(practice_id=client.practice_id)
    member = client.care_team.select_related("membership__user").first()
    if client.user is None or member is None or Message.objects.filter(client=client).exists():
        return False
    from interlude.exercises.models import ThoughtRecord  # demo sits on the screens' floor

    latest_record = ThoughtRecord.objects.filter(client=client).order_by("-occurred_at").first()
    clinician = member.membership.user
    zone = ZoneInfo(client.time_zone)  # the hours in DEMO_THREAD are the client's wall clock
    for i, (days, hour, side, text, share) in enumerate(DEMO_THREAD):
        local = (now - timedelta(days=days)).astimezone(zone)
        sent_at = local.replace(hour=hour, minute=12, second=0, microsecond=0)
        sender = client.user if side == Side.CLIENT else clinician
        reader = clinician if side == Side.CLIENT else client.user
        shared = share and latest_record is not None
        # The newest message from the client is still unread, so the inbox shows a badge.
        unread = i == len(DEMO_THREAD) - 1
        Message.objects.create(
            practice_id=client.practice_id,
            client=client,
            sender=sender,
            by=side,
            body=text,
            shared_kind=SharedKind.THOUGHT_RECORD if shared else "",
            shared_id=latest_record.public_id if shared and latest_record else None,
            idempotency_key=f"demo-{i}",
            sent_at=sent_at,
            read_at=None if unread else sent_at + timedelta(hours=5),
            read_by=None if unread else reader,
            notified_at=sent_at,
            created_at=sent_at,
            created_by=sender,
            updated_by=sender,
        )
    return True
