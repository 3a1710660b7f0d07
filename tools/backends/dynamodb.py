"""A local DynamoDB: dynalite (from ``npm ci``) as a real server process on 127.0.0.1."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import boto3
from botocore.config import Config

from tools import REPO_ROOT
from tools.backends import process

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

DYNALITE = REPO_ROOT / "node_modules" / ".bin" / "dynalite"
REGION = "us-east-1"
#: How long a new table may take to become ACTIVE.
TABLE_READY_TIMEOUT = 20.0
_INSTALL_HINT = f"run `npm ci` in {REPO_ROOT} (installs dynalite with the CDK CLI)"


class LocalDynamoDB(process.LocalServer):
    """dynalite on ``port`` (a free one by default), in memory or on disk at ``path``.

    In-memory data is lost on ``stop``; tables made with ``create_table`` are created
    again by ``start`` so a ``restart`` looks like an outage the app can recover from.
    """

    _name = "dynalite"

    def __init__(self, port: int | None = None, *, path: Path | None = None) -> None:
        super().__init__(port)
        self.path = path
        self.endpoint_url = f"http://{process.LOCALHOST}:{self.port}"
        self._tables: dict[str, tuple[str, str | None]] = {}
        self._client: DynamoDBClient | None = None

    def _command(self) -> list[str]:
        node = process.require_binary("node", f"install Node.js, then {_INSTALL_HINT}")
        if not DYNALITE.exists():
            raise process.MissingPrerequisite(f"{DYNALITE} not found: {_INSTALL_HINT}")
        args = [node, str(DYNALITE.resolve()), "--host", process.LOCALHOST, "--port", str(self.port)]
        args += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            args += ["--path", str(self.path)]
        return args

    def _ready(self) -> None:
        for name, (partition_key, sort_key) in self._tables.items():
            self.create_table(name, partition_key=partition_key, sort_key=sort_key)

    def client(self) -> DynamoDBClient:
        """A client for this server only: dummy credentials, no retries, short timeouts.

        Made once and reused (boto3 clients are thread-safe): building one takes ~0.1 s.
        """
        if self._client is None:
            self._client = boto3.session.Session().client(
                "dynamodb",
                endpoint_url=self.endpoint_url,
                region_name=REGION,
                aws_access_key_id="local",
                aws_secret_access_key="local",
                config=Config(
                    connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 1}
                ),
            )
        return self._client

    def create_table(self, name: str, *, partition_key: str, sort_key: str | None = None) -> None:
        """Create ``name`` with string keys, on demand; no-op if it already exists."""
        self._tables[name] = (partition_key, sort_key)
        keys: list[tuple[str, Literal["HASH", "RANGE"]]] = [(partition_key, "HASH")]
        if sort_key:
            keys.append((sort_key, "RANGE"))
        client = self.client()
        # Idempotent: ``start`` re-creates known tables, callers may create one twice.
        with contextlib.suppress(client.exceptions.ResourceInUseException):
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key, _ in keys],
                BillingMode="PAY_PER_REQUEST",
            )
        # dynalite answers CreateTable with the table still CREATING, even with --createTableMs 0,
        # and makes it ACTIVE a moment later: botocore's waiter would sleep a whole second.
        deadline = time.monotonic() + TABLE_READY_TIMEOUT
        while client.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise TimeoutError(f"table {name} not ACTIVE after {TABLE_READY_TIMEOUT:.0f}s")
            time.sleep(0.01)
