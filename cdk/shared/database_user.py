"""``DatabaseUser``: an app's own PostgreSQL role in an Aurora cluster, made at deploy time.

A custom resource whose function runs outside the VPC and reaches the cluster through the
RDS Data API (the cluster needs ``enable_data_api=True``), as the cluster's master user.
It reads the user's password from the user's own secret and sends PostgreSQL only its
SCRAM-SHA-256 verifier: no password is in the template or in a statement. See
``database_user_handler/index.py`` for what Create, Update and Delete do.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CustomResource, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.shared.database_user_handler.index import IDENTIFIER
from cdk.shared.lint import ignore_redundant_role_dependency

_HANDLER_DIR = Path(__file__).parent / "database_user_handler"
RESOURCE_TYPE = "Custom::PostgresUser"


class DatabaseUser(Construct):
    """The PostgreSQL role ``username`` of ``user_secret``, with the todo app's rights on ``database``.

    :param cluster: an Aurora PostgreSQL cluster with the Data API enabled and a master secret.
    :param user_secret: the user's secret (``username``, ``password``), e.g. a ``DatabaseSecret``
        made with ``master_secret=cluster.secret``.
    :param username: the role's name, ``[a-z_][a-z0-9_]*`` (at most 63 characters): the
        secret's ``username``. Changing it makes a new role and drops the old one (or, if it
        owns tables, takes its ``LOGIN`` away).
    :param database: the database the role may use, same characters.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster: rds.DatabaseCluster,
        user_secret: secretsmanager.ISecret,
        username: str,
        database: str,
    ) -> None:
        super().__init__(scope, id)
        for prop, value in (("username", username), ("database", database)):
            if not IDENTIFIER.fullmatch(value):
                raise ValueError(f"DatabaseUser `{prop}` must match {IDENTIFIER.pattern}, got {value!r}")
        if cluster.secret is None:
            raise ValueError("DatabaseUser `cluster` needs a master secret: the Data API runs as its user")
        role = iam.Role(
            self,
            "HandlerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Creates the app's PostgreSQL user through the RDS Data API.",
        )
        handler_logs = logs.LogGroup(self, "HandlerLogs", retention=logs.RetentionDays.ONE_YEAR)
        handler_logs.grant_write(role)
        # Only ExecuteStatement (grant_data_api_access would add the transaction actions), and
        # reading the master secret, which the Data API fetches with the caller's permissions.
        role.add_to_policy(
            iam.PolicyStatement(actions=["rds-data:ExecuteStatement"], resources=[cluster.cluster_arn])
        )
        cluster.secret.grant_read(role)
        user_secret.grant_read(role)
        handler = lambda_.Function(
            self,
            "Handler",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.on_event",
            code=lambda_.Code.from_asset(str(_HANDLER_DIR), exclude=["__pycache__", "*.pyc"]),
            role=role,
            # Lambda's longest: up to 3 minutes for a paused cluster to resume, then up to ten
            # statements of at most 45 s each (the handler stops starting statements in time
            # to answer CloudFormation before this runs out).
            timeout=Duration.minutes(15),
            log_group=handler_logs,
            description="Creates the app's PostgreSQL user through the RDS Data API (no VPC).",
        )
        ignore_redundant_role_dependency(handler)
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=handler.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={
                "ClusterArn": cluster.cluster_arn,
                "AdminSecretArn": cluster.secret.secret_arn,
                "UserSecretArn": user_secret.secret_arn,
                "Database": database,
                "RoleName": username,
            },
        )
        # The handler may call the Data API, and the writer instance is up, before it runs
        # (the cluster itself is already referenced).
        writers = [child for child in cluster.node.find_all() if isinstance(child, rds.CfnDBInstance)]
        self.resource.node.add_dependency(role, *writers)
