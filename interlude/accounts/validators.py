from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Reject passwords longer than `max_length` (SR-02: 64+ allowed, over 128 rejected)."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. Use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
