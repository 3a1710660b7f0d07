"""AppRunnerService: environment, secrets, grants, networking, tracing, names and attributes."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from aws_cdk import App, Environment, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Capture, Match, Template

from constructs_lib import AppRunnerService, AutoScalingConfig, IpAddressType, Secret, Source
from tests.support.gates import cfn_lint_findings, nag_findings

INSTANCE_ROLE = {"Ref": Match.string_like_regexp("ServiceInstanceRole")}
SECRET_READ = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
PARAMETER_READ = [
    "ssm:DescribeParameters",
    "ssm:GetParameters",
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
]


def _image_configuration(template: Template, expected: dict[str, object]) -> None:
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {"SourceConfiguration": {"ImageRepository": Match.object_like({"ImageConfiguration": expected})}},
    )


def _instance_policy(template: Template, statements: object) -> None:
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": statements}, "Roles": [INSTANCE_ROLE]},
    )


def test_instance_role_is_assumed_by_app_runner_tasks(stack: Stack, public_source: Source) -> None:
    service = AppRunnerService(stack, "Service", source=public_source)
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "tasks.apprunner.amazonaws.com"},
                    }
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "InstanceConfiguration": Match.object_like(
                {"InstanceRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("ServiceInstanceRole"), "Arn"]}}
            ),
            "ServiceName": Match.absent(),
            "NetworkConfiguration": Match.absent(),
            "ObservabilityConfiguration": Match.absent(),
            "EncryptionConfiguration": Match.absent(),
            "AutoScalingConfigurationArn": Match.absent(),
        },
    )
    assert service.grant_principal is service.instance_role.grant_principal


def test_given_instance_role_is_used(stack: Stack, public_source: Source) -> None:
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("tasks.apprunner.amazonaws.com"))
    service = AppRunnerService(stack, "Service", source=public_source, instance_role=role)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 1)
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "InstanceConfiguration": Match.object_like(
                {"InstanceRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("Mine"), "Arn"]}}
            )
        },
    )
    assert service.instance_role is role


def test_environment_and_port_and_start_command(stack: Stack, public_source: Source) -> None:
    service = AppRunnerService(
        stack,
        "Service",
        source=public_source,
        port=3000,
        start_command="serve",
        environment={"LOG_LEVEL": "info"},
    )
    service.add_environment_variable("FEATURE", "on")
    _image_configuration(
        Template.from_stack(stack),
        {
            "Port": "3000",
            "StartCommand": "serve",
            "RuntimeEnvironmentVariables": [
                {"Name": "LOG_LEVEL", "Value": "info"},
                {"Name": "FEATURE", "Value": "on"},
            ],
            "RuntimeEnvironmentSecrets": Match.absent(),
        },
    )


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("", "must not be empty"),
        ("serve\n", r"must be a single line \(no CR or LF\)"),
        ("migrate\r\nserve", r"must be a single line \(no CR or LF\)"),
    ],
)
def test_start_command_app_runner_would_reject_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, command: str, problem: str
) -> None:
    # App Runner's StartCommand pattern is [^\x0a\x0d]+.
    with pytest.raises(ValueError, match=rf"`start_command` {problem}, got {re.escape(repr(command))}$"):
        AppRunnerService(scratch, new_id, source=public_source, start_command=command)


def test_unresolved_start_command_is_not_checked(stack: Stack, public_source: Source) -> None:
    command = Token.as_string({"Ref": "Command"})
    AppRunnerService(stack, "Service", source=public_source, start_command=command)
    _image_configuration(Template.from_stack(stack), {"StartCommand": {"Ref": "Command"}})


@pytest.mark.parametrize("name", ["AWSAPPRUNNER_X", "awsapprunner", "AwsAppRunnerFoo"])
def test_reserved_names_are_rejected(scratch: Stack, new_id: str, public_source: Source, name: str) -> None:
    with pytest.raises(
        ValueError, match=rf"`name` must not start with AWSAPPRUNNER \(reserved\), got '{name}'"
    ):
        AppRunnerService(scratch, new_id, source=public_source, environment={name: "x"})


def test_reserved_names_are_rejected_for_secrets(scratch: Stack, new_id: str, public_source: Source) -> None:
    service = AppRunnerService(scratch, new_id, source=public_source)
    parameter = ssm.StringParameter.from_string_parameter_name(scratch, f"{new_id}P", "/p")
    with pytest.raises(ValueError, match=r"`name` must not start with AWSAPPRUNNER"):
        service.add_secret("AWSAPPRUNNER_TOKEN", Secret.from_ssm_parameter(parameter))


PORT_RESERVED = (
    r"`name` must not be PORT \(reserved by App Runner; set the listening port with the `port` prop\), "
    r"got 'PORT'$"
)


def test_port_is_rejected_as_an_environment_variable(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    with pytest.raises(ValueError, match=PORT_RESERVED):
        AppRunnerService(scratch, new_id, source=public_source, environment={"PORT": "8080"})


def test_port_is_rejected_as_a_secret(scratch: Stack, new_id: str, public_source: Source) -> None:
    parameter = ssm.StringParameter.from_string_parameter_name(scratch, f"{new_id}P", "/p")
    with pytest.raises(ValueError, match=PORT_RESERVED):
        AppRunnerService(
            scratch, new_id, source=public_source, secrets={"PORT": Secret.from_ssm_parameter(parameter)}
        )


def test_duplicate_between_environment_and_secrets_is_rejected(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    parameter = ssm.StringParameter.from_string_parameter_name(scratch, f"{new_id}P", "/p")
    with pytest.raises(
        ValueError, match=r"`name` 'TOKEN' is already set as an environment variable or secret"
    ):
        AppRunnerService(
            scratch,
            new_id,
            source=public_source,
            environment={"TOKEN": "x"},
            secrets={"TOKEN": Secret.from_ssm_parameter(parameter)},
        )


def test_duplicate_environment_variable_is_rejected(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    service = AppRunnerService(scratch, new_id, source=public_source, environment={"A": "1"})
    with pytest.raises(ValueError, match=r"`name` 'A' is already set"):
        service.add_environment_variable("A", "2")


EMPTY_NAME = r"^`name` of an environment variable must not be empty, got ''$"


def test_empty_environment_variable_name_is_rejected(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    with pytest.raises(ValueError, match=EMPTY_NAME):
        AppRunnerService(scratch, new_id, source=public_source, environment={"": "x"})
    service = AppRunnerService(scratch, f"{new_id}Added", source=public_source)
    with pytest.raises(ValueError, match=EMPTY_NAME):
        service.add_environment_variable("", "x")


def test_empty_secret_name_is_rejected(scratch: Stack, new_id: str, public_source: Source) -> None:
    secret = Secret.from_ssm_parameter(
        ssm.StringParameter.from_string_parameter_name(scratch, f"{new_id}P", "/p")
    )
    with pytest.raises(ValueError, match=EMPTY_NAME):
        AppRunnerService(scratch, new_id, source=public_source, secrets={"": secret})
    service = AppRunnerService(scratch, f"{new_id}Added", source=public_source)
    with pytest.raises(ValueError, match=EMPTY_NAME):
        service.add_secret("", secret)


@pytest.mark.parametrize(
    ("first", "second"),
    [("secret", "environment"), ("environment", "secret"), ("secret", "secret")],
)
def test_a_name_is_taken_by_whichever_came_first(
    stack: Stack, public_source: Source, first: str, second: str
) -> None:
    parameter = ssm.StringParameter(stack, "Param", string_value="plain")
    service = AppRunnerService(stack, "Service", source=public_source)

    def add(kind: str) -> None:
        if kind == "secret":
            service.add_secret("TOKEN", Secret.from_ssm_parameter(parameter))
        else:
            service.add_environment_variable("TOKEN", "plain")

    add(first)
    with pytest.raises(
        ValueError, match=r"^`name` 'TOKEN' is already set as an environment variable or secret$"
    ):
        add(second)
    # The rejected call left nothing behind: only the first TOKEN, and a grant only if it is the secret.
    secret = {"Name": "TOKEN", "Value": Match.any_value()}
    variable = {"Name": "TOKEN", "Value": "plain"}
    template = Template.from_stack(stack)
    _image_configuration(
        template,
        {
            "RuntimeEnvironmentVariables": [variable] if first == "environment" else Match.absent(),
            "RuntimeEnvironmentSecrets": [secret] if first == "secret" else Match.absent(),
        },
    )
    template.resource_count_is("AWS::IAM::Policy", 1 if first == "secret" else 0)


def test_secrets_render_arns_and_grant_exactly_those(stack: Stack, public_source: Source) -> None:
    whole = secretsmanager.Secret(stack, "Whole")
    json_secret = secretsmanager.Secret(stack, "Json")
    parameter = ssm.StringParameter(stack, "Param", string_value="plain")
    service = AppRunnerService(
        stack, "Service", source=public_source, secrets={"API_KEY": Secret.from_secrets_manager(whole)}
    )
    service.add_secret("DB_PASSWORD", Secret.from_secrets_manager(json_secret, field="password"))
    service.add_secret("SETTING", Secret.from_ssm_parameter(parameter))
    template = Template.from_stack(stack)
    parameter_arn = Capture()
    _image_configuration(
        template,
        {
            "RuntimeEnvironmentVariables": Match.absent(),
            "RuntimeEnvironmentSecrets": [
                {"Name": "API_KEY", "Value": {"Ref": Match.string_like_regexp("Whole")}},
                {
                    "Name": "DB_PASSWORD",
                    "Value": {"Fn::Join": ["", [{"Ref": Match.string_like_regexp("Json")}, ":password::"]]},
                },
                {"Name": "SETTING", "Value": parameter_arn},
            ],
        },
    )
    _instance_policy(
        template,
        [
            {
                "Action": SECRET_READ,
                "Effect": "Allow",
                "Resource": {"Ref": Match.string_like_regexp("Whole")},
            },
            {"Action": SECRET_READ, "Effect": "Allow", "Resource": {"Ref": Match.string_like_regexp("Json")}},
            {
                "Action": [
                    "ssm:DescribeParameters",
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParameterHistory",
                ],
                "Effect": "Allow",
                "Resource": parameter_arn.as_object(),
            },
        ],
    )


def test_kms_encrypted_secret_grants_decrypt_on_its_key(stack: Stack, public_source: Source) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    secret = secretsmanager.Secret(stack, "Secret", encryption_key=key)
    AppRunnerService(
        stack, "Service", source=public_source, secrets={"TOKEN": Secret.from_secrets_manager(secret)}
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "kms:Decrypt",
                                "Effect": "Allow",
                                "Principal": {
                                    "AWS": {
                                        "Fn::GetAtt": [Match.string_like_regexp("ServiceInstanceRole"), "Arn"]
                                    }
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_empty_secret_field_is_rejected(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"`field` must be a non-empty JSON key or None, got ''"):
        Secret.from_secrets_manager(secretsmanager.Secret(stack, "S"), field="")


@pytest.mark.parametrize("field", ["a:b", ":", "password:"])
def test_secret_field_with_a_colon_is_rejected(stack: Stack, field: str) -> None:
    # "<arn>:a:b::" would not be a reference App Runner can resolve.
    with pytest.raises(ValueError, match=rf"`field` must not contain ':' .*, got '{field}'$"):
        Secret.from_secrets_manager(secretsmanager.Secret(stack, "S"), field=field)


def test_unresolved_secret_field_is_not_checked(stack: Stack) -> None:
    field = Token.as_string({"Ref": "Field"})
    secrets_manager_secret = secretsmanager.Secret(stack, "S")
    secret = Secret.from_secrets_manager(secrets_manager_secret, field=field)
    assert stack.resolve(secret.arn) == stack.resolve(f"{secrets_manager_secret.secret_arn}:{field}::")


def _role_kinds(stack: Stack, kind: str) -> tuple[iam.IRole | None, object]:
    """An instance role of ``kind`` for the service, and how a policy's Roles entry names it."""
    if kind == "own":
        return None, INSTANCE_ROLE
    if kind == "given":
        role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("tasks.apprunner.amazonaws.com"))
        return role, {"Ref": Match.string_like_regexp("Mine")}
    return iam.Role.from_role_arn(stack, "Imported", "arn:aws:iam::123456789012:role/imported"), "imported"


