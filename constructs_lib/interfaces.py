"""``IService``: what every service of this library offers, whichever platform runs it."""

from __future__ import annotations

from typing import Protocol

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from constructs_lib.secret import Secret


class IService(iam.IGrantable, ec2.IConnectable, Protocol):
    """A web service: ``AppRunnerService``, ``VpcConnectedService`` or ``ExpressService``.

    Program against this to let one line choose the platform. ``grant_principal`` is the
    role the code runs as (``table.grant_read_data(service)``); ``connections`` are the
    security groups its traffic comes from, and raise ``ValueError`` for a service created
    without ``vpc``.
    """

    @property
    def service_arn(self) -> str:
        """The service's ARN."""
        ...

    @property
    def service_url(self) -> str:
        """``https://`` plus the domain the platform assigns."""
        ...

    def add_environment_variable(self, name: str, value: str) -> None:
        """Add a plain environment variable (visible in the template: never put secrets here)."""
        ...

    def add_secret(self, name: str, secret: Secret) -> None:
        """Add an environment variable resolved from ``secret`` when the code starts, and grant
        read on exactly it to the role that resolves it."""
        ...
