"""Log injection (SR-34): one record is one line of JSON, whatever a value contains."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from interlude.core.context import RequestContext, reset_request_context, set_request_context
from interlude.core.logging import JsonFormatter

FORGED = 'alice@example.org\r\n{"level": "INFO", "message": "login ok"}\x1b[2K\x1b[1A\x1b[31m'


def _record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(
        name="interlude.test",
        level=logging.WARNING,
        pathname=__file__,
        lineno=1,
        msg=msg,
        args=args,
        exc_info=exc_info,
    )


def _format(record: logging.LogRecord) -> str:
    return JsonFormatter().format(record)


def test_crlf_and_ansi_codes_stay_on_one_line_and_are_escaped():
    line = _format(_record("failed sign-in for %s", FORGED))

    assert "\n" not in line
    assert "\r" not in line
    assert "\x1b" not in line
    assert "\\r\\n" in line
    assert "\\u001b[2K" in line
    payload = json.loads(line)
    assert payload["message"] == f"failed sign-in for {FORGED}"
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "interlude.test"


def test_written_through_a_handler_one_record_is_exactly_one_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("interlude.test.one_line")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("user %s", FORGED)
        logger.warning("second\nrecord")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["message"] for line in lines] == [f"user {FORGED}", "second\nrecord"]


@pytest.mark.parametrize(
    "char", ["\n", "\r", "\x00", "\x07", "\x08", "\x1b", "\x7f", "\u2028", "\u2029", "\x85"]
)
def test_control_and_line_separator_characters_are_escaped(char):
    line = _format(_record("a%sb", char))
    assert char not in line
    assert json.loads(line)["message"] == f"a{char}b"


@given(st.text(max_size=300))
def test_any_text_gives_one_line_of_valid_ascii_json(text):
    line = _format(_record("%s", text))
    assert len(line.splitlines()) == 1
    assert line.isascii()
    assert json.loads(line)["message"] == text


def test_exceptions_are_kept_inside_the_single_line():
    try:
        raise ValueError("bad value\r\nforged line")
    except ValueError:
        record = _record("it failed", exc_info=sys.exc_info())
    line = _format(record)
    assert len(line.splitlines()) == 1
    payload = json.loads(line)
    assert "ValueError: bad value\r\nforged line" in payload["exception"]


def test_request_id_is_included_when_known():
    token = set_request_context(RequestContext(request_id="abc123", ip="127.0.0.1"))
    try:
        payload = json.loads(_format(_record("hello")))
    finally:
        reset_request_context(token)
    assert payload["request_id"] == "abc123"
    assert "ip" not in payload


def test_settings_use_the_json_formatter():
    formatter = settings.LOGGING["formatters"]["json"]
    assert formatter["()"] == "interlude.core.logging.JsonFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


@pytest.mark.django_db
def test_forged_sign_in_name_cannot_forge_audit_labels():
    from interlude.audit.services import event_login_failed

    event = event_login_failed(attempted_login=FORGED)

    assert event.actor_label.isprintable()
    assert "\r" not in event.actor_label
    assert "\x1b" not in event.actor_label
