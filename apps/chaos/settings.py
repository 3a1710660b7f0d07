"""The chaos app's environment: the one place that names its variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.dynamodb import MAX_ATTEMPTS, dynamodb_setting_errors

#: Exactly the variables the CDK stack sets on the App Runner service.
STACK_ENV: frozenset[str] = frozenset({"TABLE_NAME", "AWS_REGION", "CHAOS_ENABLED", "MEMORY_LIMIT_MB"})

REQUIRED = ("TABLE_NAME", "AWS_REGION")

#: The service's memory setting (the instance's): the workers' caps share it, so a worker
#: dies of MemoryError before the instance runs out (``chaos.crash.worker_share_mb``).
DEFAULT_MEMORY_LIMIT_MB = 2048
#: The article's step size; tests lower it (not set by the stack).
DEFAULT_MEMORY_CHUNK_MB = 256

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(RuntimeError):
    """The environment is incomplete or malformed; the message names the variables."""


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {environ[name]!r}")


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{name} must be a positive whole number of MB, not {environ[name]!r}")
    return value


def load_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Flask config from ``environ`` (normally ``os.environ``), or ``SettingsError``.

    TABLE_NAME and AWS_REGION are required; CHAOS_ENABLED defaults to true,
    MEMORY_LIMIT_MB to 2048. DYNAMODB_ENDPOINT_URL (local DynamoDB) and
    MEMORY_CHUNK_MB (allocation step) are optional and for development only.
    AWS_REGION must be a region name, DYNAMODB_ENDPOINT_URL an http(s) URL.
    """
    missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
    if missing:
        raise SettingsError(f"chaos app: missing required environment variable(s): {', '.join(missing)}")
    region = environ["AWS_REGION"].strip()
    endpoint_url = environ.get("DYNAMODB_ENDPOINT_URL", "").strip() or None
    # Checked here: botocore would take a malformed one, then fail every request (500).
    invalid = dynamodb_setting_errors(region, endpoint_url)
    if invalid:
        raise SettingsError(f"chaos app: {'; '.join(invalid)}")
    return {
        "TABLE_NAME": environ["TABLE_NAME"].strip(),
        "AWS_REGION": region,
        "DYNAMODB_ENDPOINT_URL": endpoint_url,
        "CHAOS_ENABLED": _flag(environ, "CHAOS_ENABLED", default=True),
        "MEMORY_LIMIT_MB": _positive_int(environ, "MEMORY_LIMIT_MB", DEFAULT_MEMORY_LIMIT_MB),
        "MEMORY_CHUNK_MB": _positive_int(environ, "MEMORY_CHUNK_MB", DEFAULT_MEMORY_CHUNK_MB),
        # Config only: tests lower it to see an outage without waiting out the retries.
        "DYNAMODB_MAX_ATTEMPTS": MAX_ATTEMPTS,
    }
