"""``AppStack``: what every stack of this repository is, for the registry and its tests."""

from __future__ import annotations

from typing import ClassVar

from aws_cdk import Stack


class AppStack(Stack):
    """A stack that runs one app of ``apps/``."""

    #: The app package the stack runs (``apps/<app_package>``; its ``settings.STACK_ENV`` is
    #: the environment contract, its directory the image's build context).
    app_package: ClassVar[str]
