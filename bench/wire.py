"""A small HTTP/1.1 keep-alive client on asyncio streams, for the benchmarks' load.

httpx is not in the project's locks, and nothing here should add a dependency; this is all the
benchmarks need: one connection per virtual user, Content-Length or chunked bodies, cookies kept
by name, one retry on a fresh connection when the server closed an idle one.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    ms: float

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Session:
    """One connection with its own cookies (a signed-in person)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")

    def copy(self) -> Session:
        """Another connection carrying the same cookies (the same signed-in person)."""
        return Session(self.base, dict(self.cookies))

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(method, path, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError, EOFError):
                await self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Answer:
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {self.prefix}{path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in headers.items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        started = time.perf_counter()
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise EOFError("connection closed")
        status = int(status_line.split()[1])
        answer_headers: list[tuple[str, str]] = []
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            answer_headers.append((name.strip().lower(), value.strip()))
        values = dict(answer_headers)
        if values.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(chunks)
        elif "content-length" in values:
            data = await self.reader.readexactly(int(values["content-length"]))
        elif method == "HEAD" or status in (204, 304):
            data = b""
        else:
            data = await self.reader.read()
            await self.close()
        ms = (time.perf_counter() - started) * 1000
        for name, value in answer_headers:
            if name == "set-cookie":
                match = re.match(r"\s*([^=;\s]+)=([^;]*)", value)
                if match:
                    if "expires=Thu, 01 Jan 1970" in value or match.group(2) in ('""', ""):
                        self.cookies.pop(match.group(1), None)
                    else:
                        self.cookies[match.group(1)] = match.group(2)
        if values.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, answer_headers, data, ms)


async def sign_in(base: str, email: str, password: str) -> Session:
    """Sign in through the real login form (allauth) and return a session with its cookies."""
    session = Session(base)
    page = await session.request("GET", "/accounts/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status != 200 or match is None:
        raise SystemExit(f"GET /accounts/login/ answered {page.status} without a CSRF token")
    form = f"csrfmiddlewaretoken={match.group(1)}&login={_quote(email)}&password={_quote(password)}"
    answer = await session.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{base.rstrip('/')}/accounts/login/",
        },
    )
    if answer.status not in (302, 303) or "sessionid" not in session.cookies:
        raise SystemExit(f"signing in as {email} answered {answer.status}: {answer.text[:300]}")
    await session.close()
    return session


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
