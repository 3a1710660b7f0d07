"""VpcConnectedService: VPC connector, egress configuration and IConnectable wiring."""

from __future__ import annotations

import pytest
from aws_cdk import CfnElement, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk.assertions import Capture, Match, Template
from constructs import IConstruct

from constructs_lib import Source, VpcConnectedService


def _logical_id(construct: IConstruct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return Stack.of(construct).get_logical_id(resource)


def _vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def _connector_group(template: Template) -> Capture:
    group = Capture()
    template.has_resource_properties(
        "AWS::AppRunner::VpcConnector", {"SecurityGroups": [{"Fn::GetAtt": [group, "GroupId"]}]}
    )
    return group


def test_egress_goes_through_a_connector_in_private_subnets(stack: Stack, public_source: Source) -> None:
    vpc = _vpc(stack)
    service = VpcConnectedService(
        stack, "Service", vpc=vpc, source=public_source, is_publicly_accessible=True
    )
    template = Template.from_stack(stack)
    private_subnets = [{"Ref": _logical_id(subnet)} for subnet in vpc.private_subnets]
    template.has_resource_properties(
        "AWS::AppRunner::VpcConnector",
        {
            "Subnets": private_subnets,
            "SecurityGroups": [Match.any_value()],
            "VpcConnectorName": Match.absent(),
        },
    )
    group = _connector_group(template)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "VpcId": {"Ref": Match.string_like_regexp("Vpc")},
            "SecurityGroupEgress": [
                {"CidrIp": "0.0.0.0/0", "IpProtocol": "-1", "Description": Match.any_value()}
            ],
            "SecurityGroupIngress": Match.absent(),
        },
    )
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "NetworkConfiguration": {
                "EgressConfiguration": {
                    "EgressType": "VPC",
                    "VpcConnectorArn": {
                        "Fn::GetAtt": [Match.string_like_regexp("VpcConnector"), "VpcConnectorArn"]
                    },
                },
                "IngressConfiguration": {"IsPubliclyAccessible": True},
                "IpAddressType": Match.absent(),
            }
        },
    )
    assert _logical_id(service.connections.security_groups[0]) == group.as_string()


def test_database_allows_exactly_the_connector_group(stack: Stack, public_source: Source) -> None:
    vpc = _vpc(stack)
    service = VpcConnectedService(stack, "Service", vpc=vpc, source=public_source)
    cluster = rds.DatabaseCluster(
        stack,
        "Db",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        vpc=vpc,
    )
    cluster.connections.allow_default_port_from(service)
    template = Template.from_stack(stack)
    group = _connector_group(template)
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 1)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "IpProtocol": "tcp",
            "FromPort": {"Fn::GetAtt": [Match.string_like_regexp("Db"), "Endpoint.Port"]},
            "ToPort": {"Fn::GetAtt": [Match.string_like_regexp("Db"), "Endpoint.Port"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [group.as_string(), "GroupId"]},
            "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("DbSecurityGroup"), "GroupId"]},
        },
    )


def test_given_security_groups_are_used(stack: Stack, public_source: Source) -> None:
    vpc = _vpc(stack)
    mine = ec2.SecurityGroup(stack, "Mine", vpc=vpc)
    target = ec2.SecurityGroup(stack, "Cache", vpc=vpc)
    service = VpcConnectedService(
        stack,
        "Service",
        vpc=vpc,
        source=public_source,
        security_groups=[mine],
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        vpc_connector_name="my-connector",
    )
    target.connections.allow_from(service, ec2.Port.tcp(6379))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::SecurityGroup", 2)
    template.has_resource_properties(
        "AWS::AppRunner::VpcConnector",
        {
            "VpcConnectorName": "my-connector",
            "SecurityGroups": [{"Fn::GetAtt": [Match.string_like_regexp("Mine"), "GroupId"]}],
            "Subnets": [{"Ref": _logical_id(subnet)} for subnet in vpc.public_subnets],
        },
    )
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 1)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 6379,
            "ToPort": 6379,
            "SourceSecurityGroupId": {"Fn::GetAtt": [Match.string_like_regexp("Mine"), "GroupId"]},
            "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("Cache"), "GroupId"]},
        },
    )


def test_empty_security_group_list_is_rejected(scratch: Stack, new_id: str, public_source: Source) -> None:
    vpc = ec2.Vpc(scratch, f"{new_id}Vpc", max_azs=1, nat_gateways=1)
    with pytest.raises(
        ValueError, match=r"`security_groups` must hold at least one security group, got \[\]"
    ):
        VpcConnectedService(scratch, new_id, vpc=vpc, source=public_source, security_groups=[])


@pytest.mark.parametrize("name", ["abc", "a" * 41, "-connector"])
def test_invalid_connector_name_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, name: str
) -> None:
    vpc = ec2.Vpc(scratch, f"{new_id}Vpc", max_azs=1, nat_gateways=1)
    with pytest.raises(ValueError, match=rf"`vpc_connector_name` must .*, got '{name}'$"):
        VpcConnectedService(scratch, new_id, vpc=vpc, source=public_source, vpc_connector_name=name)