def _policies_with(template: Template, statement: dict[str, object]) -> list[str]:
    """Logical ids of the IAM policies with a statement like ``statement``."""
    statements = Match.array_with([Match.object_like(statement)])
    return list(
        template.find_resources(
            "AWS::IAM::Policy", {"Properties": {"PolicyDocument": {"Statement": statements}}}
        )
    )


def _only_service_depends_on(template: Template) -> list[str]:
    [service] = template.find_resources("AWS::AppRunner::Service").values()
    return list(service.get("DependsOn", []))


@pytest.mark.parametrize("kind", ["own", "given", "imported"])
def test_the_service_is_created_after_the_policy_granting_its_secrets(
    stack: Stack, public_source: Source, kind: str
) -> None:
    # App Runner resolves the secrets when the first instance starts, during service creation.
    role, role_entry = _role_kinds(stack, kind)
    secret_key = kms.Key(stack, "SecretKey", enable_key_rotation=True)
    secret = secretsmanager.Secret(stack, "Secret", encryption_key=secret_key)
    parameter_key = kms.Key(stack, "ParameterKey", enable_key_rotation=True)
    parameter = ssm.StringParameter.from_secure_string_parameter_attributes(
        stack, "Param", parameter_name="/app/token", encryption_key=parameter_key
    )
    service = AppRunnerService(
        stack,
        "Service",
        source=public_source,
        instance_role=role,
        secrets={"DB": Secret.from_secrets_manager(secret, field="password")},
    )
    service.add_secret("TOKEN", Secret.from_ssm_parameter(parameter))
    template = Template.from_stack(stack)
    parameter_arn = stack.resolve(parameter.parameter_arn)
    # The same grants as secret.grant_read(role) and parameter.grant_read(role), in one policy.
    policies = template.find_resources(
        "AWS::IAM::Policy",
        {
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Action": SECRET_READ,
                            "Effect": "Allow",
                            "Resource": {"Ref": Match.string_like_regexp("Secret")},
                        },
                        {
                            "Action": "kms:Decrypt",
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": [Match.string_like_regexp("ParameterKey"), "Arn"]},
                        },
                        {"Action": PARAMETER_READ, "Effect": "Allow", "Resource": parameter_arn},
                    ]
                },
                "Roles": [role_entry],
            }
        },
    )
    [secrets_policy] = policies
    assert secrets_policy.startswith("ServiceSecretsPolicy")
    assert _only_service_depends_on(template) == [secrets_policy]
    template.resource_count_is("AWS::IAM::Policy", 1)
    # The secret's key is used through Secrets Manager: its key policy grants the role, as before.
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": "kms:Decrypt",
                            "Condition": {"StringEquals": {"kms:ViaService": Match.any_value()}},
                            "Effect": "Allow",
                            "Principal": {"AWS": stack.resolve((role or service.instance_role).role_arn)},
                            "Resource": "*",
                        }
                    ]
                )
            }
        },
    )
    assert nag_findings(service) == []


