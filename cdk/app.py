"""The CDK app: one stack per app, cdk-nag enforced at synth.

Run through the CDK CLI (``make synth``; cdk.json says ``python -m cdk.app``).
"""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from cdk.context import Context
from cdk.stacks import STACKS


def environment(context: Context) -> Environment | None:
    """Account from the CLI's credentials, region from context ``region`` or the CLI;
    env-agnostic when neither is known (offline synth and tests)."""
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = context.optional_string("region") or os.environ.get("CDK_DEFAULT_REGION")
    if not (account or region):
        return None
    return Environment(account=account, region=region)


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
    prefix = context.optional_string("stack_prefix") or ""
    env = environment(context)
    for stack_id, stack_class in STACKS.items():
        stack: Stack = stack_class(app, f"{prefix}{stack_id}", env=env)
        stack.tags.set_tag("project", "apprunner-cdk-constructs")
    if nag:
        enforce_nag(app)
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
