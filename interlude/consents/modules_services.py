"""Module switches: a clinician switches parts of the client's app on or off for one client
(suitability). The safety plan and crisis help are not modules, so nothing here can hide them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from interlude.accounts.models import User
from interlude.audit.services import event_modules_changed
from interlude.consents.models import ClientPrivacy
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Module
from interlude.practices.models import Client

_NAMES = ", ".join(Module.values)


def modules_parse(modules: Iterable[Module | str]) -> list[Module]:
    """The modules named, in `Module` order without repeats, or an `ApplicationError` naming the
    first name that is not a module."""
    wanted = set()
    for name in modules:
        key = str(name.value if isinstance(name, Module) else name)
        if key not in Module.values:
            raise ApplicationError(
                f"'{key}' is not a part of the app that can be switched off. The parts are: "
                f"{_NAMES}.",
                field="modules_off",
            )
        wanted.add(key)
    return [m for m in Module if m.value in wanted]


def client_modules_set(
    *, client: Client, actor: User, modules_off: Iterable[Module | str]
) -> ClientPrivacy:
    """Switch off exactly `modules_off` for this client (every other module is on). The client's
    app stops showing them on its next request; nothing is written when nothing changes."""
    off = [m.value for m in modules_parse(modules_off)]
    with transaction.atomic():
        privacy, _ = ClientPrivacy.objects.select_for_update().get_or_create(client=client)
        if list(privacy.modules_off) == off:
            return privacy
        privacy.modules_off = off
        privacy.save(update_fields=["modules_off", "updated_at"])
        client.privacy = privacy
        event_modules_changed(actor=actor, client=client, modules_off=off)
    return privacy
