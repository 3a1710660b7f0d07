"""Source factories: image identifiers, access roles and code repository configuration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, IgnoreMode, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Capture, Match, Template

from constructs_lib import AppRunnerService, ConfigurationSource, Runtime, Secret, Source
from tests.support.gates import nag_findings

CONNECTION = "arn:aws:apprunner:us-east-1:123456789012:connection/github/0123456789abcdef"
ACCESS_ROLE_TRUST = {
    "AssumeRolePolicyDocument": {
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "build.apprunner.amazonaws.com"},
            }
        ]
    }
}
#: Pull, and DescribeImages: App Runner's automatic deployments never fire without it
#: (aws/aws-cdk#26640).
PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
]


def _pull_policy(repository_arn: object) -> dict[str, object]:
    return {
        "PolicyDocument": {
            "Statement": [
                {"Action": PULL_ACTIONS, "Effect": "Allow", "Resource": repository_arn},
                {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
            ]
        },
        "Roles": [{"Ref": Match.string_like_regexp("AccessRole")}],
    }


def test_asset_builds_the_dockerfile_with_an_access_role(stack: Stack, asset_directory: str) -> None:
    source = Source.from_asset(
        asset_directory,
        build_args={"APP": "demo"},
        exclude=["*", "!Dockerfile"],
        ignore_mode=IgnoreMode.DOCKER,
    )
    service = AppRunnerService(stack, "Service", source=source)
    template = Template.from_stack(stack)
    image = Capture()
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "AuthenticationConfiguration": {
                    "AccessRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("AccessRole"), "Arn"]}
                },
                "ImageRepository": {
                    "ImageIdentifier": image,
                    "ImageRepositoryType": "ECR",
                    "ImageConfiguration": Match.absent(),
                },
                "AutoDeploymentsEnabled": Match.absent(),
            }
        },
    )
    assert "container-assets" in str(image.as_object())
    template.has_resource_properties("AWS::IAM::Role", ACCESS_ROLE_TRUST)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        _pull_policy({"Fn::Join": ["", Match.array_with([Match.string_like_regexp(":repository/$")])]}),
    )
    assert service.access_role is not None
    assert isinstance(service.node.find_child("ImageAsset"), ecr_assets.DockerImageAsset)


def test_asset_defaults_to_linux_amd64(stack: Stack, asset_directory: str) -> None:
    AppRunnerService(stack, "Service", source=Source.from_asset(asset_directory, file="Dockerfile"))
    app = stack.node.root
    assert isinstance(app, App)
    manifest = Path(app.synth().directory) / "Test.assets.json"
    assert '"platform": "linux/amd64"' in manifest.read_text(encoding="utf-8")


def test_ecr_pulls_exactly_that_repository(stack: Stack) -> None:
    repository = ecr.Repository(stack, "Repo")
    AppRunnerService(stack, "Service", source=Source.from_ecr(repository, "v1.2"))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "AuthenticationConfiguration": {"AccessRoleArn": Match.any_value()},
                "ImageRepository": {
                    "ImageIdentifier": {
                        "Fn::Join": [
                            "",
                            Match.array_with([{"Ref": Match.string_like_regexp("Repo")}, ":v1.2"]),
                        ]
                    },
                    "ImageRepositoryType": "ECR",
                },
            }
        },
    )
    template.has_resource_properties("AWS::IAM::Role", ACCESS_ROLE_TRUST)
    template.has_resource_properties(
        "AWS::IAM::Policy", _pull_policy({"Fn::GetAtt": [Match.string_like_regexp("Repo"), "Arn"]})
    )


@pytest.mark.parametrize("given_role", [False, True], ids=["own role", "given role"])
def test_the_service_is_created_after_its_pull_permissions(stack: Stack, given_role: bool) -> None:
    trust = iam.ServicePrincipal("build.apprunner.amazonaws.com")
    role = iam.Role(stack, "Mine", assumed_by=trust) if given_role else None
    AppRunnerService(
        stack, "Service", source=Source.from_ecr(ecr.Repository(stack, "Repo"), access_role=role)
    )
    template = Template.from_stack(stack)
    pull_statements = {"PolicyDocument": _pull_policy(Match.any_value())["PolicyDocument"]}
    [pull_policy] = template.find_resources("AWS::IAM::Policy", {"Properties": pull_statements})
    template.has_resource("AWS::AppRunner::Service", {"DependsOn": Match.array_with([pull_policy])})


def test_the_pull_acknowledgement_leaves_a_given_roles_own_findings(stack: Stack) -> None:
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("build.apprunner.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    repository = ecr.Repository(stack, "Repo", image_scan_on_push=True)
    service = AppRunnerService(stack, "Service", source=Source.from_ecr(repository, access_role=role))
    assert service.access_role is role
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            **_pull_policy({"Fn::GetAtt": [Match.string_like_regexp("Repo"), "Arn"]}),
            "Roles": [{"Ref": Match.string_like_regexp("Mine")}],
        },
    )
    # The caller's own Resource::* statement is still reported; the library's pull policy is not.
    findings = [finding.split(": ", 1)[0] for finding in nag_findings(stack)]
    assert findings == ["AwsSolutions-IAM5[Resource::*] @ Test/Mine/DefaultPolicy/Resource"]


def test_ecr_digest_uses_the_at_form(stack: Stack) -> None:
    repository = ecr.Repository(stack, "Repo")
    digest = "sha256:" + "a" * 64
    AppRunnerService(stack, "Service", source=Source.from_ecr(repository, digest))
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "ImageRepository": Match.object_like(
                    {"ImageIdentifier": {"Fn::Join": ["", Match.array_with([f"@{digest}"])]}}
                )
            }
        },
    )


def test_ecr_rejects_empty_tag(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"`tag_or_digest` must be a non-empty tag or digest, got ''"):
        Source.from_ecr(ecr.Repository(stack, "Repo"), "")


def test_ecr_public_needs_no_access_role(stack: Stack) -> None:
    service = AppRunnerService(stack, "Service", source=Source.from_ecr_public("public.ecr.aws/team/app:1"))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "AuthenticationConfiguration": Match.absent(),
                "ImageRepository": {
                    "ImageIdentifier": "public.ecr.aws/team/app:1",
                    "ImageRepositoryType": "ECR_PUBLIC",
                },
            }
        },
    )
    template.resource_count_is("AWS::IAM::Role", 1)  # the instance role only
    assert service.access_role is None


@pytest.mark.parametrize(
    "image", ["nginx:latest", "public.ecr.aws/app", "123456789012.dkr.ecr.us-east-1.amazonaws.com/a"]
)
def test_ecr_public_rejects_other_registries(image: str) -> None:
    with pytest.raises(
        ValueError, match=rf"`image_identifier` must look like public.ecr.aws/.*, got '{image}'"
    ):
        Source.from_ecr_public(image)


def test_ecr_public_rejects_a_trailing_newline() -> None:
    with pytest.raises(
        ValueError, match=r"`image_identifier` must look like public.ecr.aws/.*, got '.*:1\\n'$"
    ):
        Source.from_ecr_public("public.ecr.aws/team/app:1\n")


def test_ecr_public_cannot_auto_deploy(scratch: Stack, new_id: str) -> None:
    with pytest.raises(
        ValueError, match=r"`auto_deployments_enabled` must not be True for an ECR Public source"
    ):
        AppRunnerService(
            scratch,
            new_id,
            source=Source.from_ecr_public("public.ecr.aws/a/b"),
            auto_deployments_enabled=True,
        )


def test_code_repository_with_api_configuration(stack: Stack) -> None:
    source = Source.from_code_repository(
        "https://github.com/owner/repo",
        "main",
        CONNECTION,
        runtime=Runtime.PYTHON_311,
        build_command="pip install -r requirements.txt",
        start_command="gunicorn app:app",
        source_directory="/service",
    )
    service = AppRunnerService(
        stack,
        "Service",
        source=source,
        port=8000,
        environment={"MODE": "prod"},
        auto_deployments_enabled=False,
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "AutoDeploymentsEnabled": False,
                "AuthenticationConfiguration": {"ConnectionArn": CONNECTION, "AccessRoleArn": Match.absent()},
                "ImageRepository": Match.absent(),
                "CodeRepository": {
                    "RepositoryUrl": "https://github.com/owner/repo",
                    "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                    "SourceDirectory": "/service",
                    "CodeConfiguration": {
                        "ConfigurationSource": "API",
                        "CodeConfigurationValues": {
                            "Runtime": "PYTHON_311",
                            "BuildCommand": "pip install -r requirements.txt",
                            "StartCommand": "gunicorn app:app",
                            "Port": "8000",
                            "RuntimeEnvironmentVariables": [{"Name": "MODE", "Value": "prod"}],
                            "RuntimeEnvironmentSecrets": Match.absent(),
                        },
                    },
                },
            }
        },
    )
    assert service.access_role is None


def test_code_repository_with_repository_configuration(stack: Stack) -> None:
    source = Source.from_code_repository(
        "https://github.com/owner/repo",
        "main",
        CONNECTION,
        configuration_source=ConfigurationSource.REPOSITORY,
    )
    AppRunnerService(stack, "Service", source=source)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": {
                "CodeRepository": Match.object_like(
                    {
                        "CodeConfiguration": {
                            "ConfigurationSource": "REPOSITORY",
                            "CodeConfigurationValues": Match.absent(),
                        }
                    }
                )
            }
        },
    )


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"runtime": Runtime.PYTHON_311}, "runtime"),
        ({"build_command": "make"}, "build_command"),
        ({"start_command": "python app.py", "runtime": Runtime.NODEJS_22}, "runtime, start_command"),
    ],
)
def test_repository_configuration_rejects_configuration_values(values: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=rf"configuration values must not be given, got {named}$"):
        Source.from_code_repository(
            "https://github.com/o/r",
            "main",
            CONNECTION,
            configuration_source=ConfigurationSource.REPOSITORY,
            **values,
        )


@pytest.mark.parametrize(
    ("prop", "kwargs"),
    [("port", {"port": 8000}), ("name", {"environment": {"A": "b"}})],
)
def test_repository_configuration_rejects_service_values(
    scratch: Stack, new_id: str, prop: str, kwargs: dict[str, Any]
) -> None:
    source = Source.from_code_repository(
        "https://github.com/o/r", "main", CONNECTION, configuration_source=ConfigurationSource.REPOSITORY
    )
    with pytest.raises(ValueError, match=rf"`{prop}` is ignored with `configuration_source` REPOSITORY"):
        AppRunnerService(scratch, new_id, source=source, **kwargs)


def test_api_configuration_requires_a_runtime() -> None:
    with pytest.raises(ValueError, match=r"`runtime` is required with `configuration_source` API, got None"):
        Source.from_code_repository("https://github.com/o/r", "main", CONNECTION)


@pytest.mark.parametrize("prop", ["repository_url", "branch", "connection_arn"])
def test_code_repository_rejects_empty_values(prop: str) -> None:
    values: dict[str, Any] = {
        "repository_url": "https://github.com/o/r",
        "branch": "main",
        "connection_arn": CONNECTION,
        prop: "",
    }
    with pytest.raises(ValueError, match=rf"`{prop}` must not be empty, got ''"):
        Source.from_code_repository(**values, runtime=Runtime.PYTHON_311)


@pytest.mark.parametrize("prop", ["build_command", "start_command"])
@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("", "must not be empty"),
        ("pip install .\npython -m app", r"must be a single line \(no CR or LF\)"),
        ("gunicorn app:app\r", r"must be a single line \(no CR or LF\)"),
        ("\n", r"must be a single line \(no CR or LF\)"),
    ],
)
def test_code_repository_rejects_commands_app_runner_rejects(prop: str, command: str, problem: str) -> None:
    # App Runner's BuildCommand and StartCommand pattern is [^\x0a\x0d]+.
    commands: dict[str, Any] = {prop: command}
    with pytest.raises(ValueError, match=rf"`{prop}` {problem}, got {re.escape(repr(command))}$"):
        Source.from_code_repository(
            "https://github.com/o/r",
            "main",
            CONNECTION,
            runtime=Runtime.PYTHON_311,
            **commands,
        )


@pytest.mark.parametrize(
    ("directory", "problem"),
    [
        ("", "must not be empty, got ''"),
        ("app\x00", r"must not contain a NUL character, got 'app\\x00'"),
        ("a" * 4097, "must be at most 4096 characters long, got 4097 characters"),
    ],
)
def test_code_repository_rejects_source_directories_app_runner_rejects(directory: str, problem: str) -> None:
    # App Runner's SourceDirectory: 1 to 4096 characters matching [^\x00]+.
    with pytest.raises(ValueError, match=rf"`source_directory` {problem}$"):
        Source.from_code_repository(
            "https://github.com/o/r", "main", CONNECTION, runtime=Runtime.GO_1, source_directory=directory
        )


def test_code_repository_accepts_the_longest_source_directory_and_any_one_line_command(stack: Stack) -> None:
    build = 'npm ci && npm run build -- --mode="prod"\t# tabs and quotes are fine'
    source = Source.from_code_repository(
        "https://github.com/o/r",
        "main",
        CONNECTION,
        runtime=Runtime.NODEJS_22,
        build_command=build,
        start_command=" ",
        source_directory="a" * 4096,
    )
    AppRunnerService(stack, "Service", source=source)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": Match.object_like(
                {
                    "CodeRepository": Match.object_like(
                        {
                            "SourceDirectory": "a" * 4096,
                            "CodeConfiguration": Match.object_like(
                                {
                                    "CodeConfigurationValues": Match.object_like(
                                        {
                                            "BuildCommand": build,
                                            "StartCommand": " ",
                                        }
                                    )
                                }
                            ),
                        }
                    )
                }
            )
        },
    )


def test_code_repository_does_not_check_unresolved_commands_and_directory(stack: Stack) -> None:
    unresolved = Token.as_string({"Ref": "Value"})
    source = Source.from_code_repository(
        "https://github.com/o/r",
        "main",
        CONNECTION,
        runtime=Runtime.PYTHON_311,
        build_command=unresolved,
        start_command=f"python {unresolved}",
        source_directory=unresolved,
    )
    code = source.bind(stack).code
    assert code is not None
    assert (code.build_command, code.start_command, code.source_directory) == (
        unresolved,
        f"python {unresolved}",
        unresolved,
    )


def test_code_start_command_belongs_to_the_source(scratch: Stack, new_id: str) -> None:
    source = Source.from_code_repository("https://github.com/o/r", "main", CONNECTION, runtime=Runtime.GO_1)
    with pytest.raises(ValueError, match=r"`start_command` applies to image sources.*got 'run'"):
        AppRunnerService(scratch, new_id, source=source, start_command="run")


@pytest.mark.parametrize("name", ["python311", "PYTHON 3", "", "PYTHON_311\n"])
def test_runtime_of_rejects_malformed_names(name: str) -> None:
    message = "`runtime` must be an App Runner runtime name such as PYTHON_311, got "
    with pytest.raises(ValueError, match=rf"{message}{re.escape(repr(name))}$"):
        Runtime.of(name)


def test_runtime_of_accepts_newer_runtimes() -> None:
    assert Runtime.of("PYTHON_313").name == "PYTHON_313"


def test_code_repository_secrets_are_code_configuration_values(stack: Stack) -> None:
    parameter = ssm.StringParameter(stack, "Param", string_value="on")
    source = Source.from_code_repository(
        "https://github.com/o/r", "main", CONNECTION, runtime=Runtime.NODEJS_22
    )
    AppRunnerService(stack, "Service", source=source, secrets={"FLAG": Secret.from_ssm_parameter(parameter)})
    template = Template.from_stack(stack)
    parameter_arn = Capture()
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": Match.object_like(
                {
                    "CodeRepository": Match.object_like(
                        {
                            "CodeConfiguration": {
                                "ConfigurationSource": "API",
                                "CodeConfigurationValues": {
                                    "Runtime": "NODEJS_22",
                                    "RuntimeEnvironmentSecrets": [{"Name": "FLAG", "Value": parameter_arn}],
                                },
                            }
                        }
                    )
                }
            )
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": Match.array_with(["ssm:GetParameters"]),
                        "Effect": "Allow",
                        "Resource": parameter_arn.as_object(),
                    }
                ]
            },
            "Roles": [{"Ref": Match.string_like_regexp("ServiceInstanceRole")}],
        },
    )
