"""``VpcConnectedService``: an App Runner service whose outbound traffic leaves through a VPC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jsii
from aws_cdk import aws_apprunner as apprunner
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib._validation import check_name
from constructs_lib.service import AppRunnerService


@jsii.implements(ec2.IConnectable)
class VpcConnectedService(AppRunnerService):
    """An ``AppRunnerService`` with an ``AWS::AppRunner::VpcConnector`` for egress.

    ALL outbound traffic of the service then goes through the VPC, including calls to AWS
    APIs (DynamoDB, Secrets Manager, X-Ray...): the chosen subnets need a NAT gateway or
    VPC endpoints for them.

    The service is ``IConnectable``: ``database.connections.allow_default_port_from(service)``
    opens the database to the connector's security groups only.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        vpc_connector_name: str | None = None,
        **service_props: Any,
    ) -> None:
        """
        :param vpc: VPC the service's egress goes into.
        :param vpc_subnets: subnets for the connector's network interfaces; must select at least one.
            Default: private subnets with egress (``SubnetType.PRIVATE_WITH_EGRESS``).
        :param security_groups: security groups of the connector. Default: one new security group
            allowing all outbound traffic and no inbound traffic.
        :param vpc_connector_name: 4-40 characters, ``[A-Za-z0-9][A-Za-z0-9-_]*``. Default: generated.
        :param service_props: every ``AppRunnerService`` prop (``source`` is required).
        """
        if vpc_connector_name is not None:
            check_name("vpc_connector_name", vpc_connector_name, 4, 40)
        super().__init__(scope, id, **service_props)
        groups = (
            list(security_groups)
            if security_groups is not None
            else [
                ec2.SecurityGroup(
                    self,
                    "SecurityGroup",
                    vpc=vpc,
                    description="App Runner VPC connector: outbound traffic of the service",
                    allow_all_outbound=True,
                )
            ]
        )
        if not groups:
            raise ValueError("`security_groups` must hold at least one security group, got []")
        selection = vpc_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        only_subnets = selection.subnet_type is None and selection.subnet_group_name is None
        if selection.subnets is not None and only_subnets:
            # select_subnets returns explicit subnets as they are (filters do not apply). Its result,
            # read from Python, also holds their availability zones, which an imported
            # Subnet.from_subnet_id lacks (it throws); the connector needs only the ids.
            subnet_ids = [subnet.subnet_id for subnet in selection.subnets]
        else:
            subnet_ids = vpc.select_subnets(
                availability_zones=selection.availability_zones,
                one_per_az=selection.one_per_az,
                subnet_filters=selection.subnet_filters,
                subnet_group_name=selection.subnet_group_name,
                subnet_type=selection.subnet_type,
                subnets=selection.subnets,
            ).subnet_ids
        if not subnet_ids:
            raise ValueError(f"`vpc_subnets` must select at least one subnet of `vpc`, got {selection!r}")
        self.vpc_connector = apprunner.CfnVpcConnector(
            self,
            "VpcConnector",
            vpc_connector_name=vpc_connector_name,
            subnets=subnet_ids,
            security_groups=[group.security_group_id for group in groups],
        )
        self._connections = ec2.Connections(security_groups=groups)
        self._use_vpc_connector(self.vpc_connector.attr_vpc_connector_arn)

    @property
    def connections(self) -> ec2.Connections:
        """The VPC connector's security groups, as the source of the service's traffic."""
        return self._connections
