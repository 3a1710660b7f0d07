"""UsersRedisStack: the users API on App Runner or ECS Express Mode with a MemoryDB (Valkey)
cluster in a VPC.

A VPC over two AZs, a one-shard cluster with one replica (primary and replica in
different AZs), TLS, an ACL user with a password, and the service reaching the cluster
from a security group that is the only one admitted on the cluster's port (App Runner's
VPC connector, or ECS Express Mode's tasks in the public subnets). The password is
generated in Secrets Manager: MemoryDB reads it through a dynamic reference and the
platform injects it as a runtime secret, so it appears in neither the template nor the
service's plain variables.

Context: ``users_redis:node_type``, ``users_redis:removal_policy`` and the service keys
of ``cdk.shared.app_service``.
"""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import Acknowledgment, CfnResource, Duration, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_memorydb as memorydb
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.context import Context
from cdk.shared.app_service import app_service
from cdk.shared.app_stack import AppStack
from cdk.shared.data import removal_policy
from cdk.shared.names import bounded_name
from cdk.shared.network import AppVpc
from cdk.shared.platform import Platform
from constructs_lib import HealthCheck, Secret

APP = "users_redis"
PORT = 6379
ENGINE = "valkey"
ENGINE_VERSION = "7.3"
NUM_SHARDS = 1
REPLICAS_PER_SHARD = 1
#: Full access (every key, channel and command) for the app's one user.
ACCESS_STRING = "on ~* &* +@all"
PASSWORD_LENGTH = 64
#: MemoryDB forbids `,` `"` `/` `@` in passwords; space, `'` and `\` are excluded so the
#: value is safe to paste into a shell or a redis:// URL when debugging.
PASSWORD_EXCLUDED_CHARACTERS = " ,\"/@'\\"
#: MemoryDB cluster, ACL, user and subnet group names: at most 40 characters.
MAX_NAME_LENGTH = 40


def memorydb_name(stack_name: str, suffix: str = "") -> str:
    """A MemoryDB name from the stack name, so prefixed copies of the stack coexist:
    lowercase letters, digits and single hyphens, starting with a letter, and at most
    ``MAX_NAME_LENGTH`` long (a long stack name is cut and given a hash of itself)."""
    base = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", stack_name.lower())).strip("-")
    return f"{bounded_name(base, MAX_NAME_LENGTH - len(suffix))}{suffix}"


class UsersRedisStack(AppStack):
    app_package = APP

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        context = Context(self.node)
        platform = Platform.of(context, APP)
        self.template_options.description = f"users API ({platform.label} + MemoryDB for Valkey)"
        policy = removal_policy(context, APP)
        # The app calls no AWS API, only the cluster: no NAT gateway (see AppVpc).
        self.vpc = AppVpc(self)

        self.password = secretsmanager.Secret(
            self,
            "Password",
            description=f"Password of the MemoryDB user {memorydb_name(self.stack_name, '-app')}",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=PASSWORD_LENGTH,
                exclude_characters=PASSWORD_EXCLUDED_CHARACTERS,
            ),
            removal_policy=policy,
        )
        Validations.of(self.password).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason=(
                    "Secrets Manager has no built-in rotation for MemoryDB user passwords: rotating "
                    "needs a custom Lambda that updates the user, and the service only reads runtime "
                    "secrets when an instance or task starts, so a rotation would also need a redeploy."
                ),
            )
        )
        self.user = memorydb.CfnUser(
            self,
            "User",
            user_name=memorydb_name(self.stack_name, "-app"),
            access_string=ACCESS_STRING,
            # Renders a {{resolve:secretsmanager:...}} dynamic reference, never the value.
            authentication_mode={
                "Type": "password",
                "Passwords": [self.password.secret_value.unsafe_unwrap()],
            },
        )
        self.acl = memorydb.CfnACL(
            self, "Acl", acl_name=memorydb_name(self.stack_name, "-acl"), user_names=[self.user.ref]
        )
        self.subnet_group = memorydb.CfnSubnetGroup(
            self,
            "SubnetGroup",
            subnet_group_name=memorydb_name(self.stack_name, "-subnets"),
            description="Isolated data subnets, one per AZ, for the primary and its replica",
            subnet_ids=self.vpc.select_subnets(subnet_group_name=AppVpc.DATA_SUBNET_GROUP).subnet_ids,
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "ClusterSecurityGroup",
            vpc=self.vpc,
            description=(
                "MemoryDB cluster: clients on the cluster port from the App Runner connector only"
                if platform is Platform.APP_RUNNER
                else "MemoryDB cluster: clients on the cluster port from the service tasks only"
            ),
            allow_all_outbound=False,
        )
        self.cluster = memorydb.CfnCluster(
            self,
            "Cluster",
            cluster_name=memorydb_name(self.stack_name),
            description="users API data",
            engine=ENGINE,
            engine_version=ENGINE_VERSION,
            node_type=context.string(f"{APP}:node_type"),
            num_shards=NUM_SHARDS,
            num_replicas_per_shard=REPLICAS_PER_SHARD,
            port=PORT,
            tls_enabled=True,
            acl_name=self.acl.ref,
            subnet_group_name=self.subnet_group.ref,
            security_group_ids=[self.security_group.security_group_id],
        )
        # The cluster cannot outlive what it stands on: retained together or not at all.
        resources: list[CfnResource] = [self.cluster, self.acl, self.user, self.subnet_group]
        for resource in resources:
            resource.apply_removal_policy(policy)
        self.security_group.apply_removal_policy(policy)

        self.service = app_service(
            self,
            app=APP,
            vpc=self.vpc,
            vpc_subnets=self.vpc.app_subnets,
            health_check=HealthCheck.http(path="/healthz", interval=Duration.seconds(5)),
            environment={
                "MEMORYDB_CLUSTER_ENDPOINT": f"{self.cluster.attr_cluster_endpoint_address}:{PORT}",
                "MEMORYDB_USERNAME": self.user.ref,
            },
            secrets={"MEMORYDB_PASSWORD": Secret.from_secrets_manager(self.password)},
        )
        self.security_group.connections.allow_from(
            self.service,
            ec2.Port.tcp(PORT),
            "users API on App Runner (VPC connector)"
            if platform is Platform.APP_RUNNER
            else "users API on ECS Express Mode (its tasks)",
        )
