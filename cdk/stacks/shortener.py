"""ShortenerStack: the URL shortener on App Runner with a DynamoDB table.

Context: ``shortener:billing_mode`` (provisioned, like the article, to show throttling;
or on_demand), ``shortener:read_capacity`` / ``shortener:write_capacity`` (provisioned
mode), ``shortener:removal_policy`` and the service keys of ``cdk.shared.app_service``.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from cdk.context import Context
from cdk.shared.app_service import app_service
from cdk.shared.data import removal_policy
from constructs_lib import HealthCheck

APP = "shortener"
PARTITION_KEY = "shortcode"


class ShortenerStack(Stack):
    #: The app package this stack runs (its settings.STACK_ENV is the env contract).
    app_package = APP

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, description="URL shortener (App Runner + DynamoDB)", **kwargs)
        context = Context(self.node)
        provisioned = context.choice(f"{APP}:billing_mode", ["provisioned", "on_demand"]) == "provisioned"
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=(
                dynamodb.BillingMode.PROVISIONED if provisioned else dynamodb.BillingMode.PAY_PER_REQUEST
            ),
            read_capacity=context.integer(f"{APP}:read_capacity", minimum=1, maximum=40000)
            if provisioned
            else None,
            write_capacity=context.integer(f"{APP}:write_capacity", minimum=1, maximum=40000)
            if provisioned
            else None,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=removal_policy(context, APP),
        )
        self.service = app_service(
            self,
            app=APP,
            health_check=HealthCheck.http(path="/healthz", interval=Duration.seconds(5)),
            environment={"TABLE_NAME": self.table.table_name, "AWS_REGION": self.region},
        )
        # Exactly what the app calls (as the article): no Scan, Query or DeleteItem.
        self.table.grant(self.service, "dynamodb:GetItem", "dynamodb:PutItem")
