"""``ExpressService``: an Amazon ECS Express Mode service (``AWS::ECS::ExpressGatewayService``).

ECS Express Mode runs a container image on Fargate behind an HTTPS Application Load
Balancer it creates and shares, with its own auto scaling. It is AWS's successor to App
Runner, which accepts no new customers since 30 April 2026.
"""

from __future__ import annotations

import enum
import shlex
import string
from collections.abc import Mapping, Sequence
from typing import ClassVar

import jsii
from aws_cdk import Acknowledgment, CfnOutput, Fn, Token, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_lib._iam import secrets_reader
from constructs_lib._network import check_placement, no_vpc, security_groups, select
from constructs_lib._props import check_role, check_secret, check_service_props
from constructs_lib._validation import (
    PORT_VARIABLE,
    check_command,
    check_mapping,
    check_range,
    check_text,
    check_type,
    check_variable_name,
)
from constructs_lib.health_check import HealthCheck
from constructs_lib.secret import Secret
from constructs_lib.sizing import Cpu, Memory, check_fargate_pair
from constructs_lib.source import Source, grant_pull

_TASK_PRINCIPAL = "ecs-tasks.amazonaws.com"
_INFRASTRUCTURE_PRINCIPAL = "ecs.amazonaws.com"
# AWS's managed policy for the role Express Mode creates the load balancer, security groups,
# certificate and scaling policy with: what it needs changes with the service, which AWS tracks.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
_INFRASTRUCTURE_POLICY = "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"
_DEFAULT_PORT = 8080
_DEFAULT_HEALTH_CHECK_PATH = "/"
_LOG_STREAM_PREFIX = "ecs"
# The ECS service name rule (CreateExpressGatewayService's serviceName).
_MAX_SERVICE_NAME = 255
_SERVICE_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_-")
# The application load balancer Express Mode puts in front needs subnets in two zones.
_MIN_SUBNETS = 2


class ScalingMetric(enum.Enum):
    """What an ``ExpressService`` scales on, each with its ``scaling_target`` unit."""

    #: Average CPU utilization of the tasks, in percent (1-100).
    AVERAGE_CPU = "AVERAGE_CPU"
    #: Average memory utilization of the tasks, in percent (1-100).
    AVERAGE_MEMORY = "AVERAGE_MEMORY"
    #: Requests per task per minute at the load balancer (ALB ``RequestCountPerTarget``).
    REQUEST_COUNT_PER_TARGET = "REQUEST_COUNT_PER_TARGET"


