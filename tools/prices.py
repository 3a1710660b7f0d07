"""AWS prices the project quotes (README, ``make bench``, ``make cost``): the one place
these numbers live.

On-demand rates in us-east-1, from AWS's pricing pages (each rate names its page), as of
2026-12; other regions cost more. A month is 730 hours. The rates added for ``make cost``
(NAT gateway, interface endpoint, MemoryDB, Aurora Serverless v2, DynamoDB provisioned
capacity, Secrets Manager, load balancer capacity units) were not checked against the live
pages in the session that added them (no internet there): check them before quoting a bill.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730

#: App Runner: an active instance bills vCPU and memory, a provisioned (idle) one memory only.
APP_RUNNER_VCPU_HOUR_USD = 0.064
APP_RUNNER_GB_HOUR_USD = 0.007
#: Fargate, Linux on x86: a running task bills both, busy or idle.
FARGATE_VCPU_HOUR_USD = 0.04048
FARGATE_GB_HOUR_USD = 0.004445
#: An Application Load Balancer, before its capacity units (about nothing while idle). ECS
#: Express Mode shares one among up to 25 services in a VPC.
ALB_HOUR_USD = 0.0225
#: Every public IPv4 address: each task in a public subnet has one, the load balancer one per zone.
PUBLIC_IPV4_HOUR_USD = 0.005
LOAD_BALANCER_ZONES = 2
#: Elastic Load Balancing pricing: one load balancer capacity unit (LCU) covers, among
#: other dimensions, 25 new connections a second. ``make bench`` prices each request as a
#: new connection (a short link's visitors rarely reuse one): an upper bound.
ALB_LCU_HOUR_USD = 0.008
ALB_NEW_CONNECTIONS_PER_SECOND_PER_LCU = 25
#: Amazon VPC pricing, NAT gateway: per hour, before the data it processes; its Elastic
#: IP is a public IPv4 address as well.
NAT_GATEWAY_HOUR_USD = 0.045
#: AWS PrivateLink pricing, interface VPC endpoint: per endpoint and zone-hour, before the
#: data it processes.
INTERFACE_ENDPOINT_ZONE_HOUR_USD = 0.01
#: Amazon MemoryDB pricing, Valkey on-demand nodes (30% below Redis OSS), per node-hour.
MEMORYDB_VALKEY_NODE_HOUR_USD = {"db.t4g.small": 0.0329, "db.t4g.medium": 0.0658}
#: Amazon Aurora pricing, Serverless v2 (Aurora Standard): per ACU-hour.
AURORA_ACU_HOUR_USD = 0.12
#: Amazon DynamoDB pricing, provisioned capacity: per capacity unit-hour (free tier aside).
DYNAMODB_WCU_HOUR_USD = 0.00065
DYNAMODB_RCU_HOUR_USD = 0.00013
#: AWS Secrets Manager pricing: per secret-month, before its API calls.
SECRET_MONTH_USD = 0.40


@dataclass(frozen=True)
class Size:
    vcpu: float
    gb: float


#: The size every stack uses by default (cdk.json's ``<app>:cpu`` and ``<app>:memory``).
DEFAULT_SIZE = Size(vcpu=1.0, gb=2.0)


def app_runner_active_usd_per_hour(size: Size = DEFAULT_SIZE) -> float:
    """One App Runner instance while it serves requests."""
    return APP_RUNNER_VCPU_HOUR_USD * size.vcpu + APP_RUNNER_GB_HOUR_USD * size.gb


def app_runner_idle_usd_per_month(size: Size = DEFAULT_SIZE) -> float:
    """One provisioned App Runner instance that serves nothing all month (memory only)."""
    return APP_RUNNER_GB_HOUR_USD * size.gb * HOURS_PER_MONTH


def fargate_task_usd_per_hour(size: Size = DEFAULT_SIZE) -> float:
    """One Fargate task, busy or idle."""
    return FARGATE_VCPU_HOUR_USD * size.vcpu + FARGATE_GB_HOUR_USD * size.gb


def express_task_usd_per_hour(size: Size = DEFAULT_SIZE) -> float:
    """One ECS Express Mode task in a public subnet: Fargate and its public IPv4 address."""
    return fargate_task_usd_per_hour(size) + PUBLIC_IPV4_HOUR_USD


def load_balancer_idle_usd_per_month() -> float:
    """An Application Load Balancer and its public addresses, serving nothing."""
    return (ALB_HOUR_USD + PUBLIC_IPV4_HOUR_USD * LOAD_BALANCER_ZONES) * HOURS_PER_MONTH


def express_idle_usd_per_month(size: Size = DEFAULT_SIZE, *, shared_load_balancer: bool = False) -> float:
    """One ECS Express Mode task in a public subnet all month, and its load balancer with its
    public addresses unless another service already pays for them."""
    task = express_task_usd_per_hour(size) * HOURS_PER_MONTH
    return task if shared_load_balancer else task + load_balancer_idle_usd_per_month()


def express_usd_per_million_requests(rps: float, size: Size = DEFAULT_SIZE) -> float:
    """A million requests on always-busy ECS Express Mode tasks serving ``rps`` each: the
    tasks' time, and the load balancer's capacity units with a new connection per request
    (its hourly rate is idle cost, ``make cost``)."""
    task = express_task_usd_per_hour(size) / 3600 / rps * 1e6
    lcu = ALB_LCU_HOUR_USD / 3600 / ALB_NEW_CONNECTIONS_PER_SECOND_PER_LCU * 1e6
    return task + lcu


def app_runner_usd_per_million_requests(rps: float, size: Size = DEFAULT_SIZE) -> float:
    """A million requests on always-busy App Runner instances serving ``rps`` each."""
    return app_runner_active_usd_per_hour(size) / 3600 / rps * 1e6


def interface_endpoint_idle_usd_per_month(zones: int) -> float:
    """An interface VPC endpoint in ``zones`` availability zones, passing no data."""
    return INTERFACE_ENDPOINT_ZONE_HOUR_USD * zones * HOURS_PER_MONTH


def nat_gateway_idle_usd_per_month() -> float:
    """A NAT gateway and its Elastic IP, passing no data."""
    return (NAT_GATEWAY_HOUR_USD + PUBLIC_IPV4_HOUR_USD) * HOURS_PER_MONTH
