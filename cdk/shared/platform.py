"""Which platform runs the apps: App Runner or ECS Express Mode, chosen by context.

``platform`` (cdk.json: ``app_runner``) applies to every stack; ``<app>:platform``, when
set, overrides it for one app. App Runner accepts no new customers since 30 April 2026:
an account without an App Runner service before then deploys with ``ecs_express``.
"""

from __future__ import annotations

import enum

from cdk.context import Context


class Platform(enum.Enum):
    APP_RUNNER = "app_runner"
    ECS_EXPRESS = "ecs_express"

    @property
    def label(self) -> str:
        """The platform's name in descriptions."""
        return _LABELS[self]

    @staticmethod
    def of(context: Context, app: str) -> Platform:
        """``<app>:platform`` if set, else ``platform``."""
        key = f"{app}:platform" if context.optional_string(f"{app}:platform") else "platform"
        return Platform(context.choice(key, [platform.value for platform in Platform]))


_LABELS = {Platform.APP_RUNNER: "App Runner", Platform.ECS_EXPRESS: "ECS Express Mode"}
