"""ExpressService: rendering, sources, roles, secrets, scaling, health check, VPC placement, tags."""

from __future__ import annotations

from typing import Any, cast

import pytest
from aws_cdk import App, Duration, Stack, Tags, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Capture, Match, Template

from constructs_lib import (
    ExpressService,
    HealthCheck,
    Runtime,
    ScalingMetric,
    Secret,
    Source,
)
from tests.support.gates import acknowledgements

SERVICE = "AWS::ECS::ExpressGatewayService"
PUBLIC_IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
CONNECTION = "arn:aws:apprunner:us-east-1:123456789012:connection/github/0123456789abcdef"
SECRET_READ = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
ASSET_REPOSITORY = "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}"
PERCENT = "`scaling_target` must be a whole number between 1 and 100 percent,"
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def _role_ref(name: str) -> dict[str, object]:
    return {"Ref": Match.string_like_regexp(f"Service{name}")}


def _role_arn(name: str) -> dict[str, object]:
    return {"Fn::GetAtt": [Match.string_like_regexp(f"Service{name}"), "Arn"]}


def _public_vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)],
    )


def _container(template: Template, expected: dict[str, object]) -> None:
    template.has_resource_properties(SERVICE, {"PrimaryContainer": Match.object_like(expected)})


def _properties(stack: Stack) -> dict[str, Any]:
    (service,) = Template.from_stack(stack).find_resources(SERVICE).values()
    properties: dict[str, Any] = service["Properties"]
    return properties


def test_defaults_are_all_rendered(stack: Stack, public_source: Source) -> None:
    ExpressService(stack, "Service", source=public_source)
    template = Template.from_stack(stack)
    logs_group = Capture()
    template.has_resource_properties(
        SERVICE,
        {
            "Cpu": "1024",
            "Memory": "2048",
            "HealthCheckPath": "/",
            "ScalingTarget": {
                "MinTaskCount": 1,
                "MaxTaskCount": 10,
                "AutoScalingMetric": "AVERAGE_CPU",
                "AutoScalingTargetValue": 60,
            },
            "PrimaryContainer": {
                "Image": PUBLIC_IMAGE,
                "ContainerPort": 8080,
                "Environment": [{"Name": "PORT", "Value": "8080"}],
                "AwsLogsConfiguration": {"LogGroup": {"Ref": logs_group}, "LogStreamPrefix": "ecs"},
            },
            "TaskRoleArn": _role_arn("TaskRole"),
            "ExecutionRoleArn": _role_arn("ExecutionRole"),
            "InfrastructureRoleArn": _role_arn("InfrastructureRole"),
            "NetworkConfiguration": Match.absent(),
            "ServiceName": Match.absent(),
            "Tags": Match.absent(),
            "Cluster": Match.absent(),
        },
    )
    assert logs_group.as_string() in template.find_resources(
        "AWS::Logs::LogGroup", {"Properties": {"RetentionInDays": 30}}
    )


def test_roles_are_assumed_by_ecs(stack: Stack, public_source: Source) -> None:
    service = ExpressService(stack, "Service", source=public_source)
    template = Template.from_stack(stack)
    for name, principal in (
        ("TaskRole", "ecs-tasks.amazonaws.com"),
        ("ExecutionRole", "ecs-tasks.amazonaws.com"),
        ("InfrastructureRole", "ecs.amazonaws.com"),
    ):
        assert template.find_resources(
            "AWS::IAM::Role",
            {
                "Properties": Match.object_like(
                    {
                        "AssumeRolePolicyDocument": {
                            "Statement": [
                                {
                                    "Action": "sts:AssumeRole",
                                    "Effect": "Allow",
                                    "Principal": {"Service": principal},
                                }
                            ],
                            "Version": "2012-10-17",
                        }
                    }
                )
            },
        ), name
    assert service.grant_principal is service.task_role.grant_principal


def test_infrastructure_role_has_aws_managed_policy_and_a_reasoned_acknowledgement(
    stack: Stack, public_source: Source
) -> None:
    service = ExpressService(stack, "Service", source=public_source)
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {"Statement": [Match.object_like({"Principal": {"Service": "ecs.amazonaws.com"}})]}
            ),
            "ManagedPolicyArns": [
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices",
                        ],
                    ]
                }
            ],
        },
    )
    acks = acknowledgements(service.infrastructure_role)
    assert [ack.rule_id.partition("AwsSolutions-")[2] for ack in acks] == [
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonECSInfrastructureRoleforExpressGatewayServices]"
    ]


