"""``AutoScalingConfig``: an App Runner auto scaling configuration managed by a custom resource."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    CfnElement,
    CfnResource,
    CustomResource,
    Duration,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from constructs_lib._nag import printed_resource
from constructs_lib._validation import check_app_runner_region, check_name, check_range, check_type

_PROVIDER_ID = "AppRunnerAutoScalingConfigProvider"
_HANDLER_DIR = Path(__file__).parent / "handler"
_RESOURCE_TYPE = "Custom::AppRunnerAutoScalingConfiguration"
_LAMBDA_PRINCIPAL = "lambda.amazonaws.com"


def _logical_id(construct: Construct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return Stack.of(construct).get_logical_id(resource)


def _ignore_redundant_role_dependency(function: IConstruct) -> None:
    # lambda.Function always adds DependsOn on its role although Role already references it;
    # cfn-lint W3005 flags that CDK-generated redundancy.
    resource = function.node.default_child
    assert isinstance(resource, CfnResource)
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})


class _AutoScalingProvider(Construct):
    """The stack's one custom resource provider: a Python handler behind the CDK Provider framework.

    Both Lambdas get their own roles and log groups, so no AWS managed policy is attached.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.handler_role = iam.Role(
            self,
            "HandlerRole",
            assumed_by=iam.ServicePrincipal(_LAMBDA_PRINCIPAL),
            description="App Runner auto scaling configuration custom resource handler.",
        )
        handler_logs = logs.LogGroup(self, "HandlerLogs", retention=logs.RetentionDays.ONE_YEAR)
        handler_logs.grant_write(self.handler_role)
        handler = lambda_.Function(
            self,
            "Handler",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.on_event",
            code=lambda_.Code.from_asset(str(_HANDLER_DIR), exclude=["__pycache__", "*.pyc"]),
            role=self.handler_role,
            timeout=Duration.minutes(1),
            log_group=handler_logs,
            description="Creates and deletes App Runner auto scaling configurations.",
        )

        framework_role = iam.Role(
            self,
            "FrameworkRole",
            assumed_by=iam.ServicePrincipal(_LAMBDA_PRINCIPAL),
            description="CDK custom resource provider framework for App Runner auto scaling configurations.",
        )
        framework_logs = logs.LogGroup(self, "FrameworkLogs", retention=logs.RetentionDays.ONE_YEAR)
        framework_logs.grant_write(framework_role)
        provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=handler,
            framework_on_event_role=framework_role,
            log_group=framework_logs,
        )
        self.service_token = provider.service_token
        Validations.of(framework_role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{_logical_id(handler)}.Arn>:*]",
                reason="The provider framework may invoke only the one handler function; the ':*' "
                "suffix covers that function's versions and aliases.",
            )
        )
        for function in (handler, provider.node.find_child("framework-onEvent")):
            _ignore_redundant_role_dependency(function)

    @staticmethod
    def of(scope: Construct) -> _AutoScalingProvider:
        """The provider of ``scope``'s stack, created on first use."""
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(_PROVIDER_ID)
        if isinstance(existing, _AutoScalingProvider):
            return existing
        return _AutoScalingProvider(stack, _PROVIDER_ID)


