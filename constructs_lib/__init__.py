"""Reusable container-service constructs for CDK (Python), on App Runner or ECS Express Mode.

``AppRunnerService`` (any source, secrets, sizing, health check, tracing, optional VPC
egress), ``VpcConnectedService`` (an App Runner service that must have a VPC),
``AutoScalingConfig`` (an App Runner auto scaling configuration managed by a custom
resource) and ``ExpressService`` (an Amazon ECS Express Mode service). All services are
``IService``: programs that take an ``IService`` run on either platform.
"""

from constructs_lib.autoscaling import AutoScalingConfig
from constructs_lib.express import ExpressService, ScalingMetric
from constructs_lib.health_check import HealthCheck
from constructs_lib.interfaces import IService
from constructs_lib.secret import Secret
from constructs_lib.service import (
    AppRunnerService,
    AppRunnerServiceProps,
    AutoScalingConfigurationRef,
    IpAddressType,
)
from constructs_lib.sizing import Cpu, Memory
from constructs_lib.source import (
    CodeRepository,
    ConfigurationSource,
    ContainerImage,
    ImageRepository,
    Runtime,
    Source,
    SourceConfig,
)
from constructs_lib.vpc import VpcConnectedService

__all__ = [
    "AppRunnerService",
    "AppRunnerServiceProps",
    "AutoScalingConfig",
    "AutoScalingConfigurationRef",
    "CodeRepository",
    "ConfigurationSource",
    "ContainerImage",
    "Cpu",
    "ExpressService",
    "HealthCheck",
    "IService",
    "ImageRepository",
    "IpAddressType",
    "Memory",
    "Runtime",
    "ScalingMetric",
    "Secret",
    "Source",
    "SourceConfig",
    "VpcConnectedService",
]