def test_given_roles_are_used_as_they_are(stack: Stack, public_source: Source) -> None:
    roles = {
        name: iam.Role(stack, name, assumed_by=iam.ServicePrincipal(principal))
        for name, principal in (
            ("Task", "ecs-tasks.amazonaws.com"),
            ("Execution", "ecs-tasks.amazonaws.com"),
            ("Infrastructure", "ecs.amazonaws.com"),
        )
    }
    service = ExpressService(
        stack,
        "Service",
        source=public_source,
        task_role=roles["Task"],
        execution_role=roles["Execution"],
        infrastructure_role=roles["Infrastructure"],
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 3)
    template.has_resource_properties(
        SERVICE,
        {
            "TaskRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^Task"), "Arn"]},
            "ExecutionRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^Execution"), "Arn"]},
            "InfrastructureRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^Infrastructure"), "Arn"]},
        },
    )
    assert (service.task_role, service.execution_role, service.infrastructure_role) == (
        roles["Task"],
        roles["Execution"],
        roles["Infrastructure"],
    )


def test_task_role_has_no_permission_until_granted(stack: Stack, public_source: Source) -> None:
    ExpressService(stack, "Service", source=public_source)
    template = Template.from_stack(stack)
    assert not template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [_role_ref("TaskRole")]}})


def test_grants_to_the_service_land_on_the_task_role(stack: Stack, public_source: Source) -> None:
    service = ExpressService(stack, "Service", source=public_source)
    table = dynamodb.Table(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    )
    table.grant(service, "dynamodb:GetItem")
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "dynamodb:GetItem",
                        "Effect": "Allow",
                        "Resource": [{"Fn::GetAtt": [Match.string_like_regexp("Table"), "Arn"]}],
                    }
                ],
                "Version": "2012-10-17",
            },
            "Roles": [_role_ref("TaskRole")],
        },
    )


def test_execution_role_writes_to_the_service_log_group_only(stack: Stack, public_source: Source) -> None:
    ExpressService(stack, "Service", source=public_source, log_retention=logs.RetentionDays.ONE_WEEK)
    template = Template.from_stack(stack)
    group = Capture()
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [group, "Arn"]},
                    }
                ],
                "Version": "2012-10-17",
            },
            "Roles": [_role_ref("ExecutionRole")],
        },
    )
    assert group.as_string().startswith("ServiceLogs")


def _pull_statements(repository: object) -> list[object]:
    return [
        {"Action": PULL, "Effect": "Allow", "Resource": repository},
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
    ]


def test_asset_image_is_pulled_by_the_execution_role_from_exactly_its_repository(
    stack: Stack, asset_directory: str
) -> None:
    ExpressService(stack, "Service", source=Source.from_asset(asset_directory))
    template = Template.from_stack(stack)
    policy = Capture()
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyName": policy,
            "PolicyDocument": {
                "Statement": _pull_statements(
                    {
                        "Fn::Join": [
                            "",
                            Match.array_with(
                                [
                                    ":repository/",
                                    {"Fn::Sub": ASSET_REPOSITORY},
                                ]
                            ),
                        ]
                    }
                ),
                "Version": "2012-10-17",
            },
            "Roles": [_role_ref("ExecutionRole")],
        },
    )
    assert policy.as_string().startswith("ServicePullPolicy")
    _container(
        template, {"Image": {"Fn::Sub": Match.string_like_regexp(r"container-assets-.*:[0-9a-f]{64}$")}}
    )
    template.has_resource(SERVICE, {"DependsOn": Match.array_with([policy.as_string()])})
    template.resource_count_is("AWS::IAM::Role", 3)


def test_ecr_image_is_pulled_from_exactly_its_repository(stack: Stack) -> None:
    repository = ecr.Repository(stack, "Repo")
    ExpressService(stack, "Service", source=Source.from_ecr(repository, "v1"))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": _pull_statements({"Fn::GetAtt": [Match.string_like_regexp("Repo"), "Arn"]}),
                "Version": "2012-10-17",
            },
            "Roles": [_role_ref("ExecutionRole")],
        },
    )
    _container(template, {"Image": {"Fn::Join": ["", Match.array_with([":v1"])]}})


def test_public_image_needs_no_pull_permission(stack: Stack, public_source: Source) -> None:
    ExpressService(stack, "Service", source=public_source)
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    assert [name for name in policies if "Pull" in name] == []


