"""App Runner services in a VPC: connector, egress configuration and IConnectable wiring."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any, get_type_hints

import pytest
from aws_cdk import App, CfnElement, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk.assertions import Capture, Match, Template
from constructs import IConstruct

from constructs_lib import AppRunnerService, AppRunnerServiceProps, Source, VpcConnectedService


def _logical_id(construct: IConstruct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return Stack.of(construct).get_logical_id(resource)


def _vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def _grouped_vpc(scope: Stack, id: str = "Vpc") -> ec2.Vpc:
    """Two AZs, a public group and two private-with-egress groups told apart by their CIDR masks."""
    return ec2.Vpc(
        scope,
        id,
        max_azs=2,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Pub", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(
                name="AppA", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24
            ),
            ec2.SubnetConfiguration(
                name="AppB", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=26
            ),
        ],
    )


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


IMPORTED_SUBNET = "subnet-0123456789abcdef0"

# Each case: the selection, built from the VPC, and the connector's Subnets as "<group><AZ number>"
# (a subnet of ``_grouped_vpc``) or a literal subnet id.
SUBNET_SELECTIONS: dict[str, tuple[Callable[[ec2.Vpc], ec2.SubnetSelection | None], list[str]]] = {
    "default": (lambda vpc: None, ["AppA1", "AppA2", "AppB1", "AppB2"]),
    "subnet_type": (lambda vpc: ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC), ["Pub1", "Pub2"]),
    "subnet_group_name": (lambda vpc: ec2.SubnetSelection(subnet_group_name="AppB"), ["AppB1", "AppB2"]),
    "one_per_az": (lambda vpc: ec2.SubnetSelection(one_per_az=True), ["AppA1", "AppA2"]),
    "availability_zones": (
        lambda vpc: ec2.SubnetSelection(availability_zones=[vpc.availability_zones[1]]),
        ["AppA2", "AppB2"],
    ),
    "subnet_filters": (
        lambda vpc: ec2.SubnetSelection(subnet_filters=[ec2.SubnetFilter.by_cidr_mask(26)]),
        ["AppB1", "AppB2"],
    ),
    "subnets": (lambda vpc: ec2.SubnetSelection(subnets=[vpc.private_subnets[3]]), ["AppB2"]),
    # No availability zone: the connector needs only the id.
    "imported subnets": (
        lambda vpc: ec2.SubnetSelection(
            subnets=[ec2.Subnet.from_subnet_id(vpc, "Imported", IMPORTED_SUBNET)]
        ),
        [IMPORTED_SUBNET],
    ),
}


def _subnet(name: str) -> object:
    """``"AppB2"``: a ``Ref`` to group AppB's subnet in the second AZ; a ``subnet-`` id as it is."""
    if name.startswith("subnet-"):
        return name
    group, az = name[:-1], name[-1]
    return {"Ref": Match.string_like_regexp(rf"^Vpc{group}Subnet{az}Subnet[0-9A-F]+$")}


@pytest.mark.parametrize(("select", "expected"), SUBNET_SELECTIONS.values(), ids=SUBNET_SELECTIONS.keys())
def test_each_subnet_selection_field_picks_the_connector_subnets(
    stack: Stack,
    public_source: Source,
    select: Callable[[ec2.Vpc], ec2.SubnetSelection | None],
    expected: list[str],
) -> None:
    vpc = _grouped_vpc(stack)
    VpcConnectedService(stack, "Service", vpc=vpc, source=public_source, vpc_subnets=select(vpc))
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::VpcConnector", {"Subnets": [_subnet(name) for name in expected]}
    )


