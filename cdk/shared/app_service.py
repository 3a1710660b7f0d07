"""The App Runner service of one of this repository's apps, sized and scaled from context.

Context keys, for ``<app>`` = the app's package name (``shortener``, ``users_redis``...):
``<app>:cpu``, ``<app>:memory``, ``<app>:min_size``, ``<app>:max_size``,
``<app>:max_concurrency`` (defaults in cdk.json).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from aws_cdk import IgnoreMode, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk.context import Context
from cdk.shared.names import bounded_name
from constructs_lib import (
    AppRunnerService,
    AutoScalingConfig,
    Cpu,
    HealthCheck,
    Memory,
    Secret,
    Source,
    VpcConnectedService,
)

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"


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
        return ServiceSizing(
            cpu=context.parsed(f"{app}:cpu", Cpu.of),
            memory=context.parsed(f"{app}:memory", Memory.of),
            min_size=context.integer(f"{app}:min_size", minimum=1, maximum=25),
            max_size=context.integer(f"{app}:max_size", minimum=1, maximum=25),
            max_concurrency=context.integer(f"{app}:max_concurrency", minimum=1, maximum=200),
        )

    @property
    def memory_mb(self) -> int:
        return int(float(self.memory.value.split()[0]) * 1024)


# Typed so stacks passing ``vpc`` get the ``VpcConnectedService`` (its ``connections``).
@overload
def app_service(
    scope: Construct,
    *,
    app: str,
    health_check: HealthCheck,
    environment: Mapping[str, str] | None = None,
    secrets: Mapping[str, Secret] | None = None,
    vpc: ec2.IVpc,
    sizing: ServiceSizing | None = None,
) -> VpcConnectedService: ...


@overload
def app_service(
    scope: Construct,
    *,
    app: str,
    health_check: HealthCheck,
    environment: Mapping[str, str] | None = None,
    secrets: Mapping[str, Secret] | None = None,
    vpc: None = None,
    sizing: ServiceSizing | None = None,
) -> AppRunnerService: ...


def app_service(
    scope: Construct,
    *,
    app: str,
    health_check: HealthCheck,
    environment: Mapping[str, str] | None = None,
    secrets: Mapping[str, Secret] | None = None,
    vpc: ec2.IVpc | None = None,
    sizing: ServiceSizing | None = None,
) -> AppRunnerService:
    """The app's service from its Dockerfile asset, with an auto scaling configuration
    and a stack output of its URL. With ``vpc`` its egress goes through a VPC connector
    in the VPC's private subnets."""
    sizing = sizing or ServiceSizing.from_context(Context(scope.node), app)
    scaling = AutoScalingConfig(
        scope,
        "AutoScaling",
        name=bounded_name(Stack.of(scope).stack_name, AutoScalingConfig.MAX_NAME_LENGTH),
        min_size=sizing.min_size,
        max_size=sizing.max_size,
        max_concurrency=sizing.max_concurrency,
    )
    service_class: Callable[..., AppRunnerService] = (
        functools.partial(VpcConnectedService, vpc=vpc) if vpc is not None else AppRunnerService
    )
    return service_class(
        scope,
        "Service",
        source=app_image(app),
        cpu=sizing.cpu,
        memory=sizing.memory,
        port=8080,
        health_check=health_check,
        environment=environment,
        secrets=secrets,
        auto_scaling_config=scaling,
        output_url=True,
    )
