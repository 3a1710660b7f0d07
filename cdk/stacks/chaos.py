"""ChaosStack: the crash-test server on App Runner or ECS Express Mode with a DynamoDB table.

At least two instances by default (``chaos:min_size``), so one crashed instance does not
take the service down (with one instance, one ``/exit`` was a 76 s outage).
Context: ``chaos:enabled`` (the crash endpoints; false → 404), ``chaos:removal_policy``
and the service keys of ``cdk.shared.app_service``.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from constructs import Construct

from cdk.context import Context
from cdk.shared.app_service import ServiceSizing, app_service
from cdk.shared.app_stack import AppStack
from cdk.shared.data import app_table
from cdk.shared.platform import Platform
from constructs_lib import HealthCheck

APP = "chaos"


class ChaosStack(AppStack):
    app_package = APP

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        context = Context(self.node)
        self.template_options.description = (
            f"Crash-test server ({Platform.of(context, APP).label} + DynamoDB)"
        )
        sizing = ServiceSizing.from_context(context, APP)
        self.table = app_table(self, context, APP, partition_key="pk", sort_key="sk")
        self.service = app_service(
            self,
            app=APP,
            sizing=sizing,
            # Fast detection: a dead instance is out of rotation after ~2 s of failed checks
            # (App Runner; ECS Express Mode sets its load balancer's timings itself).
            health_check=HealthCheck.http(
                path="/healthz",
                interval=Duration.seconds(1),
                timeout=Duration.seconds(1),
                healthy_threshold=1,
                unhealthy_threshold=2,
            ),
            environment={
                "TABLE_NAME": self.table.table_name,
                "AWS_REGION": self.region,
                "CHAOS_ENABLED": str(context.boolean(f"{APP}:enabled")).lower(),
                # Each worker caps its own address space at the instance's memory.
                "MEMORY_LIMIT_MB": str(sizing.memory_mb),
            },
        )
        # Exactly what the app calls (store.py: Query; common.dynamodb.put_new_item: PutItem):
        # its crash endpoints are public, so the role can neither scan nor delete.
        self.table.grant(self.service, "dynamodb:Query", "dynamodb:PutItem")
