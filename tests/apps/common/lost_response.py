"""A TCP proxy in front of a local DynamoDB that loses responses: the request reaches
the server and is applied, its answer never reaches the client (a dropped connection).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO, Self

from tools.backends.process import LOCALHOST

#: The header naming a DynamoDB operation: ``DynamoDB_20120810.PutItem``.
TARGET_HEADER = b"x-amz-target"


def _read_message(stream: BinaryIO) -> tuple[bytes, dict[bytes, bytes]] | None:
    """One HTTP/1.1 message (head and Content-Length body) as sent, and its headers
    (names lowercased); None if the peer closed the connection first."""
    head = stream.readline()
    if not head:
        return None
    headers: dict[bytes, bytes] = {}
    while True:
        line = stream.readline()
        if not line:
            return None
        head += line
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    # Requests from botocore and answers from dynalite both give a Content-Length.
    body = stream.read(int(headers.get(b"content-length", b"0")))
    return head + body, headers


class LostResponseProxy:
    """Listens on 127.0.0.1 and forwards each HTTP request to ``upstream_port``, relaying
    its response, except for the first ``drop`` requests for the operation ``operation``
    (e.g. ``PutItem``): those reach the server, which answers, then the proxy closes the
    client's connection without passing the answer on.

    ``operations`` lists every operation forwarded, in order. Use it as a context manager.
    """

    def __init__(self, upstream_port: int, *, operation: str, drop: int = 1) -> None:
        self._upstream_port = upstream_port
        self._operation = operation.encode()
        self._drops_left = drop
        self._lock = threading.Lock()
        self._listener = socket.create_server((LOCALHOST, 0))
        self.endpoint_url = f"http://{LOCALHOST}:{self._listener.getsockname()[1]}"
        self.operations: list[str] = []
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Self:
        self._start(self._accept)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # shutdown, not just close: it is what wakes a thread blocked in accept or recv.
        # The listener first: once its thread has ended, no connection is added.
        accepting, *_ = self._threads
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        accepting.join(10)
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(10)
        self._listener.close()

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:  # shut down by __exit__
                return
            with self._lock:
                self._connections.append(downstream)
            self._start(self._relay, downstream)

    def _drops(self, headers: dict[bytes, bytes]) -> bool:
        """Record the request's operation; whether to lose its response."""
        operation = headers.get(TARGET_HEADER, b"").rpartition(b".")[2]
        with self._lock:
            self.operations.append(operation.decode())
            if operation != self._operation or self._drops_left == 0:
                return False
            self._drops_left -= 1
            return True

    def _relay(self, downstream: socket.socket) -> None:
        # OSError: a connection closed by the client or by __exit__ ends the relay.
        with (
            contextlib.suppress(OSError),
            downstream,
            socket.create_connection((LOCALHOST, self._upstream_port)) as upstream,
            downstream.makefile("rb") as from_client,
            upstream.makefile("rb") as from_server,
        ):
            with self._lock:
                self._connections.append(upstream)
            while (request := _read_message(from_client)) is not None:
                upstream.sendall(request[0])
                # Read the whole answer first: the server has applied the request.
                response = _read_message(from_server)
                if response is None or self._drops(request[1]):
                    return  # closing both connections: the client never sees the answer
                downstream.sendall(response[0])
