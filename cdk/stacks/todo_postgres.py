"""TodoPostgresStack: the todo API on App Runner or ECS Express Mode with Aurora PostgreSQL
Serverless v2.

The service reaches the cluster from its security group (App Runner's VPC connector, or
ECS Express Mode's tasks in the public subnets); the cluster lives in the VPC's isolated
subnets and admits PostgreSQL's port from that group only (the password-rotation functions
run in that group too). The VPC has no NAT gateway: nothing in its app subnets calls AWS
but the rotation functions, which reach Secrets Manager through an interface endpoint (on
ECS Express Mode the tasks fetch their secrets through it too: its private DNS name is
Secrets Manager's own).

The app connects as its own user, ``todo_app``, not the cluster's master user: it may
connect to ``tasks``, create tables in its ``public`` schema and use the tables there, and
nothing else. A custom resource creates the user at deploy time: its function runs outside
the VPC and speaks to the cluster through the RDS Data API (enabled on the cluster) as the
master user, and sends the user's password as a SCRAM verifier only. The app reads the
user's secret (``username``, ``password``, ``host``, ``port``, ``dbname``) as the
``DB_SECRET`` runtime secret.

Password rotation never invalidates the password a running instance holds: the user's
secret rotates every 30 days with Secrets Manager's alternating-users strategy. Its first
rotation creates ``todo_app_clone`` (a member of ``todo_app``, so it has the same rights;
the app's sessions as the clone act as ``todo_app``, so it owns nothing) and every
rotation then changes the password of the user *not* in use and makes that user current;
the previous one keeps working until the next rotation.
Chosen over IAM database authentication, which the cluster also enables: that would put an
AWS SDK call into the app (a token, valid 15 minutes, for each new connection), and Aurora
throttles IAM-authenticated connections at 200 new ones a second (Aurora User Guide, "IAM
database authentication", limitations), which the pools of up to 25 instances reconnecting
after a failover or a resume could reach.

The master user keeps its single-user rotation (30 days): nothing long-lived holds its
password any more (the user custom resource and the multi-user rotation function read it
when they run), so a rotation of it cannot break the service, and its password does not
stay the same forever.

After each successful rotation of the user's secret, its ``RotationSucceeded`` event starts
a new deployment of the service (``cdk.shared.redeploy``): the new instances or tasks read
the new credentials, well before the next rotation invalidates the old ones.

Deleting the stack, and what a retained cluster keeps: README, "Good to know before
deploying".

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
from cdk.shared.database_user import DatabaseUser
from cdk.shared.network import AppVpc
from cdk.shared.platform import Platform
from cdk.shared.redeploy import RedeployOnRotation
from constructs_lib import HealthCheck, Secret

APP = "todo_postgres"
DATABASE_NAME = "tasks"
ADMIN_USERNAME = "todo_admin"
#: The app's own user; multi-user rotation alternates it with ``todo_app_clone``.
APP_USERNAME = "todo_app"
#: Both secrets rotate this often.
ROTATION_INTERVAL = Duration.days(30)
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
        secret_removal = (
            RemovalPolicy.DESTROY if data_removal == RemovalPolicy.DESTROY else RemovalPolicy.RETAIN
        )
        secret.apply_removal_policy(secret_removal)
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
            vpc_subnets=self.vpc.data_subnets,
            security_groups=[database_group],
            port=POSTGRES_PORT,
            default_database_name=DATABASE_NAME,
            credentials=rds.Credentials.from_secret(secret),
            storage_encrypted=True,
            iam_authentication=True,
            # The app's user is created through it, by a function outside the VPC.
            enable_data_api=True,
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
        # masterarn in the secret: the multi-user rotation function creates the clone as the master.
        app_secret = rds.DatabaseSecret(
            self,
            "AppSecret",
            username=APP_USERNAME,
            dbname=DATABASE_NAME,
            master_secret=self.cluster.secret,
        )
        app_secret.apply_removal_policy(secret_removal)
        # Attached, so host and port are in it (and the service waits for the attachment).
        self.app_secret = app_secret.attach(self.cluster)
        self.app_user = DatabaseUser(
            self,
            "AppUser",
            cluster=self.cluster,
            user_secret=self.app_secret,
            username=APP_USERNAME,
            database=DATABASE_NAME,
        )
        self.service = app_service(
            self,
            app=APP,
            vpc=self.vpc,
            vpc_subnets=self.vpc.app_subnets,
            # The source app's check (README, "Where the apps come from"): its plain "OK" page.
            health_check=HealthCheck.http(
                path="/",
                interval=Duration.seconds(5),
                timeout=Duration.seconds(5),
                healthy_threshold=1,
                unhealthy_threshold=3,
            ),
            secrets={"DB_SECRET": Secret.from_secrets_manager(self.app_secret)},
        )
        # Its user must exist before an instance connects. (IService, a protocol, has no
        # node; both platforms' services are constructs.)
        if not isinstance(self.service, Construct):
            raise TypeError(f"app_service returned a {type(self.service).__name__}, not a construct")
        self.service.node.add_dependency(self.app_user)
        # The rotation functions share the service's security group, so the database admits
        # exactly one source: that group.
        # Not at once on creation: that first rotation would race the writer instance (not
        # yet up: the rotation fails) and the service (which may already hold the old password).
        rotation_group = self.service.connections.security_groups[0]
        # They run in the app subnets, which have no route out: they call Secrets Manager
        # through an interface endpoint (private DNS: its usual name resolves to it inside
        # the VPC), in both zones like the functions, $14.60 a month instead of a NAT
        # gateway's $36.50. Open to their group only (ECS Express Mode's tasks, in it too,
        # fetch their secrets through it as well).
        secrets_endpoint = self.vpc.add_interface_endpoint(
            "SecretsManager",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            subnets=self.vpc.app_subnets,
            open=False,
        )
        secrets_endpoint.connections.allow_default_port_from(
            rotation_group, "rotation functions and the service"
        )
        self.cluster.add_rotation_single_user(
            automatically_after=ROTATION_INTERVAL,
            rotate_immediately_on_update=False,
            vpc_subnets=self.vpc.app_subnets,
            security_group=rotation_group,
        )
        app_rotation = self.cluster.add_rotation_multi_user(
            "AppUserRotation",
            secret=self.app_secret,
            automatically_after=ROTATION_INTERVAL,
            rotate_immediately_on_update=False,
            vpc_subnets=self.vpc.app_subnets,
            security_group=rotation_group,
        )
        # The first rotation logs in as the user: it must exist.
        app_rotation.node.add_dependency(self.app_user)
        RedeployOnRotation(self, "RedeployOnRotation", secret=self.app_secret, service=self.service)
        # Same peer and port (the cluster's port attribute) as the rotation functions' rules,
        # so CDK renders a single ingress rule.
        self.cluster.connections.allow_default_port_from(
            self.service,
            "App Runner VPC connector" if platform is Platform.APP_RUNNER else "ECS Express Mode tasks",
        )
