"""UsersRedisStack: VPC, MemoryDB cluster, ACL user and password, service wiring."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aws_cdk.assertions import Capture, Match, Template

from cdk.stacks.users_redis import MAX_NAME_LENGTH, memorydb_name
from tests.support.synth import stack_template
from tests.support.templates import (
    env_vars,
    instance_role_id,
    only_logical_id,
    properties,
    role_policy_statements,
    security_group_id,
    subnet_name,
    subnet_type,
    subnets,
)

STACK = "UsersRedisStack"
PORT = 6379
DYNAMIC_REFERENCE = "{{resolve:secretsmanager:"
#: Per the MemoryDB docs: passwords must not contain these characters.
MEMORYDB_FORBIDDEN = [",", '"', "/", "@"]
RETAINED_TYPES = [
    "AWS::MemoryDB::Cluster",
    "AWS::MemoryDB::ACL",
    "AWS::MemoryDB::User",
    "AWS::MemoryDB::SubnetGroup",
    "AWS::SecretsManager::Secret",
]


def secret_id(template: Template) -> str:
    return only_logical_id(template, "AWS::SecretsManager::Secret")


def cluster_security_group_id(template: Template) -> str:
    return security_group_id(template, "AWS::MemoryDB::Cluster", "SecurityGroupIds")


def test_vpc_spans_two_azs_without_a_nat_gateway_and_logs_every_flow(template: Template) -> None:
    template.resource_count_is("AWS::EC2::VPC", 1)
    # The app calls no AWS API: nothing in the VPC needs a way out but the public subnets'.
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::EIP", 0)
    routes = template.find_resources("AWS::EC2::Route")
    assert routes
    assert all("GatewayId" in route["Properties"] for route in routes.values())
    all_subnets = template.find_resources("AWS::EC2::Subnet")
    azs = {json.dumps(subnet["Properties"]["AvailabilityZone"]) for subnet in all_subnets.values()}
    assert len(azs) == 2
    vpc_id = only_logical_id(template, "AWS::EC2::VPC")
    template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {"ResourceId": {"Ref": vpc_id}, "ResourceType": "VPC", "TrafficType": "ALL"},
    )


def test_subnet_group_holds_the_two_isolated_data_subnets_one_per_az(template: Template) -> None:
    subnet_ids = Capture()
    template.has_resource_properties("AWS::MemoryDB::SubnetGroup", {"SubnetIds": subnet_ids})
    group = subnets(template, subnet_ids.as_array())
    assert [subnet_type(subnet) for subnet in group] == ["Isolated", "Isolated"]
    assert group[0]["AvailabilityZone"] != group[1]["AvailabilityZone"]


def test_password_is_generated_in_secrets_manager_within_memorydb_rules(template: Template) -> None:
    length = Capture()
    excluded = Capture()
    template.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {
            "GenerateSecretString": Match.object_like(
                {"PasswordLength": length, "ExcludeCharacters": excluded}
            ),
            "SecretString": Match.absent(),
        },
    )
    assert 16 <= length.as_number() <= 128
    assert set(excluded.as_string()) >= {*MEMORYDB_FORBIDDEN, " "}


def test_user_gets_full_access_and_the_password_by_dynamic_reference(template: Template) -> None:
    template.has_resource_properties(
        "AWS::MemoryDB::User",
        {
            "UserName": "usersredisstack-app",
            "AccessString": "on ~* &* +@all",
            "AuthenticationMode": {
                "Type": "password",
                "Passwords": [
                    {
                        "Fn::Join": [
                            "",
                            [DYNAMIC_REFERENCE, {"Ref": secret_id(template)}, ":SecretString:::}}"],
                        ]
                    }
                ],
            },
        },
    )


def test_acl_holds_exactly_that_user(template: Template) -> None:
    user_id = only_logical_id(template, "AWS::MemoryDB::User")
    template.has_resource_properties(
        "AWS::MemoryDB::ACL", {"ACLName": "usersredisstack-acl", "UserNames": [{"Ref": user_id}]}
    )


def test_cluster_is_tls_one_shard_one_replica_valkey_with_the_default_parameter_group(
    template: Template,
) -> None:
    acl_id = only_logical_id(template, "AWS::MemoryDB::ACL")
    subnet_group_id = only_logical_id(template, "AWS::MemoryDB::SubnetGroup")
    template.has_resource_properties(
        "AWS::MemoryDB::Cluster",
        {
            "ClusterName": "usersredisstack",
            "TLSEnabled": True,
            "NodeType": "db.t4g.small",
            "NumShards": 1,
            "NumReplicasPerShard": 1,
            "Engine": "valkey",
            "EngineVersion": Match.string_like_regexp(r"^7\.\d+$"),
            "ParameterGroupName": Match.absent(),
            "Port": PORT,
            "ACLName": {"Ref": acl_id},
            "SubnetGroupName": {"Ref": subnet_group_id},
            "SecurityGroupIds": [Match.any_value()],
        },
    )


def test_cluster_admits_its_port_only_from_the_connectors_security_group(template: Template) -> None:
    connector_groups = Capture()
    template.has_resource_properties("AWS::AppRunner::VpcConnector", {"SecurityGroups": connector_groups})
    (connector_group,) = connector_groups.as_array()
    cluster_group = cluster_security_group_id(template)
    assert connector_group != {"Fn::GetAtt": [cluster_group, "GroupId"]}
    assert "SecurityGroupIngress" not in properties(template, cluster_group)
    rules = template.find_resources(
        "AWS::EC2::SecurityGroupIngress",
        {"Properties": {"GroupId": {"Fn::GetAtt": [cluster_group, "GroupId"]}}},
    )
    assert [
        {key: value for key, value in rule["Properties"].items() if key != "Description"}
        for rule in rules.values()
    ] == [
        {
            "GroupId": {"Fn::GetAtt": [cluster_group, "GroupId"]},
            "SourceSecurityGroupId": connector_group,
            "IpProtocol": "tcp",
            "FromPort": PORT,
            "ToPort": PORT,
        }
    ]


def test_cluster_security_group_sends_nothing_out(template: Template) -> None:
    cluster_group = cluster_security_group_id(template)
    egress = properties(template, cluster_group)["SecurityGroupEgress"]
    # CDK's placeholder for "no egress": a rule no packet can match.
    assert egress == [
        {
            "CidrIp": "255.255.255.255/32",
            "Description": "Disallow all traffic",
            "FromPort": 252,
            "IpProtocol": "icmp",
            "ToPort": 86,
        }
    ]
    assert not template.find_resources(
        "AWS::EC2::SecurityGroupEgress",
        {"Properties": {"GroupId": {"Fn::GetAtt": [cluster_group, "GroupId"]}}},
    )


def test_connector_uses_the_isolated_app_subnets_not_the_data_subnets(template: Template) -> None:
    subnet_ids = Capture()
    template.has_resource_properties("AWS::AppRunner::VpcConnector", {"Subnets": subnet_ids})
    connector = subnets(template, subnet_ids.as_array())
    assert [subnet_type(subnet) for subnet in connector] == ["Isolated", "Isolated"]
    assert [subnet_name(subnet) for subnet in connector] == ["app", "app"]
    assert connector[0]["AvailabilityZone"] != connector[1]["AvailabilityZone"]
    data_ids = Capture()
    template.has_resource_properties("AWS::MemoryDB::SubnetGroup", {"SubnetIds": data_ids})
    assert [subnet_name(subnet) for subnet in subnets(template, data_ids.as_array())] == ["data", "data"]


def test_service_egresses_through_the_connector(template: Template) -> None:
    connector_id = only_logical_id(template, "AWS::AppRunner::VpcConnector")
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "NetworkConfiguration": {
                "EgressConfiguration": {
                    "EgressType": "VPC",
                    "VpcConnectorArn": {"Fn::GetAtt": [connector_id, "VpcConnectorArn"]},
                }
            }
        },
    )


def test_service_gets_endpoint_and_username_as_variables_and_password_as_runtime_secret(
    template: Template,
) -> None:
    cluster_id = only_logical_id(template, "AWS::MemoryDB::Cluster")
    user_id = only_logical_id(template, "AWS::MemoryDB::User")
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": Match.object_like(
                {
                    "ImageRepository": Match.object_like(
                        {
                            "ImageConfiguration": {
                                "Port": "8080",
                                "RuntimeEnvironmentVariables": [
                                    {
                                        "Name": "MEMORYDB_CLUSTER_ENDPOINT",
                                        "Value": {
                                            "Fn::Join": [
                                                "",
                                                [
                                                    {"Fn::GetAtt": [cluster_id, "ClusterEndpoint.Address"]},
                                                    f":{PORT}",
                                                ],
                                            ]
                                        },
                                    },
                                    {"Name": "MEMORYDB_USERNAME", "Value": {"Ref": user_id}},
                                ],
                                "RuntimeEnvironmentSecrets": [
                                    {"Name": "MEMORYDB_PASSWORD", "Value": {"Ref": secret_id(template)}}
                                ],
                            }
                        }
                    )
                }
            ),
        },
    )


def test_instance_role_may_read_exactly_the_password_secret(template: Template) -> None:
    assert role_policy_statements(template, instance_role_id(template)) == [
        [
            {
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Effect": "Allow",
                "Resource": {"Ref": secret_id(template)},
            }
        ]
    ]


def test_password_is_only_ever_a_dynamic_reference(template: Template) -> None:
    text = json.dumps(template.to_json())
    # Once, in the MemoryDB user; App Runner gets the secret's ARN instead.
    assert text.count(DYNAMIC_REFERENCE) == 1
    assert "MEMORYDB_PASSWORD" not in env_vars(template)


def test_data_and_its_password_are_retained_by_default(template: Template) -> None:
    for resource_type in RETAINED_TYPES:
        template.has_resource(resource_type, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})


def test_node_type_removal_policy_and_names_follow_context_and_stack_prefix(tmp_path: Path) -> None:
    template = stack_template(
        tmp_path,
        f"Staging-{STACK}",
        stack_prefix="Staging-",
        **{"users_redis:node_type": "db.r7g.large", "users_redis:removal_policy": "destroy"},
    )
    template.has_resource_properties(
        "AWS::MemoryDB::Cluster", {"NodeType": "db.r7g.large", "ClusterName": "staging-usersredisstack"}
    )
    template.has_resource_properties("AWS::MemoryDB::User", {"UserName": "staging-usersredisstack-app"})
    template.has_resource_properties("AWS::MemoryDB::ACL", {"ACLName": "staging-usersredisstack-acl"})
    template.has_resource_properties(
        "AWS::MemoryDB::SubnetGroup", {"SubnetGroupName": "staging-usersredisstack-subnets"}
    )
    for resource_type in RETAINED_TYPES:
        template.has_resource(resource_type, {"DeletionPolicy": "Delete"})


@pytest.mark.parametrize(
    ("stack_name", "suffix", "expected"),
    [
        ("UsersRedisStack", "", "usersredisstack"),
        ("Dev--UsersRedisStack", "-acl", "dev-usersredisstack-acl"),
        # Too long: cut, with the start of the SHA-256 of the whole lowercased name.
        ("A" * 60 + "-B", "-subnets", "a" * 23 + "-27201dc4-subnets"),
        (
            "Averyveryveryveryverylongprefix-UsersRedisStack",
            "-app",
            "averyveryveryveryverylongpr-c76b9f44-app",
        ),
    ],
)
def test_memorydb_names_are_valid_identifiers(stack_name: str, suffix: str, expected: str) -> None:
    name = memorydb_name(stack_name, suffix)
    assert name == expected
    assert len(name) <= MAX_NAME_LENGTH
    assert re.fullmatch(r"[a-z](-?[a-z0-9])*", name)


def test_long_stack_names_that_start_alike_get_different_memorydb_names() -> None:
    prefix = "VeryLongStagingEnvironmentPrefix42"
    assert memorydb_name(f"{prefix}-UsersRedisStack") != memorydb_name(f"{prefix}b-UsersRedisStack")
