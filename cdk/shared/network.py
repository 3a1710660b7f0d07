"""The VPCs of the stacks: one for a datastore in a VPC, one for tasks that need only subnets."""

from __future__ import annotations

from aws_cdk import CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

#: Two zones: what an Application Load Balancer (ECS Express Mode) and a MemoryDB replica need.
MAX_AZS = 2


#: The stack-wide provider behind ``@aws-cdk/aws-ec2:restrictDefaultSecurityGroup`` (cdk.json).
_RESTRICT_DEFAULT_SG_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"


def _without_redundant_depends_on(vpc: ec2.Vpc) -> None:
    """Drop the ``DependsOn`` aws-cdk-lib gives the default-security-group handler on its role:
    its ``Fn::GetAtt`` of the role already orders the two, and cfn-lint's default rules warn
    about the repetition (W3005) in every template with a VPC."""
    provider = Stack.of(vpc).node.try_find_child(_RESTRICT_DEFAULT_SG_PROVIDER)
    if provider is None:
        return
    handler, role = provider.node.find_child("Handler"), provider.node.find_child("Role")
    assert isinstance(handler, CfnResource) and isinstance(role, CfnResource)
    handler.remove_resource_dependency(role)


def _log_every_flow(vpc: ec2.Vpc) -> None:
    flow_logs = logs.LogGroup(
        vpc,
        "FlowLogs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.DESTROY,
    )
    vpc.add_flow_log(
        "FlowLog",
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
        traffic_type=ec2.FlowLogTrafficType.ALL,
    )


class AppVpc(ec2.Vpc):
    """Two AZs; public subnets for the service on ECS Express Mode; isolated "app" subnets
    for the App Runner VPC connector (and whatever else the stack runs next to the app);
    isolated subnets for the datastore; every flow logged to CloudWatch Logs.

    No NAT gateway ($36.50 a month with its address, ``make cost``): on App Runner a VPC
    connector sends ALL of the app's outbound traffic into the VPC, but our apps talk only
    to their datastore there; App Runner pulls the image and fetches the runtime secrets
    itself, outside the VPC, and on ECS Express Mode the tasks sit in the public subnets
    and use the internet gateway. What in the app subnets must call an AWS API gets an
    interface endpoint for it (``add_interface_endpoint``), as the todo stack's rotation
    functions do for Secrets Manager.
    """

    #: The subnets of the App Runner VPC connector.
    APP_SUBNET_GROUP = "app"
    DATA_SUBNET_GROUP = "data"

    def __init__(self, scope: Construct, construct_id: str = "Vpc") -> None:
        super().__init__(
            scope,
            construct_id,
            max_azs=MAX_AZS,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name=self.APP_SUBNET_GROUP, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name=self.DATA_SUBNET_GROUP, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
        )
        _log_every_flow(self)
        _without_redundant_depends_on(self)

    @property
    def app_subnets(self) -> ec2.SubnetSelection:
        """Where the App Runner VPC connector goes."""
        return ec2.SubnetSelection(subnet_group_name=self.APP_SUBNET_GROUP)

    @property
    def data_subnets(self) -> ec2.SubnetSelection:
        """Where the datastore goes (by name: the app subnets are isolated too)."""
        return ec2.SubnetSelection(subnet_group_name=self.DATA_SUBNET_GROUP)


class PublicVpc(ec2.Vpc):
    """Two AZs of public subnets only, no NAT gateway: for an ECS Express Mode service whose
    datastore is not in a VPC (its tasks reach AWS APIs through the internet gateway, with
    public IP addresses and a security group that admits only the load balancer); every flow
    logged to CloudWatch Logs."""

    def __init__(self, scope: Construct, construct_id: str = "Vpc") -> None:
        super().__init__(
            scope,
            construct_id,
            max_azs=MAX_AZS,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
            ],
        )
        _log_every_flow(self)
        _without_redundant_depends_on(self)
