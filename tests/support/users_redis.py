"""Helpers of the users_redis app tests: the backend a test runs on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tools.backends.redis import LocalRedis, LocalRedisCluster
from users_redis import settings


def new_email() -> str:
    """An address no other test uses."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def cluster_config(cluster: LocalRedisCluster) -> dict[str, str]:
    """The variables the CDK stack sets, plus the local CA; TLS and cluster mode by default."""
    return {
        settings.ENDPOINT: cluster.endpoint,
        settings.USERNAME: cluster.username,
        settings.PASSWORD: cluster.password,
        settings.CA_FILE: str(cluster.ca_file),
    }


@dataclass(frozen=True)
class Backend:
    server: LocalRedis | LocalRedisCluster
    config: dict[str, Any]

    @contextmanager
    def down(self) -> Iterator[None]:
        """Redis stopped for the block, then back on the same port(s), even if the block fails."""
        self.server.stop()
        try:
            yield
        finally:
            self.server.start()
