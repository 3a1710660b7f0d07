"""Reusable AWS App Runner constructs for CDK (Python).

``AppRunnerService`` (any source, secrets, sizing, health check, tracing),
``VpcConnectedService`` (egress through a VPC connector) and ``AutoScalingConfig``
(an App Runner auto scaling configuration managed by a custom resource).
"""

from constructs_lib.autoscaling import AutoScalingConfig
from constructs_lib.health_check import HealthCheck
from constructs_lib.secret import Secret
from constructs_lib.service import AppRunnerService, AutoScalingConfigurationRef, IpAddressType
from constructs_lib.sizing import Cpu, Memory
from constructs_lib.source import (
    CodeRepository,
    ConfigurationSource,
    ImageRepository,
    Runtime,
    Source,
    SourceConfig,
)
from constructs_lib.vpc import VpcConnectedService

__all__ = [
    "AppRunnerService",
    "AutoScalingConfig",
    "AutoScalingConfigurationRef",
    "CodeRepository",
    "ConfigurationSource",
    "Cpu",
    "HealthCheck",
    "ImageRepository",
    "IpAddressType",
    "Memory",
    "Runtime",
    "Secret",
    "Source",
    "SourceConfig",
    "VpcConnectedService",
]
