"""The shortener's environment: the one place that names its variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.dynamodb import MAX_ATTEMPTS, dynamodb_setting_errors
from common.environment import Environment, Overrides, SettingsError

#: Set by the CDK stack on App Runner (both required).
STACK_ENV: frozenset[str] = frozenset({"TABLE_NAME", "AWS_REGION"})
#: Optional, development and tests only: a local DynamoDB (dynalite) instead of AWS.
LOCAL_ENV: frozenset[str] = frozenset({"DYNAMODB_ENDPOINT_URL"})

#: Small on purpose: the longest accepted URL (2048 characters) plus a JSON wrapper.
MAX_CONTENT_LENGTH = 4 * 1024


def load(environ: Mapping[str, str], overrides: Overrides | None = None) -> dict[str, Any]:
    """Flask config from ``environ``, or ``SettingsError`` (``common.environment``)."""
    env = Environment(environ, overrides)
    env.require(
        "shortener",
        sorted(STACK_ENV),
        hint="; the CDK stack sets them on App Runner, set them yourself to run locally",
    )
    config: dict[str, Any] = {"MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH, "DYNAMODB_MAX_ATTEMPTS": MAX_ATTEMPTS}
    config.update({name: value for name in STACK_ENV | LOCAL_ENV if (value := env.get(name)) is not None})
    # Checked here: botocore would take a malformed one, then fail every request (500).
    invalid = dynamodb_setting_errors(env.get("AWS_REGION"), env.get("DYNAMODB_ENDPOINT_URL"))
    if invalid:
        raise SettingsError(f"shortener: {'; '.join(invalid)}")
    return env.config(config)
