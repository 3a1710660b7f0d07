"""AWS prices the project quotes (README, ``make bench``): the one place these numbers live.

On-demand rates in us-east-1, from AWS's pricing pages (App Runner, Fargate, Elastic Load
Balancing, VPC public IPv4 addresses), as of 2026-12; other regions cost more. A month is
730 hours.
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


def express_idle_usd_per_month(size: Size = DEFAULT_SIZE, *, shared_load_balancer: bool = False) -> float:
    """One ECS Express Mode task in a public subnet all month, and its load balancer with its
    public addresses unless another service already pays for them."""
    task = (fargate_task_usd_per_hour(size) + PUBLIC_IPV4_HOUR_USD) * HOURS_PER_MONTH
    if shared_load_balancer:
        return task
    load_balancer = ALB_HOUR_USD + PUBLIC_IPV4_HOUR_USD * LOAD_BALANCER_ZONES
    return task + load_balancer * HOURS_PER_MONTH