def test_the_service_waits_for_its_secrets_policy_only(stack: Stack, public_source: Source) -> None:
    table = dynamodb.TableV2(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    )
    parameter = ssm.StringParameter(stack, "Param", string_value="on")
    service = AppRunnerService(
        stack, "Service", source=public_source, secrets={"FLAG": Secret.from_ssm_parameter(parameter)}
    )
    table.grant_read_data(service)
    template = Template.from_stack(stack)
    [default_policy] = _policies_with(template, {"Action": Match.array_with(["dynamodb:GetItem"])})
    [secrets_policy] = _policies_with(template, {"Action": PARAMETER_READ})
    assert _only_service_depends_on(template) == [secrets_policy]
    assert default_policy != secrets_policy


def test_a_role_statement_about_the_service_itself_makes_no_cycle(
    stack: Stack, public_source: Source
) -> None:
    secret = secretsmanager.Secret(stack, "Secret")
    service = AppRunnerService(
        stack, "Service", source=public_source, secrets={"KEY": Secret.from_secrets_manager(secret)}
    )
    service.add_to_role_policy(
        iam.PolicyStatement(actions=["apprunner:DescribeService"], resources=[service.service_arn])
    )
    template = Template.from_stack(stack)  # raises on a dependency cycle
    _instance_policy(
        template,
        [
            {
                "Action": "apprunner:DescribeService",
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [Match.string_like_regexp("Service"), "ServiceArn"]},
            }
        ],
    )
    assert cfn_lint_findings(dict(template.to_json())) == []


