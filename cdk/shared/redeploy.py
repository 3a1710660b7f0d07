"""Restart a service's instances after its database secret rotated, so they read the new one.

App Runner and ECS resolve a secret only when an instance or task starts. Secrets Manager
records a successful rotation in CloudTrail as the ``RotationSucceeded`` service event,
which EventBridge receives (detail-type ``AWS Service Event via CloudTrail``, the secret's
ARN in ``detail.additionalEventData.SecretId``; Secrets Manager User Guide, "Match Secrets
Manager events with EventBridge" and "CloudTrail entries"). The rule starts a state
machine that calls the platform's API directly (an SDK integration, no function):

- App Runner: ``StartDeployment`` redeploys the service's image, its instances start anew.
- ECS Express Mode: ``UpdateService`` with ``forceNewDeployment`` on the Express service's
  ECS service replaces its tasks. Its ``ServiceArn`` is an ECS service's ARN,
  ``arn:...:service/<cluster>/<name>`` (the form the Terraform AWS provider's
  ``aws_ecs_express_gateway_service`` documents for import; not verified on AWS here).

A deployment already under way makes App Runner refuse (``InvalidStateException``); the
state machine retries for about an hour, well within the rotation interval. CloudTrail
delivers service events to EventBridge on a best-effort basis (EventBridge User Guide,
"AWS service events delivered via AWS CloudTrail"): a lost event means no deployment, and
the instances keep the previous user until the next rotation changes its password.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Fn, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cdk.shared.lint import ignore_redundant_role_dependency
from constructs_lib import AppRunnerService, ExpressService, IService

ROTATION_SUCCEEDED = "RotationSucceeded"
#: Attempts after the first, 2 minutes apart and then doubling: about an hour in all.
RETRIES = 5


def _deployment(scope: Construct, service: IService) -> tasks.CallAwsService:
    """The API call that restarts ``service``'s instances, allowed on that service only."""
    arn = service.service_arn
    parameters: dict[str, str | bool]
    if isinstance(service, AppRunnerService):
        state, api, action, parameters = (
            "StartDeployment",
            "apprunner",
            "StartDeployment",
            {"ServiceArn": arn},
        )
    elif isinstance(service, ExpressService):
        state, api, action = "ForceNewDeployment", "ecs", "UpdateService"
        # The cluster is the ARN's second path part (service/<cluster>/<name>).
        cluster = Fn.select(1, Fn.split("/", arn))
        parameters = {"Cluster": cluster, "Service": arn, "ForceNewDeployment": True}
    else:
        raise TypeError(f"RedeployOnRotation: no deployment for a {type(service).__name__}")
    return tasks.CallAwsService(
        scope,
        state,
        service=api,
        action=action[0].lower() + action[1:],
        parameters=parameters,
        iam_resources=[arn],
        iam_action=f"{api}:{action}",
    )


class RedeployOnRotation(Construct):
    """After each successful rotation of ``secret``, a new deployment of ``service``."""

    def __init__(
        self, scope: Construct, id: str, *, secret: secretsmanager.ISecret, service: IService
    ) -> None:
        super().__init__(scope, id)
        deployment = _deployment(self, service)
        deployment.add_retry(
            errors=[sfn.Errors.ALL],
            interval=Duration.minutes(2),
            backoff_rate=2,
            max_attempts=RETRIES,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(deployment),
            comment="Redeploys the service after its database secret rotated.",
            logs=sfn.LogOptions(
                destination=logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_YEAR),
                level=sfn.LogLevel.ALL,
            ),
            tracing_enabled=True,
        )
        ignore_redundant_role_dependency(self.state_machine)
        events.Rule(
            self,
            "RotationSucceeded",
            description="A rotation of the service's database secret succeeded.",
            event_pattern=events.EventPattern(
                source=["aws.secretsmanager"],
                detail_type=["AWS Service Event via CloudTrail"],
                detail={
                    "eventSource": ["secretsmanager.amazonaws.com"],
                    "eventName": [ROTATION_SUCCEEDED],
                    "additionalEventData": {"SecretId": [secret.secret_arn]},
                },
            ),
            targets=[targets.SfnStateMachine(self.state_machine)],
        )
        Validations.of(self.state_machine).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="CloudWatch Logs' log delivery and X-Ray's trace actions, which Step Functions "
                "needs for its logs and traces, do not support resource-level permissions.",
            )
        )
