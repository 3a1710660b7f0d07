"""The chaos app's environment: the one place that names its variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.dynamodb import MAX_ATTEMPTS, dynamodb_setting_errors
from common.environment import Environment, Overrides, SettingsError

#: Exactly the variables the CDK stack sets on the App Runner service.
STACK_ENV: frozenset[str] = frozenset({"TABLE_NAME", "AWS_REGION", "CHAOS_ENABLED", "MEMORY_LIMIT_MB"})

REQUIRED = ("TABLE_NAME", "AWS_REGION")

#: The service's memory setting (the instance's): the workers' caps share it, so a worker
#: dies of MemoryError before the instance runs out (``chaos.crash.worker_share_mb``).
DEFAULT_MEMORY_LIMIT_MB = 2048
#: How much ``/use-all-memory`` allocates at a time; tests lower it (not set by the stack).
DEFAULT_MEMORY_CHUNK_MB = 256


def _positive_int(env: Environment, name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{name} must be a positive whole number of MB, not {raw!r}")
    return value


def load(environ: Mapping[str, str], overrides: Overrides | None = None) -> dict[str, Any]:
    """Flask config from ``environ``, or ``SettingsError`` (``common.environment``).

    TABLE_NAME and AWS_REGION are required; CHAOS_ENABLED defaults to true,
    MEMORY_LIMIT_MB to 2048. DYNAMODB_ENDPOINT_URL (local DynamoDB) and
    MEMORY_CHUNK_MB (allocation step) are optional and for development only.
    AWS_REGION must be a region name, DYNAMODB_ENDPOINT_URL an http(s) URL.
    """
    env = Environment(environ, overrides)
    env.require("chaos app", REQUIRED)
    table_name, region = (str(env.get(name)).strip() for name in REQUIRED)
    endpoint_url = (env.get("DYNAMODB_ENDPOINT_URL") or "").strip() or None
    # Checked here: botocore would take a malformed one, then fail every request (500).
    invalid = dynamodb_setting_errors(region, endpoint_url)
    if invalid:
        raise SettingsError(f"chaos app: {'; '.join(invalid)}")
    return env.config(
        {
            "TABLE_NAME": table_name,
            "AWS_REGION": region,
            "DYNAMODB_ENDPOINT_URL": endpoint_url,
            "CHAOS_ENABLED": env.flag("CHAOS_ENABLED", default=True),
            "MEMORY_LIMIT_MB": _positive_int(env, "MEMORY_LIMIT_MB", DEFAULT_MEMORY_LIMIT_MB),
            "MEMORY_CHUNK_MB": _positive_int(env, "MEMORY_CHUNK_MB", DEFAULT_MEMORY_CHUNK_MB),
            # Config only: tests lower it to see an outage without waiting out the retries.
            "DYNAMODB_MAX_ATTEMPTS": MAX_ATTEMPTS,
        }
    )