def test_code_repository_is_app_runner_only(scratch: Stack, new_id: str) -> None:
    source = Source.from_code_repository(
        "https://github.com/owner/repo", "main", CONNECTION, runtime=Runtime.PYTHON_311
    )
    with pytest.raises(
        ValueError,
        match=r"^`source` Source.from_code_repository is an App Runner feature \(its managed runtimes build "
        r"the code\); ECS Express Mode runs container images: use Source.from_asset, Source.from_ecr or "
        r"Source.from_ecr_public$",
    ):
        ExpressService(scratch, new_id, source=source)


def test_an_app_runner_access_role_is_refused(scratch: Stack, new_id: str) -> None:
    role = iam.Role(
        scratch, f"{new_id}Role", assumed_by=iam.ServicePrincipal("build.apprunner.amazonaws.com")
    )
    repository = ecr.Repository.from_repository_name(scratch, f"{new_id}Repo", "repo")
    with pytest.raises(ValueError, match=r"^`access_role` is App Runner's; ECS Express Mode pulls the image"):
        ExpressService(scratch, new_id, source=Source.from_ecr(repository, access_role=role))


def test_environment_port_and_start_command(stack: Stack, public_source: Source) -> None:
    service = ExpressService(
        stack,
        "Service",
        source=public_source,
        port=3000,
        start_command="gunicorn --bind '0.0.0.0:3000' app:app",
        environment={"LOG_LEVEL": "info"},
    )
    service.add_environment_variable("FEATURE", "on")
    _container(
        Template.from_stack(stack),
        {
            "ContainerPort": 3000,
            "Command": ["gunicorn", "--bind", "0.0.0.0:3000", "app:app"],
            "Environment": [
                {"Name": "PORT", "Value": "3000"},
                {"Name": "LOG_LEVEL", "Value": "info"},
                {"Name": "FEATURE", "Value": "on"},
            ],
            "Secrets": Match.absent(),
        },
    )


def test_unresolved_start_command_is_split_on_spaces(stack: Stack, public_source: Source) -> None:
    command = Token.as_string({"Ref": "Command"})
    ExpressService(stack, "Service", source=public_source, start_command=command)
    _container(Template.from_stack(stack), {"Command": {"Fn::Split": [" ", {"Ref": "Command"}]}})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("PORT", r"^`name` must not be PORT \(reserved by ExpressService, which sets it to `port` as App "
                 r"Runner does; set the listening port with the `port` prop\), got 'PORT'$"),
        ("", r"^`name` of an environment variable must not be empty, got ''$"),
    ],
)  # fmt: skip
def test_reserved_and_empty_names_are_rejected(
    scratch: Stack, new_id: str, public_source: Source, name: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ExpressService(scratch, new_id, source=public_source, environment={name: "x"})


def test_a_name_cannot_be_both_variable_and_secret(
    scratch: Stack, new_id: str, public_source: Source
) -> None:
    parameter = ssm.StringParameter.from_string_parameter_name(scratch, f"{new_id}P", "p")
    service = ExpressService(scratch, new_id, source=public_source, environment={"TOKEN": "x"})
    with pytest.raises(
        ValueError, match=r"^`name` 'TOKEN' is already set as an environment variable or secret$"
    ):
        service.add_secret("TOKEN", Secret.from_ssm_parameter(parameter))


def test_secrets_are_read_by_the_execution_role_before_the_service_exists(
    stack: Stack, public_source: Source
) -> None:
    whole = secretsmanager.Secret(stack, "Whole")
    database = secretsmanager.Secret(stack, "Database")
    parameter = ssm.StringParameter(stack, "Setting", string_value="on")
    service = ExpressService(
        stack, "Service", source=public_source, secrets={"API_KEY": Secret.from_secrets_manager(whole)}
    )
    service.add_secret("DB_PASSWORD", Secret.from_secrets_manager(database, field="password"))
    service.add_secret("SETTING", Secret.from_ssm_parameter(parameter))
    template = Template.from_stack(stack)
    _container(
        template,
        {
            "Secrets": [
                {"Name": "API_KEY", "ValueFrom": {"Ref": Match.string_like_regexp("Whole")}},
                {
                    "Name": "DB_PASSWORD",
                    "ValueFrom": {
                        "Fn::Join": ["", [{"Ref": Match.string_like_regexp("Database")}, ":password::"]]
                    },
                },
                {"Name": "SETTING", "ValueFrom": Match.any_value()},
            ]
        },
    )
    policy = Capture()
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyName": policy,
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": SECRET_READ,
                        "Effect": "Allow",
                        "Resource": {"Ref": Match.string_like_regexp("Whole")},
                    },
                    {
                        "Action": SECRET_READ,
                        "Effect": "Allow",
                        "Resource": {"Ref": Match.string_like_regexp("Database")},
                    },
                    Match.object_like({"Action": Match.array_with(["ssm:GetParameters"])}),
                ],
                "Version": "2012-10-17",
            },
            "Roles": [_role_ref("ExecutionRole")],
        },
    )
    assert policy.as_string().startswith("ServiceSecretsPolicy")
    template.has_resource(SERVICE, {"DependsOn": Match.array_with([policy.as_string()])})
    # Nothing about secrets reaches the role the code runs as.
    assert not template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [_role_ref("TaskRole")]}})