#: ``scaling_target`` when none is given: AWS's default for utilization metrics.
_DEFAULT_UTILIZATION_TARGET = 60
# Far above what one Fargate task serves (over 16,000 requests a second), well within the integer.
_MAX_REQUESTS_PER_MINUTE = 1_000_000


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class ExpressService(Construct):
    """An ECS Express Mode service: one container image on Fargate behind an HTTPS load balancer.

    Takes the same ``Source``, ``Cpu``, ``Memory``, ``HealthCheck`` and ``Secret`` values as
    ``AppRunnerService``: moving a service is changing the class name and the scaling props.
    Grants work on the service itself (``table.grant_read_write_data(service)``): they land
    on the task role, which the container runs as. With ``vpc`` the service is
    ``IConnectable`` (``database.connections.allow_default_port_from(service)`` opens exactly
    one rule, for the tasks' security group).

    Every size, health check path, port and scaling setting is rendered, so nothing depends
    on defaults the service's schema may change. Stack-level tags are not applied to the
    service (its tags can only be set when it is created: a new tag would replace it); set
    its own with ``tags``. Every prop is validated at synth time (unresolved tokens are
    skipped) with a ``ValueError`` naming prop and value.
    """

    #: The most tasks ``max_tasks`` accepts: ECS's default quota of tasks per service.
    MAX_TASKS: ClassVar[int] = 5000

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: Source,
        port: int | None = None,
        start_command: str | None = None,
        environment: Mapping[str, str] | None = None,
        secrets: Mapping[str, Secret] | None = None,
        cpu: Cpu | None = None,
        memory: Memory | None = None,
        health_check: HealthCheck | None = None,
        task_role: iam.IRole | None = None,
        execution_role: iam.IRole | None = None,
        infrastructure_role: iam.IRole | None = None,
        min_tasks: int = 1,
        max_tasks: int = 10,
        scaling_metric: ScalingMetric = ScalingMetric.AVERAGE_CPU,
        scaling_target: int | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        service_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        output_url: bool = False,
    ) -> None:
        """
        :param source: the image: ``Source.from_asset``, ``from_ecr`` or ``from_ecr_public``
            (``from_code_repository`` is App Runner's). Built for ``linux/amd64``, which the tasks run.
        :param port: port the container listens on, 1-65535; the service also sets the ``PORT``
            environment variable to it, as App Runner does. Default: 8080 (App Runner's).
        :param start_command: overrides the image's command (``CMD``): one non-empty line, split
            into arguments as a POSIX shell would (a token: on spaces). Default: the image's own.
        :param environment: plain environment variables. Default: none. ``PORT`` is set from ``port``.
        :param secrets: environment variables ECS resolves from Secrets Manager or SSM when a task
            starts; the execution role gets read on exactly each one, through the policy
            ``SecretsPolicy`` that the service is created after. Default: none.
        :param cpu: vCPUs per task, any Fargate size (0.25-16). Default: ``Cpu.ONE_VCPU``.
        :param memory: memory per task, which Fargate must offer with ``cpu``. Default: ``Memory.TWO_GB``.
        :param health_check: ``HealthCheck.http(path=...)`` with default timings: the load balancer
            checks the path, and Express Mode sets everything else. Default: ``HealthCheck.http(path="/")``.
        :param task_role: role the container runs as (``grant_principal``). Default: a new role for
            ``ecs-tasks.amazonaws.com`` with no permissions until granted.
        :param execution_role: role ECS starts the tasks with. Default: a new role for
            ``ecs-tasks.amazonaws.com`` that may pull exactly the image's repository, write to the
            service's log group and read the ``secrets``. A given role gets the same grants.
        :param infrastructure_role: role Express Mode creates the load balancer, security groups,
            certificate and scaling with. Default: a new role for ``ecs.amazonaws.com`` with AWS's
            managed policy for it. A given role is used as it is.
        :param min_tasks: tasks always running, 1-5000. Default: 1.
        :param max_tasks: most tasks scaling may run, ``min_tasks``-5000. Default: 10.
        :param scaling_metric: Default: ``ScalingMetric.AVERAGE_CPU``.
        :param scaling_target: the value of ``scaling_metric`` scaling keeps the tasks at: 1-100 (percent)
            for the utilization metrics, at least 1 (requests per task per minute) for
            ``REQUEST_COUNT_PER_TARGET``, which has no default. Default: 60 for the utilization metrics.
        :param vpc: VPC the tasks and the load balancer run in. Default: none (the account's default
            VPC, which not every account has: then the service cannot be created).
        :param vpc_subnets: subnets of the tasks and the load balancer (at least two zones). Public
            subnets give a public endpoint: an internet-facing load balancer, and tasks with public
            IP addresses that reach ECR, CloudWatch Logs and AWS APIs through the internet gateway,
            while their security group admits only the load balancer. Private subnets give a private
            endpoint (an internal load balancer, reachable from the VPC only), whose tasks need a NAT
            gateway or VPC endpoints (ECR, S3, CloudWatch Logs, and Secrets Manager or SSM for
            ``secrets``) to start. Only with ``vpc``. Default: the public subnets.
        :param security_groups: security groups of the tasks (Express Mode adds the rule that admits
            its load balancer). Only with ``vpc``. Default: one new group allowing all outbound
            traffic and no other inbound traffic.
        :param log_retention: how long the service's log group keeps the container's output.
            Default: one month.
        :param service_name: up to 255 letters, digits, ``_`` and ``-``; unique in the cluster.
            Changing it replaces the service. Default: generated.
        :param tags: tags of the service itself, set when it is created (changing them replaces it).
            Default: none, whatever tags its stack has.
        :param output_url: add a ``CfnOutput`` with ``service_url``. Default: False.
        """
        super().__init__(scope, id)
        check_service_props(
            source=source,
            start_command=start_command,
            environment=environment,
            secrets=secrets,
            cpu=cpu,
            memory=memory,
            health_check=health_check,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            output_url=output_url,
        )
        for prop, role in (("task_role", task_role), ("execution_role", execution_role),
                           ("infrastructure_role", infrastructure_role)):  # fmt: skip
            check_role(prop, role)
        check_type("log_retention", log_retention, logs.RetentionDays, "a logs.RetentionDays")
        check_type("service_name", service_name, str, "a str")
        check_mapping("tags", tags, str, "a str")
        check_placement(vpc, vpc_subnets=vpc_subnets, security_groups=security_groups)
        if service_name is not None:
            check_text(
                "service_name",
                service_name,
                maximum=_MAX_SERVICE_NAME,
                forbidden="".join(sorted(set(service_name) - _SERVICE_NAME_CHARACTERS)),
                rule="hold only letters, digits, '_' and '-'",
            )
        self._port = _DEFAULT_PORT if port is None else port
        check_range("port", self._port, 1, 65535)
        if start_command is not None:
            check_command("start_command", start_command)
        self._cpu = cpu or Cpu.ONE_VCPU
        self._memory = memory or Memory.TWO_GB
        check_fargate_pair(self._cpu, self._memory)
        health_check_path = (health_check or HealthCheck.http(path=_DEFAULT_HEALTH_CHECK_PATH))._path_only(
            "health_check"
        )
        scaling = _scaling_target(min_tasks, max_tasks, scaling_metric, scaling_target, self.MAX_TASKS)
        image = source.bind_image(self)
        self._image = image.identifier
        self._command = _arguments(start_command)
        self._environment: dict[str, str] = {}
        self._secrets: dict[str, Secret] = {}
        self._secrets_reader: iam.IGrantable | None = None

        self.task_role: iam.IRole = task_role or iam.Role(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal(_TASK_PRINCIPAL),
            description="Role the ECS Express Mode service's container runs as.",
        )
        self.execution_role: iam.IRole = execution_role or iam.Role(
            self,
            "ExecutionRole",
            assumed_by=iam.ServicePrincipal(_TASK_PRINCIPAL),
            description="Role ECS starts the Express Mode service's tasks with.",
        )
        self.infrastructure_role: iam.IRole = infrastructure_role or self._new_infrastructure_role()
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention)
        # What the awslogs driver calls; the group's ARN already ends in ":*" (its streams).
        logs_policy = iam.Policy(
            self,
            "LogsPolicy",
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                )
            ],
        )
        self.execution_role.attach_inline_policy(logs_policy)
        # ECS pulls the image and starts logging while the service is created: the execution
        # role needs these permissions by then, and nothing else orders them.
        start_policies: list[iam.Policy] = [logs_policy]
        if image.repository is not None:
            start_policies.append(grant_pull(self, image.repository, self.execution_role))

        self._resource = ecs.CfnExpressGatewayService(
            self,
            "Resource",
            infrastructure_role_arn=self.infrastructure_role.role_arn,
            execution_role_arn=self.execution_role.role_arn,
            task_role_arn=self.task_role.role_arn,
            service_name=service_name,
            cpu=self._cpu.units,
            memory=self._memory.mebibytes,
            health_check_path=health_check_path,
            scaling_target=scaling,
            primary_container=self._container_property(),
        )
        for policy in start_policies:
            self._resource.node.add_dependency(policy)
        # Tags can only be set when the service is created: a stack tag added later would replace it.
        if tags is None:
            self._resource.add_property_deletion_override("Tags")
        else:
            self._resource.add_property_override(
                "Tags", [{"Key": key, "Value": value} for key, value in tags.items()]
            )
        self._connections: ec2.Connections | None = None
        if vpc is not None:
            self._place(vpc, vpc_subnets, security_groups)
        for name, value in (environment or {}).items():
            self.add_environment_variable(name, value)
        for name, secret in (secrets or {}).items():
            self.add_secret(name, secret)

        self.service_arn: str = self._resource.attr_service_arn
        #: ``https://`` plus the domain Express Mode assigns (its ``Endpoint``).
        self.service_url: str = f"https://{self._resource.attr_endpoint}"
        if output_url:
            CfnOutput(
                self, "Url", value=self.service_url, description="Public URL of the ECS Express Mode service"
            )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The task role: what the service's container runs as."""
        return self.task_role.grant_principal

    @property
    def connections(self) -> ec2.Connections:
        """The tasks' security groups, as the source of the service's traffic; ``ValueError``
        for a service created without ``vpc``."""
        if self._connections is None:
            raise no_vpc(self)
        return self._connections

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        """Add ``statement`` to the task role's policy."""
        self.task_role.add_to_principal_policy(statement)

    def add_environment_variable(self, name: str, value: str) -> None:
        """Add a plain environment variable (visible in the template: never put secrets here)."""
        check_type("value", value, str, "a str")
        self._check_variable_name("name", name)
        self._environment[name] = value
        self._resource.primary_container = self._container_property()

    def add_secret(self, name: str, secret: Secret) -> None:
        """Add an environment variable ECS resolves from ``secret`` and grant read on exactly it.

        The grant goes to the execution role through the policy ``SecretsPolicy``, which the
        service is created after: ECS resolves the secrets when each task starts.
        """
        check_secret("secret", secret)
        self._check_variable_name("name", name)
        self._secrets[name] = secret
        if self._secrets_reader is None:
            self._secrets_reader = secrets_reader(self, self.execution_role, self._resource)
        secret.grant_read(self._secrets_reader)
        self._resource.primary_container = self._container_property()

    def _check_variable_name(self, prop: str, name: str) -> None:
        check_variable_name(
            prop,
            name,
            taken=self._environment.keys() | self._secrets.keys(),
            port_owner="ExpressService, which sets it to `port` as App Runner does",
        )

    def _new_infrastructure_role(self) -> iam.Role:
        role = iam.Role(
            self,
            "InfrastructureRole",
            assumed_by=iam.ServicePrincipal(_INFRASTRUCTURE_PRINCIPAL),
            description="Role ECS Express Mode manages the service's load balancer and scaling with.",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(_INFRASTRUCTURE_POLICY)],
        )
        Validations.of(role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{_INFRASTRUCTURE_POLICY}]",
                reason="AWS maintains this policy for exactly this role: what Express Mode needs to "
                "create and update the load balancer, certificate, security groups and scaling policy "
                "changes with the service, and only ECS can assume the role.",
            )
        )
        return role

    def _container_property(self) -> ecs.CfnExpressGatewayService.ExpressGatewayContainerProperty:
        prop = ecs.CfnExpressGatewayService
        environment = {PORT_VARIABLE: _rendered_port(self._port), **self._environment}
        return prop.ExpressGatewayContainerProperty(
            image=self._image,
            container_port=self._port,
            command=self._command,
            environment=[prop.KeyValuePairProperty(name=k, value=v) for k, v in environment.items()],
            secrets=[prop.SecretProperty(name=k, value_from=s.arn) for k, s in self._secrets.items()] or None,
            aws_logs_configuration=prop.ExpressGatewayServiceAwsLogsConfigurationProperty(
                log_group=self.log_group.log_group_name, log_stream_prefix=_LOG_STREAM_PREFIX
            ),
        )

    def _place(
        self,
        vpc: ec2.IVpc,
        selection: ec2.SubnetSelection | None,
        given_groups: Sequence[ec2.ISecurityGroup] | None,
    ) -> None:
        groups = security_groups(self, vpc, given_groups, "ECS Express Mode tasks of the service")
        subnets = select(vpc, selection or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
        if len(subnets.ids) < _MIN_SUBNETS:
            raise ValueError(
                f"`vpc_subnets` must select subnets in at least {_MIN_SUBNETS} availability zones (the "
                f"load balancer needs them), got {len(subnets.ids)} subnet"
            )
        self._resource.network_configuration = (
            ecs.CfnExpressGatewayService.ExpressGatewayServiceNetworkConfigurationProperty(
                subnets=subnets.ids, security_groups=[group.security_group_id for group in groups]
            )
        )
        # Express Mode tells public subnets from private ones by their routes when the service is
        # created, and decides then whether the endpoint is public: the routes must exist by then.
        self._resource.node.add_dependency(subnets.internet_connectivity_established)
        self._connections = ec2.Connections(security_groups=groups)


def _arguments(command: str | None) -> list[str] | None:
    """``command`` as the container's arguments: split as a POSIX shell would (a token: on spaces)."""
    if command is None:
        return None
    return Token.as_list(Fn.split(" ", command)) if Token.is_unresolved(command) else shlex.split(command)


def _rendered_port(port: int) -> str:
    # int(): a whole float such as 8080.0 passes check_range but must render as "8080".
    return Token.as_string(port) if Token.is_unresolved(port) else str(int(port))


def _scaling_target(
    min_tasks: int, max_tasks: int, metric: ScalingMetric, target: int | None, most: int
) -> ecs.CfnExpressGatewayService.ExpressGatewayScalingTargetProperty:
    check_range("min_tasks", min_tasks, 1, most)
    check_range("max_tasks", max_tasks, 1, most)
    if not (Token.is_unresolved(min_tasks) or Token.is_unresolved(max_tasks)) and max_tasks < min_tasks:
        raise ValueError(f"`max_tasks` must be >= `min_tasks` ({min_tasks}), got {max_tasks}")
    if not isinstance(metric, ScalingMetric):
        raise TypeError(f"`scaling_metric` must be a ScalingMetric, got {metric!r}")
    if metric is ScalingMetric.REQUEST_COUNT_PER_TARGET:
        if target is None:
            raise ValueError(
                "`scaling_target` is required with ScalingMetric.REQUEST_COUNT_PER_TARGET (requests per "
                "task per minute), got None"
            )
        check_range("scaling_target", target, 1, _MAX_REQUESTS_PER_MINUTE, "requests per task per minute")
    else:
        target = _DEFAULT_UTILIZATION_TARGET if target is None else target
        check_range("scaling_target", target, 1, 100, "percent")
    return ecs.CfnExpressGatewayService.ExpressGatewayScalingTargetProperty(
        min_task_count=min_tasks,
        max_task_count=max_tasks,
        auto_scaling_metric=metric.value,
        auto_scaling_target_value=target,
    )
