"""Lookups in a synthesized stack's template, shared by the stack tests (tests/stacks)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Capture, Match, Template


def only_logical_id(template: Template, resource_type: str, props: Any = None) -> str:
    """The logical id of the one ``resource_type`` (with ``props``, if given); fails unless one."""
    found = template.find_resources(resource_type, {"Properties": props} if props else None)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found))


def properties(template: Template, logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = template.to_json()["Resources"][logical_id]["Properties"]
    return props


def subnets(template: Template, refs: list[Any]) -> list[dict[str, Any]]:
    """The ``AWS::EC2::Subnet`` properties behind ``[{"Ref": id}, ...]``."""
    resources = template.to_json()["Resources"]
    found = []
    for ref in refs:
        resource = resources[ref["Ref"]]
        assert resource["Type"] == "AWS::EC2::Subnet"
        found.append(resource["Properties"])
    return found


def subnet_type(subnet: dict[str, Any]) -> str:
    """CDK's subnet type tag (Public, Private, Isolated) of a subnet's properties."""
    tags: dict[str, str] = {tag["Key"]: tag["Value"] for tag in subnet["Tags"]}
    return tags["aws-cdk:subnet-type"]


def subnet_name(subnet: dict[str, Any]) -> str:
    """CDK's subnet group name tag (``app``, ``data``...) of a subnet's properties."""
    tags: dict[str, str] = {tag["Key"]: tag["Value"] for tag in subnet["Tags"]}
    return tags["aws-cdk:subnet-name"]


def subnet_names(template: Template, refs: list[Any]) -> list[str]:
    """CDK's subnet group name of each ``{"Ref": subnet}``."""
    return [subnet_name(subnet) for subnet in subnets(template, refs)]


def subnet_types(template: Template, refs: list[Any]) -> list[str]:
    """CDK's subnet type tag of each ``{"Ref": subnet}``."""
    return [subnet_type(subnet) for subnet in subnets(template, refs)]


def security_group_id(template: Template, resource_type: str, key: str) -> str:
    """The one security group in ``key`` (``[{"Fn::GetAtt": [group, "GroupId"]}]``) of ``resource_type``."""
    group = Capture()
    template.has_resource_properties(resource_type, {key: [{"Fn::GetAtt": [group, "GroupId"]}]})
    return group.as_string()


def instance_role_id(template: Template) -> str:
    """The logical id of the App Runner service's instance role."""
    role = Capture()
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {"InstanceConfiguration": Match.object_like({"InstanceRoleArn": {"Fn::GetAtt": [role, "Arn"]}})},
    )
    return role.as_string()


def role_policy_statements(template: Template, role_id: str) -> list[Any]:
    """The statements of each ``AWS::IAM::Policy`` attached to ``role_id``, one list a policy."""
    return [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
    ]


def env_vars(template: Template) -> dict[str, object]:
    """The runtime environment variables of the one App Runner service, by name."""
    (service,) = template.find_resources("AWS::AppRunner::Service").values()
    image = service["Properties"]["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
    return {pair["Name"]: pair["Value"] for pair in image["RuntimeEnvironmentVariables"]}


def service_variables(template: dict[str, Any]) -> list[str]:
    """The names of the environment variables and secrets of the one service in ``template``,
    on either platform (App Runner's own ``PORT`` is not in the template; Express's is)."""
    services = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] in ("AWS::AppRunner::Service", "AWS::ECS::ExpressGatewayService")
    ]
    (service,) = services
    if "PrimaryContainer" in service:
        container = service["PrimaryContainer"]
        pairs = container.get("Environment", []) + container.get("Secrets", [])
    else:
        image = service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
        pairs = image.get("RuntimeEnvironmentVariables", []) + image.get("RuntimeEnvironmentSecrets", [])
    return [pair["Name"] for pair in pairs]