@pytest.mark.parametrize(
    ("health_check", "message"),
    [
        (HealthCheck.tcp(), r"^`health_check` must be HealthCheck.http\(path=...\) on ECS Express Mode \(its "
                            r"load balancer checks an HTTP path only\), got HealthCheck.tcp\(\)$"),
        (HealthCheck.http(path="/h", interval=Duration.seconds(10)),
         r"^`health_check` interval must be left at its default on ECS Express Mode \(only the path can be "
         r"set\), got 10 seconds$"),
        (HealthCheck.http(path="/h", timeout=Duration.seconds(5)),
         r"^`health_check` timeout .*got 5 seconds$"),
        (HealthCheck.http(path="/h", healthy_threshold=2), r"^`health_check` healthy_threshold .*got 2$"),
        (HealthCheck.http(path="/h", unhealthy_threshold=3), r"^`health_check` unhealthy_threshold .*got 3$"),
        (HealthCheck.http(path="/h", interval=Duration.seconds(Token.as_number({"Ref": "I"}))),
         r"^`health_check` interval .*got a token$"),
    ],
)  # fmt: skip
def test_only_the_health_check_path_can_be_set(
    scratch: Stack, new_id: str, public_source: Source, health_check: HealthCheck, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ExpressService(scratch, new_id, source=public_source, health_check=health_check)


def test_health_check_path_with_default_timings_is_rendered(stack: Stack, public_source: Source) -> None:
    explicit_defaults = HealthCheck.http(
        path="/healthz", interval=Duration.seconds(5), timeout=Duration.seconds(2)
    )
    ExpressService(stack, "Service", source=public_source, health_check=explicit_defaults)
    Template.from_stack(stack).has_resource_properties(SERVICE, {"HealthCheckPath": "/healthz"})


@pytest.mark.parametrize(
    ("metric", "target", "rendered"),
    [
        (ScalingMetric.AVERAGE_CPU, 75, 75),
        (ScalingMetric.AVERAGE_MEMORY, None, 60),
        (ScalingMetric.AVERAGE_MEMORY, 100, 100),
        (ScalingMetric.REQUEST_COUNT_PER_TARGET, 6000, 6000),
    ],
)
def test_scaling_is_rendered(
    stack: Stack, public_source: Source, metric: ScalingMetric, target: int | None, rendered: int
) -> None:
    ExpressService(
        stack,
        "Service",
        source=public_source,
        min_tasks=2,
        max_tasks=20,
        scaling_metric=metric,
        scaling_target=target,
    )
    Template.from_stack(stack).has_resource_properties(
        SERVICE,
        {
            "ScalingTarget": {
                "MinTaskCount": 2,
                "MaxTaskCount": 20,
                "AutoScalingMetric": metric.value,
                "AutoScalingTargetValue": rendered,
            }
        },
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"min_tasks": 0}, r"^`min_tasks` must be a whole number between 1 and 5000, got 0$"),
        ({"max_tasks": 5001}, r"^`max_tasks` must be a whole number between 1 and 5000, got 5001$"),
        ({"min_tasks": 3, "max_tasks": 2}, r"^`max_tasks` must be >= `min_tasks` \(3\), got 2$"),
        ({"scaling_target": 0}, rf"^{PERCENT} got 0$"),
        ({"scaling_target": 101}, rf"^{PERCENT} got 101$"),
        ({"scaling_target": 60.5}, rf"^{PERCENT} got 60.5$"),
        ({"scaling_metric": ScalingMetric.REQUEST_COUNT_PER_TARGET},
         r"^`scaling_target` is required with ScalingMetric.REQUEST_COUNT_PER_TARGET \(requests per task per "
         r"minute\), got None$"),
        ({"scaling_metric": ScalingMetric.REQUEST_COUNT_PER_TARGET, "scaling_target": 0},
         r"^`scaling_target` must be a whole number between 1 and 1000000 requests per task per minute, "
         r"got 0$"),
        ({"scaling_metric": "AVERAGE_CPU"}, r"^`scaling_metric` must be a ScalingMetric, got 'AVERAGE_CPU'$"),
    ],
)  # fmt: skip
def test_scaling_out_of_bounds_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, props: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        ExpressService(scratch, new_id, source=public_source, **props)


