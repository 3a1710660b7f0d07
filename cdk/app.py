"""The CDK app: one stack per app, cdk-nag enforced at synth.

Run through the CDK CLI (``make synth``; cdk.json says ``python -m cdk.app``). A bad
context value stops it with one line on stderr naming the key, the value and what is
allowed (the CLI shows the app's stderr), not a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from cdk.context import Context, ContextError, cdk_json_context, configuration_error
from cdk.stacks import STACKS

# CloudFormation's rule for a stack name, which the prefix starts: a letter first.
_STACK_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def environment(context: Context) -> Environment | None:
    """Account from the CLI's credentials, region from context ``region`` or the CLI;
    env-agnostic when neither is known (offline synth and tests)."""
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = context.optional_string("region") or os.environ.get("CDK_DEFAULT_REGION")
    if not (account or region):
        return None
    return Environment(account=account, region=region)


def new_app(outdir: Path, **context: object) -> App:
    """An ``App`` built the way the CLI builds it: cdk.json's context, ``context``
    overriding it (like ``-c key=value``). For tools and tests that synthesize in-process."""
    return App(outdir=str(outdir), context={**cdk_json_context(), **context})


def enforce_nag(app: App) -> None:
    """Fail synthesis on any unacknowledged AwsSolutions finding."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def build_app(app: App | None = None, *, nag: bool = True) -> App:
    """Add every stack to ``app`` (a new ``App`` by default).

    ``nag=False`` lets the test harness report findings per stack instead of failing
    the whole synthesis at the first one.
    """
    app = app or App()
    context = Context(app.node)
    prefix = stack_prefix(context)
    env = environment(context)
    for stack_id, stack_class in STACKS.items():
        try:
            stack: Stack = stack_class(app, f"{prefix}{stack_id}", env=env)
        except ValueError as error:
            error.add_note(f"in {prefix}{stack_id}")
            raise
        stack.tags.set_tag("project", "apprunner-cdk-constructs")
    if nag:
        enforce_nag(app)
    return app


def stack_prefix(context: Context) -> str:
    """Context ``stack_prefix``: empty, or the start of a CloudFormation stack name."""
    prefix = context.optional_string("stack_prefix") or ""
    if prefix and not _STACK_PREFIX.fullmatch(prefix):
        raise ContextError(
            f"context `stack_prefix` must be a letter followed by letters, digits and '-', got {prefix!r}"
        )
    return prefix


def main() -> None:
    try:
        app = build_app()
    # Every value the stacks read from context is checked while they are built: a bad
    # one is a ValueError (ContextError names the key).
    except ValueError as error:
        sys.exit(configuration_error(error))
    app.synth()


if __name__ == "__main__":
    main()