def test_secrets_with_an_immutable_role_go_where_the_role_sends_them(public_source: Source) -> None:
    # Role and secret in one account: the grant goes to the role's policy unless the role refuses it.
    stack = Stack(App(), "Test", env=Environment(account="123456789012", region="us-east-1"))
    arn = "arn:aws:iam::123456789012:role/fixed"
    role = iam.Role.from_role_arn(stack, "Fixed", arn, mutable=False, add_grants_to_resources=True)
    secret = secretsmanager.Secret(stack, "Secret")
    AppRunnerService(
        stack,
        "Service",
        source=public_source,
        instance_role=role,
        secrets={"KEY": Secret.from_secrets_manager(secret)},
    )
    template = Template.from_stack(stack)
    # The role is left alone and refuses grants to itself, so the secret's resource policy gets it.
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties(
        "AWS::SecretsManager::ResourcePolicy",
        {
            "ResourcePolicy": {
                "Statement": [
                    {
                        "Action": SECRET_READ,
                        "Effect": "Allow",
                        "Principal": {"AWS": arn},
                        "Resource": {"Ref": Match.string_like_regexp("Secret")},
                    }
                ]
            }
        },
    )
    assert _only_service_depends_on(template) == []


def test_grants_to_the_service_land_on_the_instance_role(stack: Stack, public_source: Source) -> None:
    table = dynamodb.TableV2(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    )
    service = AppRunnerService(stack, "Service", source=public_source)
    table.grant_read_write_data(service)
    service.add_to_role_policy(
        iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["arn:aws:sqs:us-east-1:123456789012:q"])
    )
    actions = Capture()
    table_arn = {"Fn::GetAtt": [Match.string_like_regexp("Table"), "Arn"]}
    _instance_policy(
        Template.from_stack(stack),
        Match.array_with(
            [
                {"Action": actions, "Effect": "Allow", "Resource": table_arn},
                {
                    "Action": "sqs:SendMessage",
                    "Effect": "Allow",
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
                },
            ]
        ),
    )
    assert {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"} <= set(actions.as_array())


def test_tracing_creates_observability_configuration_and_xray_grant(
    stack: Stack, public_source: Source
) -> None:
    AppRunnerService(stack, "Service", source=public_source, tracing=True)
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::AppRunner::ObservabilityConfiguration", {"TraceConfiguration": {"Vendor": "AWSXRAY"}}
    )
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "ObservabilityConfiguration": {
                "ObservabilityEnabled": True,
                "ObservabilityConfigurationArn": {
                    "Fn::GetAtt": [
                        Match.string_like_regexp("ServiceObservability"),
                        "ObservabilityConfigurationArn",
                    ]
                },
            }
        },
    )
    _instance_policy(
        template,
        [
            {
                "Action": Match.array_with(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
                "Effect": "Allow",
                "Resource": "*",
            }
        ],
    )


XRAY_WRITE = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
]