def test_unresolved_task_counts_are_not_compared(stack: Stack, public_source: Source) -> None:
    count = cast(int, Token.as_number({"Ref": "Count"}))
    ExpressService(stack, "Service", source=public_source, min_tasks=count, max_tasks=1)
    Template.from_stack(stack).has_resource_properties(
        SERVICE, {"ScalingTarget": Match.object_like({"MinTaskCount": {"Ref": "Count"}})}
    )


def test_in_a_vpc_tasks_and_load_balancer_use_the_public_subnets(stack: Stack, public_source: Source) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    ExpressService(stack, "Service", source=public_source, vpc=vpc)
    template = Template.from_stack(stack)
    group = Capture()
    template.has_resource_properties(
        SERVICE,
        {
            "NetworkConfiguration": {
                "Subnets": [{"Ref": Match.string_like_regexp(f"VpcPublicSubnet{n}Subnet")} for n in (1, 2)],
                "SecurityGroups": [{"Fn::GetAtt": [group, "GroupId"]}],
            }
        },
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": "ECS Express Mode tasks of the service",
            "SecurityGroupEgress": [
                {"CidrIp": "0.0.0.0/0", "IpProtocol": "-1", "Description": Match.any_value()}
            ],
            "SecurityGroupIngress": Match.absent(),
        },
    )
    assert group.as_string().startswith("ServiceSecurityGroup")
    # Express Mode reads the subnets' routes when the service is created.
    depends_on = Capture()
    template.has_resource(SERVICE, {"DependsOn": depends_on})
    routes = [name for name in depends_on.as_array() if "DefaultRoute" in name]
    assert sorted(routes) == sorted(
        template.find_resources("AWS::EC2::Route", {"Properties": {"GatewayId": Match.any_value()}})
    )


def test_a_private_endpoint_uses_the_private_subnets_given(stack: Stack, public_source: Source) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    ExpressService(
        stack,
        "Service",
        source=public_source,
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
    )
    Template.from_stack(stack).has_resource_properties(
        SERVICE,
        {
            "NetworkConfiguration": Match.object_like(
                {"Subnets": [{"Ref": Match.string_like_regexp(f"VpcPrivateSubnet{n}Subnet")} for n in (1, 2)]}
            )
        },
    )


def test_the_database_admits_exactly_the_tasks_security_group(stack: Stack, public_source: Source) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    service = ExpressService(stack, "Service", source=public_source, vpc=vpc)
    database = rds.DatabaseCluster(
        stack,
        "Database",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_17_9),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        vpc=vpc,
    )
    database.connections.allow_default_port_from(service)
    template = Template.from_stack(stack)
    (tasks_group,) = template.find_resources(
        "AWS::EC2::SecurityGroup",
        {"Properties": {"GroupDescription": "ECS Express Mode tasks of the service"}},
    )
    (rule,) = template.find_resources("AWS::EC2::SecurityGroupIngress").values()
    assert rule["Properties"]["SourceSecurityGroupId"] == {"Fn::GetAtt": [tasks_group, "GroupId"]}
    (cluster,) = template.find_resources("AWS::RDS::DBCluster")
    port = {"Fn::GetAtt": [cluster, "Endpoint.Port"]}
    assert (rule["Properties"]["FromPort"], rule["Properties"]["ToPort"]) == (port, port)


