"""The shortener's environment: the one place that names its variables."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from common.dynamodb import MAX_ATTEMPTS, dynamodb_setting_errors

#: Set by the CDK stack on App Runner (both required).
STACK_ENV: frozenset[str] = frozenset({"TABLE_NAME", "AWS_REGION"})
#: Optional, development and tests only: a local DynamoDB (dynalite) instead of AWS.
LOCAL_ENV: frozenset[str] = frozenset({"DYNAMODB_ENDPOINT_URL"})

#: Small on purpose: the longest accepted URL (2048 characters) plus a JSON wrapper.
MAX_CONTENT_LENGTH = 4 * 1024


class MissingSetting(RuntimeError):
    """A required environment variable is not set."""


class InvalidSetting(RuntimeError):
    """An environment variable is set to a value the app cannot use."""


def load(environ: Mapping[str, str], *, provided: Collection[str] = ()) -> dict[str, Any]:
    """Flask config from ``environ``; ``provided`` names settings the caller supplies
    itself (``create_app``'s ``config``), so they need not be in the environment."""
    missing = sorted(name for name in STACK_ENV if not environ.get(name) and name not in provided)
    if missing:
        raise MissingSetting(
            f"shortener: missing required environment variable(s) {', '.join(missing)}; "
            "the CDK stack sets them on App Runner, set them yourself to run locally"
        )
    config: dict[str, Any] = {"MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH, "DYNAMODB_MAX_ATTEMPTS": MAX_ATTEMPTS}
    config.update({name: environ[name] for name in STACK_ENV | LOCAL_ENV if environ.get(name)})
    # Checked here: botocore would take a malformed one, then fail every request (500).
    # A value the caller provides replaces the environment's, which is then not checked.
    region, endpoint_url = (
        None if name in provided else config.get(name) for name in ("AWS_REGION", "DYNAMODB_ENDPOINT_URL")
    )
    invalid = dynamodb_setting_errors(region, endpoint_url)
    if invalid:
        raise InvalidSetting(f"shortener: {'; '.join(invalid)}")
    return config
