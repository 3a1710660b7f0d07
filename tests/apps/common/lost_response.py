"""A TCP proxy in front of a local DynamoDB that loses responses: the request reaches
the server and is applied, its answer never reaches the client (a dropped connection).
"""

from __future__ import annotations

import socket
from typing import BinaryIO

from tools.backends.process import LOCALHOST
from tools.backends.proxy import TcpProxy

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


class LostResponseProxy(TcpProxy):
    """Listens on 127.0.0.1 and forwards each HTTP request to ``upstream_port``, relaying
    its response, except for the first ``drop`` requests for the operation ``operation``
    (e.g. ``PutItem``): those reach the server, which answers, then the proxy closes the
    client's connection without passing the answer on.

    ``operations`` lists every operation forwarded, in order. Use it as a context manager.
    """

    def __init__(self, upstream_port: int, *, operation: str, drop: int = 1) -> None:
        super().__init__()
        self._upstream_port = upstream_port
        self._operation = operation.encode()
        self._drops_left = drop
        self.endpoint_url = f"http://{LOCALHOST}:{self.port}"
        self.operations: list[str] = []

    def _drops(self, headers: dict[bytes, bytes]) -> bool:
        """Record the request's operation; whether to lose its response."""
        operation = headers.get(TARGET_HEADER, b"").rpartition(b".")[2]
        with self._lock:
            self.operations.append(operation.decode())
            if operation != self._operation or self._drops_left == 0:
                return False
            self._drops_left -= 1
            return True

    def serve(self, downstream: socket.socket) -> None:
        with (
            socket.create_connection((LOCALHOST, self._upstream_port)) as upstream,
            downstream.makefile("rb") as from_client,
            upstream.makefile("rb") as from_server,
        ):
            self.track(upstream)
            while (request := _read_message(from_client)) is not None:
                upstream.sendall(request[0])
                # Read the whole answer first: the server has applied the request.
                response = _read_message(from_server)
                if response is None or self._drops(request[1]):
                    return  # closing both connections: the client never sees the answer
                downstream.sendall(response[0])
