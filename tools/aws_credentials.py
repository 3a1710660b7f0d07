"""Exit 0 when AWS credentials are configured, else explain how to configure them.

``make deploy-<app>`` and friends call this first so a machine without credentials
gets one clear message instead of a CDK stack trace. It never calls AWS: it only
asks botocore's credential chain, with the EC2 metadata lookup switched off.

    python -m tools.aws_credentials make deploy-shortener   the check, with its message
    python -m tools.aws_credentials --quiet                 the exit code only

Without credentials a bad configuration is reported instead (the app is built with
``CONTEXT``, as the command would have): fixing the credentials first would only lead
to that error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

MESSAGE = """\
No AWS credentials found, so {action} cannot run.
Configure them in one of these ways, then retry:
  - aws configure                     (writes ~/.aws/credentials)
  - aws sso login --profile NAME      and export AWS_PROFILE=NAME
  - export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... [AWS_SESSION_TOKEN=...]
Also set a region (AWS_REGION or the profile's region), or pass CONTEXT="region=..."."""


def credentials_configured() -> bool:
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    import botocore.session  # lazy: only this check needs botocore

    return botocore.session.Session().get_credentials() is not None


def configuration_problem() -> str | None:
    """The line ``make synth`` would stop with for this ``CONTEXT``, or None if it is valid."""
    from cdk.context import configuration_error
    from tools.cdk_cli import context_overrides

    try:
        overrides = context_overrides()
        # Only now, and only here: loading the CDK takes seconds.
        from cdk.app import build_app, new_app

        with tempfile.TemporaryDirectory(prefix="config-check-") as outdir:
            build_app(new_app(Path(outdir), **overrides), nag=False)
    except ValueError as error:  # ContextError too: a key or value of CONTEXT
        return configuration_error(error)
    return None


def main(argv: list[str]) -> int:
    if argv == ["--quiet"]:
        return 0 if credentials_configured() else 1
    action = " ".join(argv) or "this command"
    if credentials_configured():
        return 0
    print(configuration_problem() or MESSAGE.format(action=action), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
