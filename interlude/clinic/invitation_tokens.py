"""An invitation link's token: its digest (what the database looks a link up by) and the sealed
copy the email worker opens to rebuild the link.

Both the services (which create and find invitations) and the emails (which send the link) use
this module, so neither imports the other: services -> tasks -> emails -> tokens, no cycle.
"""

from __future__ import annotations

import hashlib

from interlude.core.crypto import decrypt_text, encrypt_text
from interlude.practices.models import Invitation


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aad(invitation: Invitation) -> str:
    return f"invitation:{invitation.pk}"


def invitation_token_seal(*, invitation: Invitation, token: str) -> str:
    """The token encrypted for this invitation, to store in `token_encrypted`."""
    return encrypt_text(token, aad=_aad(invitation))


def invitation_token(*, invitation: Invitation) -> str:
    """The token of a stored invitation, for its link."""
    return decrypt_text(invitation.token_encrypted, aad=_aad(invitation))
