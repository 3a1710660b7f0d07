"""ShortenerStack: the URL shortener on App Runner or ECS Express Mode with a DynamoDB table.

Context: ``shortener:billing_mode`` (provisioned by default, so that throttling shows;
or on_demand), ``shortener:read_capacity`` / ``shortener:write_capacity`` (provisioned
mode), ``shortener:removal_policy`` and the service keys of ``cdk.shared.app_service``.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from constructs import Construct

from cdk.context import Context
from cdk.shared.app_service import app_service
from cdk.shared.app_stack import AppStack
from cdk.shared.data import Capacity, app_table
from cdk.shared.platform import Platform
from constructs_lib import HealthCheck

APP = "shortener"
PARTITION_KEY = "shortcode"


class ShortenerStack(AppStack):
    app_package = APP

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        context = Context(self.node)
        self.template_options.description = f"URL shortener ({Platform.of(context, APP).label} + DynamoDB)"
        provisioned = context.choice(f"{APP}:billing_mode", ["provisioned", "on_demand"]) == "provisioned"
        capacity = (
            Capacity(
                read=context.integer(f"{APP}:read_capacity", minimum=1, maximum=40000),
                write=context.integer(f"{APP}:write_capacity", minimum=1, maximum=40000),
            )
            if provisioned
            else None
        )
        self.table = app_table(self, context, APP, partition_key=PARTITION_KEY, capacity=capacity)
        self.service = app_service(
            self,
            app=APP,
            health_check=HealthCheck.http(path="/healthz", interval=Duration.seconds(5)),
            environment={"TABLE_NAME": self.table.table_name, "AWS_REGION": self.region},
        )
        # Exactly what the app calls: no Scan, Query or DeleteItem.
        self.table.grant(self.service, "dynamodb:GetItem", "dynamodb:PutItem")
