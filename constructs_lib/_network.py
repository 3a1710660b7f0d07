"""VPC placement shared by the services: subnets from a selection, security groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct, DependencyGroup, IDependable


@dataclass(frozen=True)
class Subnets:
    ids: list[str]
    #: Their routes to the internet (internet or NAT gateway), for what must wait for them.
    internet_connectivity_established: IDependable


def check_placement(vpc: ec2.IVpc | None, **placement: object) -> None:
    """Reject VPC ``placement`` props (``vpc_subnets=...``) given without ``vpc``."""
    if vpc is not None:
        return
    for prop, value in placement.items():
        if value is not None:
            raise ValueError(f"`{prop}` applies to a service in a VPC: give `vpc` too, got {value!r}")


def select(vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> Subnets:
    """The subnets ``selection`` picks in ``vpc``; ``ValueError`` if none."""
    only_subnets = selection.subnet_type is None and selection.subnet_group_name is None
    if selection.subnets is not None and only_subnets:
        # select_subnets returns explicit subnets as they are (filters do not apply). Its result,
        # read from Python, also holds their availability zones, which an imported
        # Subnet.from_subnet_id lacks (it throws); the services need only the ids.
        connectivity = DependencyGroup()
        for subnet in selection.subnets:
            connectivity.add(subnet.internet_connectivity_established)
        found = Subnets([subnet.subnet_id for subnet in selection.subnets], connectivity)
    else:
        selected = vpc.select_subnets(
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
            subnet_group_name=selection.subnet_group_name,
            subnet_type=selection.subnet_type,
            subnets=selection.subnets,
        )
        found = Subnets(selected.subnet_ids, selected.internet_connectivity_established)
    if not found.ids:
        raise ValueError(f"`vpc_subnets` must select at least one subnet of `vpc`, got {selection!r}")
    return found


def security_groups(
    scope: Construct, vpc: ec2.IVpc, given: Sequence[ec2.ISecurityGroup] | None, description: str
) -> list[ec2.ISecurityGroup]:
    """``given``, or one new group ``SecurityGroup`` under ``scope`` that allows all outbound
    traffic and no inbound traffic; ``ValueError`` for an empty list."""
    if given is None:
        return [
            ec2.SecurityGroup(
                scope, "SecurityGroup", vpc=vpc, description=description, allow_all_outbound=True
            )
        ]
    if not given:
        raise ValueError("`security_groups` must hold at least one security group, got []")
    return list(given)


def no_vpc(construct: Construct) -> ValueError:
    """The error ``connections`` raises for a service created without ``vpc`` (as ``lambda.Function``)."""
    return ValueError(
        f"{construct.node.path} has no security group: create it with `vpc` to allow its traffic "
        "to other resources"
    )