class AutoScalingConfig(Construct):
    """An App Runner auto scaling configuration (pass it to ``AppRunnerService(auto_scaling_config=...)``).

    Backed by a Lambda custom resource (one provider per stack, however many configurations)
    rather than the native ``AWS::AppRunner::AutoScalingConfiguration``, whose deployments
    fail with "Failed to list tags" (aws/aws-cdk#34275): keep it that way until that is fixed.
    Changing ``min_size``, ``max_size`` or ``max_concurrency`` creates a new revision; changing
    ``name`` creates a new configuration under the new name (with its own handler policy next
    to the old one's). Either way CloudFormation deletes the old revision or configuration once
    the services moved to the new one. An update that asks for what the revision already is
    (a rollback's) keeps that revision.

    App Runner allows 10 configuration names and 5 revisions of each per account and region:
    stacks that each create their own reach the first quota with their eleventh name. Share
    one configuration (pass its ARN to the services) or use App Runner's default (pass none)
    where that matters.

    A ``name`` only known at deploy time (a token) keeps one handler policy, which a new name
    rescopes before the old configuration is deleted: that delete is then denied, and the old
    configuration is left for you to delete. For such a name the policy's ``AwsSolutions-IAM5``
    finding is acknowledged only if its ARN uses ``Ref``, ``Fn::GetAtt``, ``Fn::Join``,
    ``Fn::Sub`` or ``Fn::ImportValue`` (what cdk-nag prints by name); otherwise it is yours
    to acknowledge.
    """

    #: The longest ``name`` App Runner accepts.
    MAX_NAME_LENGTH: ClassVar[int] = 32
    #: The most instances ``max_size`` accepts (App Runner's default account quota).
    MAX_SIZE: ClassVar[int] = 25
    #: The most concurrent requests per instance ``max_concurrency`` accepts.
    MAX_CONCURRENCY: ClassVar[int] = 200

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        min_size: int = 1,
        max_size: int = 25,
        max_concurrency: int = 100,
    ) -> None:
        """
        :param name: 4-32 characters, ``[A-Za-z0-9][A-Za-z0-9-_]*``; unique per account and region.
            Changing it creates a new configuration (see the class docstring).
        :param min_size: instances always provisioned, 1-25. Default: 1.
        :param max_size: maximum instances, 1-25 and >= ``min_size``. Default: 25.
        :param max_concurrency: concurrent requests per instance before scaling out, 1-200. Default: 100.
        """
        super().__init__(scope, id)
        check_type("name", name, str, "a str", required=True)
        check_app_runner_region(Stack.of(self).region)
        check_name("name", name, 4, self.MAX_NAME_LENGTH)
        check_range("min_size", min_size, 1, self.MAX_SIZE)
        check_range("max_size", max_size, 1, self.MAX_SIZE)
        check_range("max_concurrency", max_concurrency, 1, self.MAX_CONCURRENCY)
        bounds_known = not (Token.is_unresolved(min_size) or Token.is_unresolved(max_size))
        if bounds_known and max_size < min_size:
            raise ValueError(f"`max_size` must be >= `min_size` ({min_size}), got {max_size}")

        provider = _AutoScalingProvider.of(self)
        stack = Stack.of(self)
        revisions = stack.format_arn(
            service="apprunner",
            resource="autoscalingconfiguration",
            resource_name=f"{name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        # This configuration's own permissions, so the handler may only touch configurations by this name.
        # A rename must create a new policy rather than rescope this one: CloudFormation deletes the
        # old configuration during cleanup, and only the old policy still allows that (and a rollback's
        # re-create). Cleanup deletes the old custom resource before the old policy it depends on.
        policy = iam.Policy(
            self,
            "HandlerPolicy" if Token.is_unresolved(name) else f"HandlerPolicy-{name}",
            roles=[provider.handler_role],
            statements=[
                iam.PolicyStatement(
                    actions=[
                        "apprunner:CreateAutoScalingConfiguration",
                        "apprunner:DeleteAutoScalingConfiguration",
                        # An Update first reads the revision it would replace (handler/index.py).
                        "apprunner:DescribeAutoScalingConfiguration",
                    ],
                    resources=[revisions],
                )
            ],
        )
        nag_resource = printed_resource(stack, revisions)
        if nag_resource is not None:
            Validations.of(policy).acknowledge(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::{nag_resource}]",
                    reason="App Runner appends a revision number and a random id to the configuration "
                    "ARN, so the wildcard only covers revisions of this one named configuration.",
                )
            )
        resource = CustomResource(
            self,
            "Resource",
            service_token=provider.service_token,
            resource_type=_RESOURCE_TYPE,
            properties={
                "AutoScalingConfigurationName": name,
                "MinSize": min_size,
                "MaxSize": max_size,
                "MaxConcurrency": max_concurrency,
            },
        )
        # The handler must not run before it may call App Runner.
        resource.node.add_dependency(policy)
        self.name = name
        #: ARN of the current revision.
        self.auto_scaling_configuration_arn: str = resource.get_att_string("Arn")
