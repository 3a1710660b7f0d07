"""The service of one of this repository's apps, on the platform context chooses.

Context keys, for ``<app>`` = the app's package name (``shortener``, ``users_redis``...):
``<app>:platform`` (see ``cdk.shared.platform``), ``<app>:cpu``, ``<app>:memory``,
``<app>:min_size``, ``<app>:max_size``, ``<app>:max_concurrency`` and, on App Runner,
``<app>:auto_scaling_configuration`` (defaults in cdk.json).

On App Runner the sizes are instances of an auto scaling configuration; on ECS Express
Mode they are task counts, and ``max_concurrency`` becomes the requests-per-task target
(``REQUESTS_PER_MINUTE_PER_CONCURRENT_REQUEST``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import IgnoreMode, Stack, Token
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk.context import Context, ContextError
from cdk.shared.names import bounded_name
from cdk.shared.network import PublicVpc
from cdk.shared.platform import Platform
from constructs_lib import (
    AppRunnerService,
    AutoScalingConfig,
    Cpu,
    ExpressService,
    HealthCheck,
    IService,
    Memory,
    ScalingMetric,
    Secret,
    Source,
)

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
#: ``<app>:auto_scaling_configuration``: empty, the stack's own; ``default``, App Runner's.
OWN_AUTO_SCALING, DEFAULT_AUTO_SCALING = "", "default"
_AUTO_SCALING_ARN = re.compile(
    r"arn:aws[a-z-]*:apprunner:[a-z0-9-]+:\d{12}:autoscalingconfiguration/[A-Za-z0-9][A-Za-z0-9_-]{3,31}/\d+/[0-9a-f]{32}"
)
PORT = 8080
#: App Runner scales on requests in flight per instance, ECS Express Mode on requests per
#: task per minute. By Little's law the two agree when a request takes one second; the
#: apps' requests take milliseconds, so the same number scales Express out earlier than App
#: Runner would (100 requests a second per task for the default of 100, against the 500-600
#: a task serves at full CPU in `make bench`): early rather than late, since a saturated
#: task's latency grows without bound while it waits for the next scaling step.
REQUESTS_PER_MINUTE_PER_CONCURRENT_REQUEST = 60


def image_excludes(app: str) -> list[str]:
    """Docker-style excludes that leave only the shared Dockerfile, ``common/`` and the
    app in the build context, so the asset hash changes with nothing else."""
    return ["*", "!Dockerfile", "!common", f"!{app}", "**/__pycache__", "**/*.pyc"]


def app_image(app: str) -> Source:
    return Source.from_asset(
        str(APPS_DIR),
        file="Dockerfile",
        build_args={"APP": app},
        exclude=image_excludes(app),
        ignore_mode=IgnoreMode.DOCKER,
        display_name=f"{app} image",
    )


@dataclass(frozen=True)
class ServiceSizing:
    cpu: Cpu
    memory: Memory
    min_size: int
    max_size: int
    max_concurrency: int

    @staticmethod
    def from_context(context: Context, app: str) -> ServiceSizing:
        most = (
            AutoScalingConfig.MAX_SIZE
            if Platform.of(context, app) is Platform.APP_RUNNER
            else ExpressService.MAX_TASKS
        )
        return ServiceSizing(
            cpu=context.parsed(f"{app}:cpu", Cpu.of),
            memory=context.parsed(f"{app}:memory", Memory.of),
            min_size=context.integer(f"{app}:min_size", minimum=1, maximum=most),
            max_size=context.integer(f"{app}:max_size", minimum=1, maximum=most),
            max_concurrency=context.integer(
                f"{app}:max_concurrency", minimum=1, maximum=AutoScalingConfig.MAX_CONCURRENCY
            ),
        )

    @property
    def memory_mb(self) -> int:
        return int(self.memory.mebibytes)


def app_service(
    scope: Construct,
    *,
    app: str,
    health_check: HealthCheck,
    environment: Mapping[str, str] | None = None,
    secrets: Mapping[str, Secret] | None = None,
    vpc: ec2.IVpc | None = None,
    vpc_subnets: ec2.SubnetSelection | None = None,
    sizing: ServiceSizing | None = None,
) -> IService:
    """The app's service from its Dockerfile asset, with a stack output of its URL.

    On App Runner: with an auto scaling configuration, and with ``vpc`` its egress goes
    through a VPC connector in ``vpc_subnets`` (default: the VPC's private subnets with
    egress). On ECS Express Mode: in ``vpc``'s
    public subnets (a new ``PublicVpc`` without ``vpc``), checking ``health_check``'s path only.
    """
    context = Context(scope.node)
    sizing = sizing or ServiceSizing.from_context(context, app)
    if Platform.of(context, app) is Platform.ECS_EXPRESS:
        if health_check.path is None:
            raise ValueError(f"{app}: ECS Express Mode checks an HTTP path; give HealthCheck.http(path=...)")
        return ExpressService(
            scope,
            "Service",
            source=app_image(app),
            cpu=sizing.cpu,
            memory=sizing.memory,
            port=PORT,
            # Express Mode's load balancer takes the path only: its timings are ECS's.
            health_check=HealthCheck.http(path=health_check.path),
            environment=environment,
            secrets=secrets,
            min_tasks=sizing.min_size,
            max_tasks=sizing.max_size,
            scaling_metric=ScalingMetric.REQUEST_COUNT_PER_TARGET,
            scaling_target=sizing.max_concurrency * REQUESTS_PER_MINUTE_PER_CONCURRENT_REQUEST,
            vpc=vpc or PublicVpc(scope),
            output_url=True,
        )
    _check_app_runner_region(Stack.of(scope).region, app)
    return AppRunnerService(
        scope,
        "Service",
        source=app_image(app),
        cpu=sizing.cpu,
        memory=sizing.memory,
        port=PORT,
        health_check=health_check,
        environment=environment,
        secrets=secrets,
        auto_scaling_config=_auto_scaling(scope, context, app, sizing),
        output_url=True,
        vpc=vpc,
        vpc_subnets=vpc_subnets,
    )


def _check_app_runner_region(region: str, app: str) -> None:
    if Token.is_unresolved(region) or region in AppRunnerService.REGIONS:
        return
    raise ContextError(
        f"App Runner is not offered in {region!r} (it is in {', '.join(AppRunnerService.REGIONS)}): deploy "
        f'{app} on ECS Express Mode with CONTEXT="platform=ecs_express" (or {app}:platform=ecs_express)'
    )


def _auto_scaling(
    scope: Construct, context: Context, app: str, sizing: ServiceSizing
) -> AutoScalingConfig | str | None:
    """The stack's own configuration, App Runner's default (None) or a shared one's ARN, by
    ``<app>:auto_scaling_configuration``. App Runner allows 10 configuration names and 5
    revisions of each per account and region: copies of the stacks can share one instead."""
    key = f"{app}:auto_scaling_configuration"
    choice = context.optional_string(key) or OWN_AUTO_SCALING
    if choice == DEFAULT_AUTO_SCALING:
        return None
    if choice != OWN_AUTO_SCALING:
        if not _AUTO_SCALING_ARN.fullmatch(choice):
            raise ContextError(
                f"context `{key}` must be empty (the stack's own), `default` (App Runner's) or the ARN of "
                f"an auto scaling configuration revision, got {choice!r}"
            )
        return choice
    return AutoScalingConfig(
        scope,
        "AutoScaling",
        name=bounded_name(Stack.of(scope).stack_name, AutoScalingConfig.MAX_NAME_LENGTH),
        min_size=sizing.min_size,
        max_size=sizing.max_size,
        max_concurrency=sizing.max_concurrency,
    )
