"""``VpcConnectedService``: an App Runner service whose outbound traffic leaves through a VPC."""

from __future__ import annotations

from typing import Unpack

from aws_cdk import aws_apprunner as apprunner
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib.service import AppRunnerService, AppRunnerServiceProps


class VpcConnectedService(AppRunnerService):
    """An ``AppRunnerService`` that must have a ``vpc``: an ``AWS::AppRunner::VpcConnector`` for egress.

    ALL outbound traffic of the service then goes through the VPC, including calls to AWS
    APIs (DynamoDB, Secrets Manager, X-Ray...): the chosen subnets need a NAT gateway or
    VPC endpoints for them.

    The service is ``IConnectable``: ``database.connections.allow_default_port_from(service)``
    opens the database to the connector's security groups only. ``AppRunnerService(vpc=...)``
    builds the same service; this class names the requirement.
    """

    vpc_connector: apprunner.CfnVpcConnector

    def __init__(
        self, scope: Construct, id: str, *, vpc: ec2.IVpc, **props: Unpack[AppRunnerServiceProps]
    ) -> None:
        """
        :param vpc: VPC the service's egress goes into.
        :param props: every other ``AppRunnerService`` prop (``source`` is required), among them
            ``vpc_subnets`` (default: private subnets with egress), ``security_groups`` (default:
            one new group allowing all outbound traffic) and ``vpc_connector_name``.
        """
        super().__init__(scope, id, vpc=vpc, **props)