def test_tracing_grants_exactly_the_xray_write_actions(stack: Stack, public_source: Source) -> None:
    # Exactly AWSXRayDaemonWriteAccess's actions, in one policy on the instance role; none untraced.
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("tasks.apprunner.amazonaws.com"))
    AppRunnerService(stack, "Service", source=public_source, instance_role=role, tracing=True)
    AppRunnerService(stack, "Untraced", source=public_source)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 1)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyName": Match.string_like_regexp("^ServiceTracingPolicy"),
            "PolicyDocument": {
                "Statement": [{"Action": XRAY_WRITE, "Effect": "Allow", "Resource": "*"}],
                "Version": "2012-10-17",
            },
            "Roles": [{"Ref": Match.string_like_regexp("^Mine")}],
        },
    )


def test_kms_key_network_and_scaling_props(stack: Stack, public_source: Source) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    scaling_arn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/small/1/abc"
    AppRunnerService(
        stack,
        "Service",
        source=public_source,
        kms_key=key,
        is_publicly_accessible=False,
        ip_address_type=IpAddressType.DUAL_STACK,
        auto_scaling_config=scaling_arn,
        auto_deployments_enabled=False,
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "EncryptionConfiguration": {"KmsKey": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}},
            "NetworkConfiguration": {
                "IngressConfiguration": {"IsPubliclyAccessible": False},
                "IpAddressType": "DUAL_STACK",
                "EgressConfiguration": Match.absent(),
            },
            "AutoScalingConfigurationArn": scaling_arn,
            "SourceConfiguration": Match.object_like({"AutoDeploymentsEnabled": False}),
        },
    )


