"""TodoPostgresStack: the todo API on App Runner or ECS Express Mode with Aurora PostgreSQL
Serverless v2.

The service reaches the cluster from its security group (App Runner's VPC connector, or
ECS Express Mode's tasks in the public subnets); the cluster lives in the VPC's isolated
subnets and admits PostgreSQL's port from that group only (the password-rotation function
runs in that group too). The app reads the database secret's JSON from the ``DB_SECRET``
runtime secret.

Password rotation: the platform resolves ``DB_SECRET`` when an instance or task starts,
so after a rotation running ones keep the old password. Their open connections keep
working, but a new connection (pool growth, reconnect after a failover) fails until the
service is redeployed and reads the new password.

Deleting the stack: with ``todo_postgres:deletion_protection`` on (the default), the
cluster refuses, after CloudFormation has deleted its writer instance; deploy with it off
first. A retained cluster keeps its subnet group, writer and security group.

Context: ``todo_postgres:min_acu`` / ``todo_postgres:max_acu`` (Aurora capacity units
in steps of 0.5; min 0 lets the cluster auto-pause when idle), ``todo_postgres:deletion_protection``,
``todo_postgres:removal_policy`` (retain, destroy or snapshot) and the service keys of
``cdk.shared.app_service``.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from constructs import Construct

from cdk.context import Context
from cdk.shared.app_service import app_service
from cdk.shared.app_stack import AppStack
from cdk.shared.data import removal_policy
from cdk.shared.network import APP_SUBNETS, DATA_SUBNETS, AppVpc
from cdk.shared.platform import Platform
from constructs_lib import HealthCheck, Secret

APP = "todo_postgres"
DATABASE_NAME = "tasks"
ADMIN_USERNAME = "todo_admin"
POSTGRES_PORT = 5432
#: Aurora Serverless v2 range in ACUs (0 = auto-pause).
MAX_ACU = 256


class TodoPostgresStack(AppStack):
    app_package = APP

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        context = Context(self.node)
        platform = Platform.of(context, APP)
        self.template_options.description = f"todo API ({platform.label} + Aurora PostgreSQL Serverless v2)"
        deletion_protection = context.boolean(f"{APP}:deletion_protection")
        data_removal = removal_policy(context, APP, allow_snapshot=True)
        self.vpc = AppVpc(self)
        # dbname in the secret itself: Secrets Manager's attachment adds host and port but
        # not the database, and the app would fall back to "postgres".
        secret = rds.DatabaseSecret(self, "Secret", username=ADMIN_USERNAME, dbname=DATABASE_NAME)
        # A kept cluster or snapshot is only usable with its password.
        secret.apply_removal_policy(
            RemovalPolicy.DESTROY if data_removal == RemovalPolicy.DESTROY else RemovalPolicy.RETAIN
        )
        # Clients connect in; the database itself never opens a connection out.
        database_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=self.vpc,
            description="Aurora PostgreSQL cluster: admits its clients only",
            allow_all_outbound=False,
        )
        if data_removal == RemovalPolicy.RETAIN:
            # aws-cdk-lib retains the subnet group and writer with the cluster, not this group.
            database_group.apply_removal_policy(RemovalPolicy.RETAIN)
        self.cluster = rds.DatabaseCluster(
            self,
            "Database",
            engine=rds.DatabaseClusterEngine.aurora_postgres(
                version=rds.AuroraPostgresEngineVersion.VER_17_9
            ),
            writer=rds.ClusterInstance.serverless_v2("Writer"),
            # Half units (0.5, 1.5...) are valid; aws-cdk-lib checks the 0.5 steps and min <= max.
            serverless_v2_min_capacity=context.number(f"{APP}:min_acu", minimum=0, maximum=MAX_ACU),
            serverless_v2_max_capacity=context.number(f"{APP}:max_acu", minimum=1, maximum=MAX_ACU),
            vpc=self.vpc,
            vpc_subnets=DATA_SUBNETS,
            security_groups=[database_group],
            port=POSTGRES_PORT,
            default_database_name=DATABASE_NAME,
            credentials=rds.Credentials.from_secret(secret),
            storage_encrypted=True,
            iam_authentication=True,
            cloudwatch_logs_exports=["postgresql"],
            deletion_protection=deletion_protection,
            removal_policy=data_removal,
        )
        Validations.of(self.cluster).acknowledge(
            Acknowledgment(
                id="AwsSolutions-RDS11",
                reason=(
                    "The cluster keeps PostgreSQL's default port 5432: it sits in isolated subnets "
                    "and admits only the service's security group (shared by the rotation function), "
                    "so a non-default port would add no protection."
                ),
            )
        )
        if not deletion_protection:
            Validations.of(self.cluster).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-RDS10",
                    reason=(
                        "Deletion protection was turned off on purpose with the context key "
                        "todo_postgres:deletion_protection=false (a throwaway demo deployment)."
                    ),
                )
            )
        if self.cluster.secret is None:  # always set: credentials come from `secret`
            raise RuntimeError("the cluster has no attached secret")
        # The attached secret (host and port filled in), so the service waits for the attachment.
        self.service = app_service(
            self,
            app=APP,
            vpc=self.vpc,
            # The article's check, on the app's plain "OK" page.
            health_check=HealthCheck.http(
                path="/",
                interval=Duration.seconds(5),
                timeout=Duration.seconds(5),
                healthy_threshold=1,
                unhealthy_threshold=3,
            ),
            secrets={"DB_SECRET": Secret.from_secrets_manager(self.cluster.secret)},
        )
        # The rotation function calls Secrets Manager through the NAT gateway. It shares the
        # service's security group, so the database admits exactly one source: that group.
        # Not at once on creation: that first rotation would race the writer instance (not
        # yet up: the rotation fails) and the service (which may already hold the old password).
        self.cluster.add_rotation_single_user(
            automatically_after=Duration.days(30),
            rotate_immediately_on_update=False,
            vpc_subnets=APP_SUBNETS,
            security_group=self.service.connections.security_groups[0],
        )
        # Same peer and port (the cluster's port attribute) as the rotation function's rule,
        # so CDK renders a single ingress rule.
        self.cluster.connections.allow_default_port_from(
            self.service,
            "App Runner VPC connector" if platform is Platform.APP_RUNNER else "ECS Express Mode tasks",
        )
