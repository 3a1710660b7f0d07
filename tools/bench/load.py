"""Closed-loop HTTP/1.1 load on 127.0.0.1, run in its own process by ``tools.bench``.

``concurrency`` keep-alive connections each send a request, wait for the whole answer,
and send the next, until ``duration`` seconds or ``max_requests`` requests. A request's
latency runs from writing it (or connecting, when the server closed the last connection)
to the last byte of the answer. Reads one JSON ``LoadSpec`` on stdin, writes one JSON
``LoadOutcome`` on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass

from tools.backends.process import LOCALHOST

#: A request slower than this counts as an error, and its connection is dropped.
REQUEST_TIMEOUT_S = 10.0
#: ``{n}`` in a body becomes the request's number: every POST creates something new.
COUNTER = "{n}"


@dataclass(frozen=True)
class LoadSpec:
    port: int
    method: str
    path: str
    body: str
    content_type: str
    expected_status: int
    concurrency: int
    duration_s: float
    max_requests: int


@dataclass(frozen=True)
class LoadOutcome:
    #: Latencies of the answers with the expected status.
    latencies_ms: list[float]
    errors: int
    elapsed_s: float


class _Run:
    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.sent = 0
        self.latencies_ms: list[float] = []
        self.errors = 0
        self.deadline = 0.0

    def _request(self) -> bytes:
        spec = self.spec
        body = spec.body.replace(COUNTER, str(self.sent)).encode()
        head = f"{spec.method} {spec.path} HTTP/1.1\r\nHost: {LOCALHOST}:{spec.port}\r\n"
        if body or spec.method != "GET":
            head += f"Content-Type: {spec.content_type}\r\nContent-Length: {len(body)}\r\n"
        return head.encode() + b"\r\n" + body

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, bool]:
        """Send ``request``; the answer's status and whether the connection stays open."""
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "content-length" not in headers:
            raise ConnectionError("answer without Content-Length")
        await reader.readexactly(int(headers["content-length"]))
        version, status = status_line.split(" ", 2)[:2]
        # HTTP/1.0 closes after every answer unless it says otherwise (gunicorn's sync workers).
        persistent = headers.get("connection", "" if version == "HTTP/1.1" else "close") != "close"
        return int(status), persistent

    async def connection(self) -> None:
        streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while time.perf_counter() < self.deadline and self.sent < self.spec.max_requests:
            request = self._request()
            self.sent += 1
            start = time.perf_counter()
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT_S):
                    if streams is None:
                        streams = await asyncio.open_connection(LOCALHOST, self.spec.port)
                    status, keep_alive = await self._exchange(*streams, request)
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                TimeoutError,
                ValueError,
                IndexError,
            ):
                self.errors += 1
                keep_alive = False
            else:
                if status == self.spec.expected_status:
                    self.latencies_ms.append((time.perf_counter() - start) * 1000)
                else:
                    self.errors += 1
            if not keep_alive and streams is not None:
                streams[1].close()
                streams = None
        if streams is not None:
            streams[1].close()

    async def run(self) -> LoadOutcome:
        start = time.perf_counter()
        self.deadline = start + self.spec.duration_s
        await asyncio.gather(*(self.connection() for _ in range(self.spec.concurrency)))
        return LoadOutcome(self.latencies_ms, self.errors, time.perf_counter() - start)


def drive(spec: LoadSpec) -> LoadOutcome:
    if spec.concurrency < 1 or spec.duration_s <= 0 or spec.max_requests < 1:
        raise ValueError(f"concurrency, duration and max_requests must be positive: {spec}")
    return asyncio.run(_Run(spec).run())


def main() -> None:
    spec = LoadSpec(**json.load(sys.stdin))
    json.dump(asdict(drive(spec)), sys.stdout)


if __name__ == "__main__":
    main()
