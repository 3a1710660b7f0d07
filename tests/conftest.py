"""What every test session shares: the environment the tests run in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _test_environment() -> Iterator[None]:
    """Set for the session, restored after it (never at import, so collecting changes nothing).

    Stacks must synthesize the same on every machine, whatever account the shell has; jsii
    warns on every start under Node 20, and the CDK CLI and apps the tests start are not the
    place to hear it (``make`` exports the same for the test process itself).
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
            patch.delenv(name, raising=False)
        patch.setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        yield
