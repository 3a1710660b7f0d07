"""IService: one function wires a service the same way on either platform."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, ExpressService, IService, Secret, Source, VpcConnectedService

IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"

#: Each service kind, in a VPC, behind the one signature the stacks program against.
Factory = Callable[[Stack, ec2.IVpc], IService]
KINDS: dict[str, Factory] = {
    "AppRunnerService": lambda stack, vpc: AppRunnerService(
        stack, "Service", source=Source.from_ecr_public(IMAGE), vpc=vpc
    ),
    "VpcConnectedService": lambda stack, vpc: VpcConnectedService(
        stack, "Service", source=Source.from_ecr_public(IMAGE), vpc=vpc
    ),
    "ExpressService": lambda stack, vpc: ExpressService(
        stack, "Service", source=Source.from_ecr_public(IMAGE), vpc=vpc
    ),
}


def wire(service: IService, stack: Stack, vpc: ec2.IVpc) -> None:
    """What a stack does with its service, written once for every platform."""
    table = dynamodb.Table(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    )
    table.grant(service, "dynamodb:GetItem")
    cache = ec2.SecurityGroup(stack, "Cache", vpc=vpc, allow_all_outbound=False)
    cache.connections.allow_from(service, ec2.Port.tcp(6379))
    service.add_environment_variable("TABLE_NAME", table.table_name)
    service.add_secret(
        "TOKEN", Secret.from_ssm_parameter(ssm.StringParameter(stack, "Token", string_value="x"))
    )
    assert service.service_url.startswith("https://")
    assert stack.resolve(service.service_arn)


@pytest.mark.parametrize("make", KINDS.values(), ids=KINDS.keys())
def test_every_service_is_wired_the_same_way(make: Factory) -> None:
    stack = Stack(App(), "Test")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    service = make(stack, vpc)
    wire(service, stack, vpc)
    template = Template.from_stack(stack)
    (rule,) = template.find_resources("AWS::EC2::SecurityGroupIngress").values()
    assert rule["Properties"]["SourceSecurityGroupId"] == stack.resolve(
        service.connections.security_groups[0].security_group_id
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [Match.object_like({"Action": "dynamodb:GetItem"})],
                "Version": Match.any_value(),
            }
        },
    )
    assert "TABLE_NAME" in str(template.to_json()) and "TOKEN" in str(template.to_json())