@pytest.mark.parametrize(
    "selection",
    [
        ec2.SubnetSelection(availability_zones=["nowhere-1a"]),
        ec2.SubnetSelection(subnet_filters=[ec2.SubnetFilter.by_cidr_mask(20)]),
        ec2.SubnetSelection(subnets=[]),
    ],
    ids=["availability_zones", "subnet_filters", "subnets"],
)
def test_a_selection_of_no_subnets_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, selection: ec2.SubnetSelection
) -> None:
    # Such a connector would synthesize, then fail to deploy (Subnets needs at least one item).
    vpc = _grouped_vpc(scratch, f"{new_id}Vpc")
    with pytest.raises(
        ValueError,
        match=rf"^`vpc_subnets` must select at least one subnet of `vpc`, got {re.escape(repr(selection))}$",
    ):
        VpcConnectedService(scratch, new_id, vpc=vpc, source=public_source, vpc_subnets=selection)


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (
            ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            r"There are no 'Isolated' subnet groups in this VPC",
        ),
        (
            ec2.SubnetSelection(subnet_group_name="Db"),
            r"There are no subnet groups with name 'Db' in this VPC",
        ),
    ],
    ids=["subnet_type", "subnet_group_name"],
)
def test_a_missing_subnet_group_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, selection: ec2.SubnetSelection, message: str
) -> None:
    vpc = _grouped_vpc(scratch, f"{new_id}Vpc")
    with pytest.raises(RuntimeError, match=message):
        VpcConnectedService(scratch, new_id, vpc=vpc, source=public_source, vpc_subnets=selection)


def test_explicit_subnets_exclude_the_other_selectors(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    vpc = _grouped_vpc(scratch, f"{new_id}Vpc")
    imported = ec2.Subnet.from_subnet_id(vpc, "Imported", IMPORTED_SUBNET)
    selection = ec2.SubnetSelection(subnets=[imported], subnet_group_name="AppA")
    with pytest.raises(
        RuntimeError, match=r"Only one of 'subnets,subnetGroupName' can be supplied to subnet selection"
    ):
        VpcConnectedService(scratch, new_id, vpc=vpc, source=public_source, vpc_subnets=selection)


def _vpc_templates(public_source: Source) -> tuple[dict[str, object], dict[str, object]]:
    def build(use_subclass: bool) -> dict[str, object]:
        stack = Stack(App(), "Test")
        vpc = _vpc(stack)
        service_class = VpcConnectedService if use_subclass else AppRunnerService
        service_class(stack, "Service", vpc=vpc, source=public_source, vpc_connector_name="my-connector")
        return dict(Template.from_stack(stack).to_json())

    return build(use_subclass=True), build(use_subclass=False)


def test_app_runner_service_with_a_vpc_is_a_vpc_connected_service(public_source: Source) -> None:
    subclass, base = _vpc_templates(public_source)
    assert "AWS::AppRunner::VpcConnector" in json.dumps(base)
    assert base == subclass


def test_vpc_connected_service_takes_every_other_app_runner_prop() -> None:
    parameters = inspect.signature(AppRunnerService.__init__).parameters
    keyword_only = {name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(get_type_hints(AppRunnerServiceProps)) == keyword_only - {"vpc"}
    assert AppRunnerServiceProps.__required_keys__ == {"source"}


@pytest.mark.parametrize(
    ("placement", "shown"),
    [
        ({"vpc_subnets": ec2.SubnetSelection(one_per_az=True)}, "SubnetSelection"),
        ({"security_groups": []}, r"\[\]"),
        ({"vpc_connector_name": "my-connector"}, "'my-connector'"),
    ],
)
def test_vpc_placement_without_a_vpc_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, placement: dict[str, Any], shown: str
) -> None:
    (prop,) = placement
    with pytest.raises(
        ValueError, match=rf"^`{prop}` applies to a service in a VPC: give `vpc` too, got {shown}"
    ):
        AppRunnerService(scratch, new_id, source=public_source, **placement)


def test_a_service_without_a_vpc_has_no_connections(stack: Stack, public_source: Source) -> None:
    service = AppRunnerService(stack, "Service", source=public_source)
    assert service.vpc_connector is None
    with pytest.raises(ValueError, match=r"^Test/Service has no security group: create it with `vpc`"):
        service.connections  # noqa: B018
