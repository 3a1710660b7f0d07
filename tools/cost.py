"""``make cost``: each stack's idle monthly cost on each platform, from its synthesized template.

    python -m tools.cost [key=value ...]   (context overrides, like ``cdk -c``)

Idle: deployed and serving nothing, at the minimum size the template asks for. Counted:
App Runner's provisioned instances (memory only), ECS Express Mode's tasks with their
public addresses and a load balancer for each service (in full, though up to 25 services
in a VPC may share one), NAT gateways, interface VPC endpoints (per zone), MemoryDB
nodes, Aurora Serverless v2's minimum capacity, DynamoDB's provisioned capacity and
Secrets Manager secrets. Not counted: what traffic or data costs (requests, storage, logs,
data processed), and the free tier. Rates are ``tools.prices``'s.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import prices

Template = Mapping[str, Any]
#: App Runner's own default configuration keeps one instance provisioned.
APP_RUNNER_DEFAULT_MIN_SIZE = 1


@dataclass(frozen=True)
class Line:
    """One idle cost of a stack: what, how many, USD per month for all of them."""

    what: str
    count: float
    usd_per_month: float


def _resources(template: Template, resource_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] == resource_type:
            yield logical_id, resource.get("Properties", {})


def _number(value: str | int | float, unit: str) -> float:
    """``"2 GB"``, ``"1 vCPU"`` or a bare number (``"1024"``: ECS's MiB and CPU units)."""
    match = re.fullmatch(rf"\s*([0-9.]+)\s*(?:{unit})?\s*", str(value), re.IGNORECASE)
    if match is None:
        raise ValueError(f"cannot read {value!r} as {unit}")
    return float(match[1])


def _app_runner_min_size(template: Template, service: Mapping[str, Any]) -> int:
    """The minimum of the auto scaling configuration the service names in this template;
    App Runner's default (or an ARN from elsewhere) otherwise."""
    arn = service.get("AutoScalingConfigurationArn")
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        configuration = template["Resources"][arn["Fn::GetAtt"][0]].get("Properties", {})
        return int(configuration.get("MinSize", APP_RUNNER_DEFAULT_MIN_SIZE))
    return APP_RUNNER_DEFAULT_MIN_SIZE


def _services(template: Template) -> Iterator[Line]:
    for _, service in _resources(template, "AWS::AppRunner::Service"):
        instance = service.get("InstanceConfiguration", {})
        gb = _number(instance.get("Memory", "2 GB"), "GB")
        count = _app_runner_min_size(template, service)
        monthly = prices.app_runner_idle_usd_per_month(
            prices.Size(_number(instance.get("Cpu", "1"), "vCPU"), gb)
        )
        yield Line(f"App Runner instance, provisioned ({gb:g} GB)", count, count * monthly)
    for _, service in _resources(template, "AWS::ECS::ExpressGatewayService"):
        size = prices.Size(
            _number(service.get("Cpu", 1024), "") / 1024, _number(service.get("Memory", 2048), "") / 1024
        )
        count = int(service.get("ScalingTarget", {}).get("MinTaskCount", 1))
        task = prices.express_task_usd_per_hour(size) * prices.HOURS_PER_MONTH
        yield Line(f"Fargate task with public IPv4 ({size.vcpu:g} vCPU, {size.gb:g} GB)", count, count * task)
        yield Line(
            "Application Load Balancer, 2 public IPv4 (shared by up to 25 services)",
            1,
            prices.load_balancer_idle_usd_per_month(),
        )


def _network(template: Template) -> Iterator[Line]:
    nat = sum(1 for _ in _resources(template, "AWS::EC2::NatGateway"))
    if nat:
        yield Line("NAT gateway with its Elastic IP", nat, nat * prices.nat_gateway_idle_usd_per_month())
    for _, endpoint in _resources(template, "AWS::EC2::VPCEndpoint"):
        if endpoint.get("VpcEndpointType") != "Interface":
            continue  # gateway endpoints (S3, DynamoDB) are free
        zones = len(endpoint.get("SubnetIds", []))
        yield Line(
            f"interface VPC endpoint ({_endpoint_service(endpoint['ServiceName'])}, {zones} zones)",
            1,
            prices.interface_endpoint_idle_usd_per_month(zones),
        )


def _endpoint_service(name: object) -> str:
    """``secretsmanager`` of ``com.amazonaws.<region>.secretsmanager``: a string, or (as CDK
    renders it in a stack without a region) an ``Fn::Join`` whose last part ends with it."""
    if isinstance(name, dict) and "Fn::Join" in name:
        name = name["Fn::Join"][1][-1]
    return str(name).rsplit(".", 1)[-1]


def _datastores(template: Template) -> Iterator[Line]:
    for _, cluster in _resources(template, "AWS::MemoryDB::Cluster"):
        node_type = cluster["NodeType"]
        nodes = int(cluster.get("NumShards", 1)) * (1 + int(cluster.get("NumReplicasPerShard", 1)))
        rate = prices.MEMORYDB_VALKEY_NODE_HOUR_USD.get(node_type)
        if rate is None:
            raise ValueError(f"no MemoryDB rate for node type {node_type!r}: add it to tools/prices.py")
        yield Line(f"MemoryDB node ({node_type})", nodes, nodes * rate * prices.HOURS_PER_MONTH)
    for cluster_id, cluster in _resources(template, "AWS::RDS::DBCluster"):
        # Each cluster's own Serverless v2 instances (they name it by Ref).
        serverless = sum(
            1
            for _, instance in _resources(template, "AWS::RDS::DBInstance")
            if instance.get("DBInstanceClass") == "db.serverless"
            and instance.get("DBClusterIdentifier") == {"Ref": cluster_id}
        )
        minimum = float(cluster.get("ServerlessV2ScalingConfiguration", {}).get("MinCapacity", 0.5))
        pause = ", pauses when idle" if minimum == 0 else ""
        what = f"Aurora Serverless v2 instance at its minimum ({minimum:g} ACU{pause})"
        yield Line(
            what, serverless, serverless * minimum * prices.AURORA_ACU_HOUR_USD * prices.HOURS_PER_MONTH
        )
    for _, table in _resources(template, "AWS::DynamoDB::Table"):
        throughput = table.get("ProvisionedThroughput")
        if throughput:
            hourly = (
                int(throughput["ReadCapacityUnits"]) * prices.DYNAMODB_RCU_HOUR_USD
                + int(throughput["WriteCapacityUnits"]) * prices.DYNAMODB_WCU_HOUR_USD
            )
            units = f"{throughput['ReadCapacityUnits']} RCU, {throughput['WriteCapacityUnits']} WCU"
            yield Line(f"DynamoDB table, provisioned ({units})", 1, hourly * prices.HOURS_PER_MONTH)
        else:
            yield Line("DynamoDB table, on demand", 1, 0.0)
    secrets = sum(1 for _ in _resources(template, "AWS::SecretsManager::Secret"))
    if secrets:
        yield Line("Secrets Manager secret", secrets, secrets * prices.SECRET_MONTH_USD)


def idle_costs(template: Template) -> list[Line]:
    """What ``template``'s stack costs a month deployed and idle, line by line."""
    return [*_services(template), *_network(template), *_datastores(template)]


def synthesize(platform: str, outdir: Path, context: Mapping[str, str]) -> dict[str, Template]:
    """Every stack's template on ``platform``, as ``make synth`` builds them (cdk-nag off:
    what is priced is the template, not its findings)."""
    from cdk.app import build_app, new_app  # here: importing aws-cdk-lib takes seconds

    assembly = build_app(new_app(outdir, **{**context, "platform": platform}), nag=False).synth()
    return {stack.stack_name: stack.template for stack in assembly.stacks}


def report(by_platform: Mapping[str, Mapping[str, Template]]) -> str:
    from tools.bench.stats import markdown_table  # the bench's table format

    rows: list[Sequence[object]] = []
    for platform, templates in by_platform.items():
        for stack, template in templates.items():
            lines = idle_costs(template)
            rows += [[platform, stack, line.what, line.count, f"{line.usd_per_month:.2f}"] for line in lines]
            rows.append(
                [
                    platform,
                    f"**{stack}**",
                    "**idle total**",
                    "",
                    f"**{sum(line.usd_per_month for line in lines):.2f}**",
                ]
            )
    return markdown_table(["platform", "stack", "what", "count", "USD per month"], rows)


def main(argv: Sequence[str]) -> int:
    context = dict(arg.split("=", 1) for arg in argv)
    by_platform = {}
    with tempfile.TemporaryDirectory(prefix="cost-") as work:
        for platform in ("app_runner", "ecs_express"):
            by_platform[platform] = synthesize(platform, Path(work) / platform, context)
    hours = prices.HOURS_PER_MONTH
    print(f"# Idle monthly cost per stack (us-east-1 on-demand, {hours} hours; tools/prices.py)\n")
    print(report(by_platform))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
