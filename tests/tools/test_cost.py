"""``make cost`` (tools/cost.py): idle monthly cost from the real synthesized templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools import cost, prices

Templates = dict[str, dict[str, cost.Template]]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Every stack on both platforms with cdk.json's context, as ``make cost`` synthesizes them."""
    return {
        platform: cost.synthesize(platform, tmp_path_factory.mktemp(platform), {})
        for platform in ("app_runner", "ecs_express")
    }


def costs(templates: Templates, platform: str, stack: str) -> dict[str, cost.Line]:
    return {line.what.split(" (")[0]: line for line in cost.idle_costs(templates[platform][stack])}


def test_app_runner_bills_the_provisioned_instances_memory(templates: Templates) -> None:
    month = prices.APP_RUNNER_GB_HOUR_USD * 2 * prices.HOURS_PER_MONTH
    # cdk.json: chaos keeps two instances, the others one.
    chaos = costs(templates, "app_runner", "ChaosStack")["App Runner instance, provisioned"]
    assert chaos.count == 2
    assert chaos.usd_per_month == pytest.approx(2 * month)
    assert costs(templates, "app_runner", "ShortenerStack")["App Runner instance, provisioned"].count == 1


def test_ecs_express_bills_tasks_and_a_load_balancer(templates: Templates) -> None:
    lines = costs(templates, "ecs_express", "ChaosStack")
    task = lines["Fargate task with public IPv4"]
    one_task = prices.express_idle_usd_per_month(shared_load_balancer=True)
    assert task.count == 2
    assert task.usd_per_month == pytest.approx(2 * one_task)
    assert lines["Application Load Balancer, 2 public IPv4"].usd_per_month == pytest.approx(
        prices.express_idle_usd_per_month() - one_task
    )
    assert "App Runner instance, provisioned" not in lines


@pytest.mark.parametrize("platform", ["app_runner", "ecs_express"])
def test_users_redis_pays_for_memorydb_but_no_nat_gateway(templates: Templates, platform: str) -> None:
    lines = costs(templates, platform, "UsersRedisStack")
    nodes = lines["MemoryDB node"]
    # One shard with one replica.
    assert nodes.count == 2
    assert nodes.usd_per_month == pytest.approx(
        2 * prices.MEMORYDB_VALKEY_NODE_HOUR_USD["db.t4g.small"] * prices.HOURS_PER_MONTH
    )
    assert "NAT gateway with its Elastic IP" not in lines
    assert "interface VPC endpoint" not in lines


@pytest.mark.parametrize("platform", ["app_runner", "ecs_express"])
def test_todo_pays_for_a_secrets_manager_endpoint_not_a_nat_gateway(
    templates: Templates, platform: str
) -> None:
    lines = {line.what: line for line in cost.idle_costs(templates[platform]["TodoPostgresStack"])}
    endpoint = lines["interface VPC endpoint (secretsmanager, 2 zones)"]
    assert endpoint.usd_per_month == pytest.approx(
        2 * prices.INTERFACE_ENDPOINT_ZONE_HOUR_USD * prices.HOURS_PER_MONTH
    )
    assert "NAT gateway with its Elastic IP" not in lines


def test_a_nat_gateway_is_priced_with_its_address() -> None:
    # No stack of ours has one any more; a user's template may.
    template: cost.Template = {"Resources": {"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}}}
    (line,) = cost.idle_costs(template)
    assert (line.what, line.count) == ("NAT gateway with its Elastic IP", 1)
    assert line.usd_per_month == pytest.approx(
        (prices.NAT_GATEWAY_HOUR_USD + prices.PUBLIC_IPV4_HOUR_USD) * prices.HOURS_PER_MONTH
    )


def test_aurora_at_zero_capacity_and_dynamodb_capacity(templates: Templates) -> None:
    aurora = costs(templates, "app_runner", "TodoPostgresStack")[
        "Aurora Serverless v2 instance at its minimum"
    ]
    assert (aurora.count, aurora.usd_per_month) == (1, 0.0)
    assert "pauses when idle" in aurora.what
    table = costs(templates, "app_runner", "ShortenerStack")["DynamoDB table, provisioned"]
    # cdk.json: 5 read and 5 write capacity units.
    hourly = 5 * prices.DYNAMODB_RCU_HOUR_USD + 5 * prices.DYNAMODB_WCU_HOUR_USD
    assert table.usd_per_month == pytest.approx(hourly * prices.HOURS_PER_MONTH)
    assert costs(templates, "app_runner", "ChaosStack")["DynamoDB table, on demand"].usd_per_month == 0.0


def test_context_changes_what_is_priced(tmp_path: Path) -> None:
    # Half an ACU minimum, on one platform: the cluster's one instance bills it all month.
    changed = cost.synthesize("app_runner", tmp_path, {"todo_postgres:min_acu": "0.5"})
    lines = {line.what.split(" (")[0]: line for line in cost.idle_costs(changed["TodoPostgresStack"])}
    assert lines["Aurora Serverless v2 instance at its minimum"].usd_per_month == pytest.approx(
        0.5 * prices.AURORA_ACU_HOUR_USD * prices.HOURS_PER_MONTH
    )


def _service(**properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::AppRunner::Service",
        "Properties": {"InstanceConfiguration": {"Memory": "4 GB"}, **properties},
    }


def test_app_runner_default_scaling_keeps_one_instance() -> None:
    # A shared configuration's ARN (or App Runner's default): its minimum is not in the template.
    template = {"Resources": {"Service": _service(AutoScalingConfigurationArn="arn:aws:apprunner:...")}}
    [line] = cost.idle_costs(template)
    assert line.count == 1
    assert line.usd_per_month == pytest.approx(prices.APP_RUNNER_GB_HOUR_USD * 4 * 730)


def test_unknown_memorydb_node_type_is_named() -> None:
    template = {
        "Resources": {"Cluster": {"Type": "AWS::MemoryDB::Cluster", "Properties": {"NodeType": "db.x9.huge"}}}
    }
    with pytest.raises(ValueError, match=r"'db\.x9\.huge'"):
        cost.idle_costs(template)


def test_report_totals_each_stack(templates: Templates) -> None:
    table = cost.report({"app_runner": {"UsersRedisStack": templates["app_runner"]["UsersRedisStack"]}})
    total = sum(line.usd_per_month for line in cost.idle_costs(templates["app_runner"]["UsersRedisStack"]))
    assert f"| app_runner | **UsersRedisStack** | **idle total** |  | **{total:.2f}** |" in table.splitlines()


def test_each_aurora_cluster_pays_for_its_own_serverless_instances() -> None:
    def instance(cluster: str) -> dict[str, object]:
        properties = {"DBInstanceClass": "db.serverless", "DBClusterIdentifier": {"Ref": cluster}}
        return {"Type": "AWS::RDS::DBInstance", "Properties": properties}

    def cluster(minimum: float) -> dict[str, object]:
        scaling = {"MinCapacity": minimum, "MaxCapacity": 2}
        return {"Type": "AWS::RDS::DBCluster", "Properties": {"ServerlessV2ScalingConfiguration": scaling}}

    template: cost.Template = {
        "Resources": {
            "One": cluster(0.5),
            "OneWriter": instance("One"),
            "OneReader": instance("One"),
            "Two": cluster(1),
            "TwoWriter": instance("Two"),
        }
    }
    month = prices.AURORA_ACU_HOUR_USD * prices.HOURS_PER_MONTH
    lines = cost.idle_costs(template)
    assert [line.count for line in lines] == [2, 1]
    assert [line.usd_per_month for line in lines] == pytest.approx([2 * 0.5 * month, 1 * month])