@pytest.mark.parametrize("name", ["abcd", "a" * 40, "My_service-1", "0abc"])
def test_valid_service_names(scratch: Stack, new_id: str, public_source: Source, name: str) -> None:
    assert AppRunnerService(scratch, new_id, source=public_source, service_name=name).service_name == name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("abc", "must be 4 to 40 characters long"),
        ("a" * 41, "must be 4 to 40 characters long"),
        ("-abcd", "must start with a letter or digit"),
        ("_abcd", "must start with a letter or digit"),
        ("ab cd", "must start with a letter or digit and contain only"),
        ("abc.d", "must start with a letter or digit and contain only"),
    ],
)
def test_invalid_service_names(
    scratch: Stack, new_id: str, public_source: Source, name: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=rf"`service_name` {problem}.*, got '{name}'$"):
        AppRunnerService(scratch, new_id, source=public_source, service_name=name)


def test_unresolved_service_name_is_not_checked(stack: Stack, public_source: Source) -> None:
    AppRunnerService(stack, "Service", source=public_source, service_name=Token.as_string({"Ref": "Name"}))
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service", {"ServiceName": {"Ref": "Name"}}
    )


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_invalid_port(scratch: Stack, new_id: str, public_source: Source, port: int) -> None:
    with pytest.raises(ValueError, match=rf"`port` must be a whole number between 1 and 65535, got {port}$"):
        AppRunnerService(scratch, new_id, source=public_source, port=port)


def test_whole_float_port_renders_as_an_integer(stack: Stack, public_source: Source) -> None:
    # What Token.as_number and untyped callers give: a float, accepted when it is a whole number.
    port: Any = 8080.0
    AppRunnerService(stack, "Service", source=public_source, port=port)
    _image_configuration(Template.from_stack(stack), {"Port": "8080"})


def test_attributes_and_url_output(stack: Stack, public_source: Source) -> None:
    service = AppRunnerService(stack, "Service", source=public_source, service_name="named", output_url=True)
    template = Template.from_stack(stack)
    logical_id = Capture()
    template.has_resource("AWS::AppRunner::Service", {"Properties": {"ServiceName": "named"}})
    template.has_output(
        "*", {"Value": {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [logical_id, "ServiceUrl"]}]]}}
    )
    assert stack.resolve(service.service_arn) == {"Fn::GetAtt": [logical_id.as_string(), "ServiceArn"]}
    assert stack.resolve(service.service_id) == {"Fn::GetAtt": [logical_id.as_string(), "ServiceId"]}
    assert service.service_name == "named"


def test_generated_service_name_comes_from_the_arn(stack: Stack, public_source: Source) -> None:
    service = AppRunnerService(stack, "Service", source=public_source)
    resolved = stack.resolve(service.service_name)
    assert resolved == {"Fn::Select": [1, {"Fn::Split": ["/", stack.resolve(service.service_arn)]}]}
    Template.from_stack(stack).resource_count_is("AWS::AppRunner::Service", 1)


def test_app_runner_regions_are_botocores() -> None:
    session = boto3.session.Session()
    assert sorted(AppRunnerService.REGIONS) == sorted(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("apprunner", partition_name=partition)
    )


@pytest.mark.parametrize("make", ["service", "auto scaling configuration"])
def test_a_region_without_app_runner_is_refused(public_source: Source, make: str) -> None:
    stack = Stack(App(), "Test", env=Environment(region="eu-south-1"))
    with pytest.raises(
        ValueError,
        match=r"^App Runner is not offered in 'eu-south-1'; it is in ap-northeast-1, .*, us-west-2\. "
        r"ECS Express Mode is offered more widely: use ExpressService$",
    ):
        if make == "service":
            AppRunnerService(stack, "Service", source=public_source)
        else:
            AutoScalingConfig(stack, "Scaling", name="web-small")


def test_a_region_with_app_runner_or_an_unknown_one_is_accepted(public_source: Source) -> None:
    for env in (Environment(region="eu-west-3"), None):
        stack = Stack(App(), "Test", env=env)
        AppRunnerService(stack, "Service", source=public_source)
        Template.from_stack(stack).resource_count_is("AWS::AppRunner::Service", 1)
