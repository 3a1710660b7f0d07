"""The RDS CA bundle the Dockerfile ADDs from AWS, and a stand-in where AWS is out of reach.

The images need it at ``IMAGE_PATH`` (todo_postgres verifies Aurora against it). No AWS
host is reachable from this project's machines, so with the stand-in base ``make images``
also serves a stand-in bundle, the host's CA certificates, on 127.0.0.1 for the build's
``ADD`` (``BUILD_ARG``). It proves the step and the path, not AWS's bundle; the image
tests mount their own test CA over it.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

from tools.backends.process import LOCALHOST

BUILD_ARG = "RDS_CA_BUNDLE_URL"
#: Where the Dockerfile puts the bundle: todo_postgres's default DB_CA_FILE.
IMAGE_PATH = "/srv/certs/rds-global-bundle.pem"
#: The stand-in: Debian's CA certificates on the host.
STAND_IN = Path("/etc/ssl/certs/ca-certificates.crt")


@contextlib.contextmanager
def served(bundle: Path = STAND_IN) -> Iterator[str]:
    """``bundle`` on 127.0.0.1 at a free port for as long as the block runs; its URL."""
    body = bundle.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-pem-file")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOCALHOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="ca-bundle", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCALHOST}:{server.server_address[1]}/rds-global-bundle.pem"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
