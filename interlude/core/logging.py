"""JSON log lines: one object per line, so CR/LF or ANSI codes in a value cannot forge a line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from interlude.core.context import current_request_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ctx = current_request_context()
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if ctx is not None:
            payload["request_id"] = ctx.request_id
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        # ensure_ascii escapes control characters (\r, \n, \x1b) so one record is one line.
        return json.dumps(payload, ensure_ascii=True, default=str)