def test_given_security_groups_are_used(stack: Stack, public_source: Source) -> None:
    vpc = _public_vpc(stack)
    group = ec2.SecurityGroup(stack, "Mine", vpc=vpc)
    service = ExpressService(stack, "Service", source=public_source, vpc=vpc, security_groups=[group])
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::SecurityGroup", 1)
    template.has_resource_properties(
        SERVICE,
        {
            "NetworkConfiguration": Match.object_like(
                {"SecurityGroups": [{"Fn::GetAtt": [Match.string_like_regexp("Mine"), "GroupId"]}]}
            )
        },
    )
    assert service.connections.security_groups == [group]


@pytest.mark.parametrize(
    ("placement", "message"),
    [
        ({"vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
         r"^`vpc_subnets` applies to a service in a VPC: give `vpc` too, got "),
        ({"security_groups": []},
         r"^`security_groups` applies to a service in a VPC: give `vpc` too, got \[\]$"),
    ],
)  # fmt: skip
def test_placement_without_a_vpc_is_rejected(
    scratch: Stack, new_id: str, public_source: Source, placement: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ExpressService(scratch, new_id, source=public_source, **placement)


def test_an_empty_security_group_list_is_rejected(stack: Stack, public_source: Source) -> None:
    vpc = _public_vpc(stack)
    with pytest.raises(
        ValueError, match=r"^`security_groups` must hold at least one security group, got \[\]$"
    ):
        ExpressService(stack, "Service", source=public_source, vpc=vpc, security_groups=[])


def test_one_subnet_is_not_enough_for_the_load_balancer(stack: Stack, public_source: Source) -> None:
    vpc = _public_vpc(stack)
    with pytest.raises(
        ValueError,
        match=r"^`vpc_subnets` must select subnets in at least 2 availability zones \(the load balancer "
        r"needs them\), got 1 subnet$",
    ):
        ExpressService(
            stack,
            "Service",
            source=public_source,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=vpc.public_subnets[:1]),
        )


def test_without_a_vpc_there_are_no_connections(stack: Stack, public_source: Source) -> None:
    service = ExpressService(stack, "Service", source=public_source)
    with pytest.raises(ValueError, match=r"^Test/Service has no security group: create it with `vpc`"):
        service.connections  # noqa: B018


def test_stack_tags_do_not_change_the_service(public_source: Source) -> None:
    def service_properties(tag: bool) -> dict[str, Any]:
        stack = Stack(App(), "Test")
        ExpressService(stack, "Service", source=public_source)
        if tag:
            Tags.of(stack).add("team", "payments")
        return _properties(stack)

    untagged, tagged = service_properties(tag=False), service_properties(tag=True)
    assert "Tags" not in tagged
    assert tagged == untagged


def test_own_tags_and_name_are_rendered_when_asked(stack: Stack, public_source: Source) -> None:
    ExpressService(
        stack,
        "Service",
        source=public_source,
        service_name="web-api_2",
        tags={"team": "payments", "tier": "web"},
    )
    Tags.of(stack).add("ignored", "yes")
    Template.from_stack(stack).has_resource_properties(
        SERVICE,
        {
            "ServiceName": "web-api_2",
            "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "tier", "Value": "web"}],
        },
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", r"^`service_name` must not be empty, got ''$"),
        ("a" * 256, r"^`service_name` must be at most 255 characters long, got 256 characters$"),
        ("web api", r"^`service_name` must hold only letters, digits, '_' and '-', got 'web api'$"),
        ("wéb", r"^`service_name` must hold only letters, digits, '_' and '-', got 'wéb'$"),
    ],
)
def test_invalid_service_names(
    scratch: Stack, new_id: str, public_source: Source, name: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ExpressService(scratch, new_id, source=public_source, service_name=name)


@pytest.mark.parametrize("port", [0, 65536, 80.5])
def test_invalid_port(scratch: Stack, new_id: str, public_source: Source, port: Any) -> None:
    with pytest.raises(ValueError, match=rf"^`port` must be a whole number between 1 and 65535, got {port}$"):
        ExpressService(scratch, new_id, source=public_source, port=port)


def test_attributes_and_url_output(stack: Stack, public_source: Source) -> None:
    service = ExpressService(stack, "Service", source=public_source, output_url=True)
    template = Template.from_stack(stack)
    output = Capture()
    template.has_output("*", {"Value": output, "Description": "Public URL of the ECS Express Mode service"})
    resource = next(iter(template.find_resources(SERVICE)))
    assert output.as_object() == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [resource, "Endpoint"]}]]}
    assert stack.resolve(service.service_arn) == {"Fn::GetAtt": [resource, "ServiceArn"]}
