"""Exit 0 when AWS credentials are configured, else explain how to configure them.

``make deploy-<app>`` and friends call this first so a machine without credentials
gets one clear message instead of a CDK stack trace. It never calls AWS: it only
asks botocore's credential chain, with the EC2 metadata lookup switched off.
"""

from __future__ import annotations

import os
import sys

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


def main(argv: list[str]) -> int:
    action = " ".join(argv) or "this command"
    if credentials_configured():
        return 0
    print(MESSAGE.format(action=action), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
