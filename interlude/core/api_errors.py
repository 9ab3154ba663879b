"""Error bodies for the JSON API in the same shape as django-ninja's own validation errors,
so API clients handle one format whether ninja or a domain rule refused the input."""

from __future__ import annotations


def error_location(field: str) -> list[str | int]:
    """'people_to_ask.0.phone' -> ['body', 'payload', 'people_to_ask', 0, 'phone']."""
    # Only ASCII digits are list positions: "²".isdigit() is true, but int("²") fails.
    return [
        "body",
        "payload",
        *(int(p) if p.isascii() and p.isdigit() else p for p in field.split(".") if p),
    ]


def error_item(field: str, message: str, kind: str = "value_error") -> dict:
    return {"loc": error_location(field), "msg": message, "type": kind}


def error_body(field: str, message: str, kind: str = "value_error") -> dict:
    """A 422 body naming one field."""
    return {"detail": [error_item(field, message, kind)]}
