"""Writes for sharing: the client's switches (per category and per clinician), the practice's
defaults for new clients, and what a client's data download holds. Each change and its audit
event commit together (the download policy has no audit action of its own yet)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from interlude.accounts.models import User
from interlude.audit.services import event_sharing_changed, event_sharing_defaults_changed
from interlude.consents import rules
from interlude.consents.models import ClientPrivacy, ConsentStatus, PracticePrivacySettings
from interlude.consents.sharing_selectors import care_team_clinicians
from interlude.core.errors import ApplicationError
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, Practice

_NAMES = ", ".join(c.value for c in rules.SWITCHABLE)


def sharing_categories_parse(
    categories: Mapping[ShareScope | str, object],
) -> dict[ShareScope, bool]:
    """Each name checked against the switchable categories and each value a true/false, or an
    `ApplicationError` naming the first that is not (its `field` is the name)."""
    switchable = {c.value: c for c in rules.SWITCHABLE}
    parsed: dict[ShareScope, bool] = {}
    for name, value in categories.items():
        key = str(name.value if isinstance(name, ShareScope) else name)
        if key not in switchable:
            raise ApplicationError(
                f"'{key}' is not a sharing category you can switch. The categories are: {_NAMES}.",
                field=key,
            )
        if not isinstance(value, bool):
            raise ApplicationError(f"'{key}' must be true or false.", field=key)
        parsed[switchable[key]] = value
    return parsed


def sharing_update(
    *,
    client: Client,
    actor: User,
    categories: Mapping[ShareScope | str, object] | None = None,
    hidden_from: list[int] | None = None,
) -> ClientPrivacy:
    """Change the categories given (the others keep their value) and, when `hidden_from` is
    given, the care-team clinicians (membership ids) the client does not share with. Takes effect
    on the care team's next request. Nothing is written when nothing changes."""
    parsed = sharing_categories_parse(categories or {})
    if hidden_from is not None:
        team = {m.membership_id for m in care_team_clinicians(client=client)}
        unknown = [i for i in hidden_from if isinstance(i, bool) or i not in team]
        if unknown:
            raise ApplicationError(
                f"{unknown[0]} is not a clinician on your care team.", field="hidden_from"
            )
    with transaction.atomic():
        privacy, _ = ClientPrivacy.objects.select_for_update().get_or_create(client=client)
        settings = PracticePrivacySettings.objects.filter(practice_id=client.practice_id).first()
        before = rules.sharing_choices(
            practice_defaults=settings.default_categories if settings else {},
            client_choices=privacy.categories,
        )
        stored = dict(privacy.categories)
        # Every choice the client makes is kept as theirs, so a later change of the practice's
        # defaults never flips a switch they set.
        stored.update({cat.value: on for cat, on in parsed.items()})
        changes = {cat.value: on for cat, on in parsed.items() if before[cat] != on}
        new_hidden = sorted(set(hidden_from)) if hidden_from is not None else privacy.hidden_from
        if stored == privacy.categories and new_hidden == privacy.hidden_from:
            return privacy
        privacy.categories = stored
        privacy.hidden_from = new_hidden
        privacy.save(update_fields=["categories", "hidden_from", "updated_at"])
        # The caller's client object now carries the new switches too (the gate reads them there).
        client.privacy = privacy
        event_sharing_changed(
            actor=actor, client=client, changes=changes, hidden_from=list(new_hidden)
        )
    return privacy


def _pin_current_choices(*, practice: Practice, defaults: Mapping[str, object]) -> int:
    """Clients past the consent question keep what they share now: each category they never
    switched themselves is stored with the value it has under the old defaults. A new default
    then reaches only clients who have not answered yet (they see it pre-set in onboarding)."""
    rows = list(
        ClientPrivacy.objects.select_for_update()
        .filter(client__practice=practice)
        .exclude(consent_status=ConsentStatus.PENDING)
    )
    changed = []
    for row in rows:
        resolved = rules.sharing_choices(practice_defaults=defaults, client_choices=row.categories)
        pinned = {cat.value: on for cat, on in resolved.items()}
        if pinned != row.categories:
            row.categories = pinned
            changed.append(row)
    ClientPrivacy.objects.bulk_update(changed, ["categories"])
    return len(changed)


def sharing_defaults_update(
    *, practice: Practice, actor: User, categories: Mapping[ShareScope | str, object]
) -> PracticePrivacySettings:
    """Set what new clients of the practice share until they choose. Clients who have answered
    the consent question keep what they share now. Categories not given keep their value."""
    parsed = sharing_categories_parse(categories)
    with transaction.atomic():
        settings, _ = PracticePrivacySettings.objects.select_for_update().get_or_create(
            practice=practice
        )
        stored = dict(settings.default_categories)
        stored.update({cat.value: on for cat, on in parsed.items()})
        if stored == settings.default_categories:
            return settings
        _pin_current_choices(practice=practice, defaults=settings.default_categories)
        settings.default_categories = stored
        settings.save(update_fields=["default_categories", "updated_at"])
        resolved = rules.sharing_choices(practice_defaults=stored, client_choices={})
        event_sharing_defaults_changed(
            actor=actor,
            practice=practice,
            defaults={cat.value: on for cat, on in resolved.items()},
        )
    return settings


EXEMPTION_MAX = 2000


def export_policy_update(
    *, practice: Practice, actor: User, includes_session_notes: bool, exemption: str
) -> PracticePrivacySettings:
    """Whether a client's data download includes the clinicians' session notes (right of access)
    and, when it does not, the exemption the practice relies on, shown to the client with their
    download. The exemption is required when the notes are left out; it is stored trimmed, and
    kept as written when they are included (so ticking the box again loses nothing).

    No audit event: the only practice-settings action that exists names the sharing defaults
    for new clients, which this is not; a new action needs an audit migration."""
    if not isinstance(includes_session_notes, bool):
        raise ApplicationError(
            "Say whether downloads include session notes.", field="includes_session_notes"
        )
    text = exemption.strip()
    if not includes_session_notes and not text:
        raise ApplicationError(
            "Write the exemption the practice relies on to leave session notes out.",
            field="exemption",
        )
    if text_problem(text) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field="exemption")
    if len(text) > EXEMPTION_MAX:
        raise ApplicationError(
            f"Keep the exemption to {EXEMPTION_MAX} characters or fewer.", field="exemption"
        )
    with transaction.atomic():
        settings, _ = PracticePrivacySettings.objects.select_for_update().get_or_create(
            practice=practice
        )
        settings.export_includes_session_notes = includes_session_notes
        settings.export_exemption = text
        settings.save(
            update_fields=["export_includes_session_notes", "export_exemption", "updated_at"]
        )
    return settings
