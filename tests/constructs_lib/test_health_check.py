"""HealthCheck: boundary validation and rendering."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Duration, Stack
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, HealthCheck, Source

FACTORIES = [HealthCheck.http, HealthCheck.tcp]


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("seconds", [1, 20])
def test_duration_bounds_are_accepted(factory: Any, seconds: int) -> None:
    # Both at once: the timeout may not exceed the interval.
    check = factory(interval=Duration.seconds(seconds), timeout=Duration.seconds(seconds))
    assert (check.interval, check.timeout) == (seconds, seconds)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize(("interval", "timeout"), [(1, 2), (5, 6), (10, 20)])
def test_a_timeout_longer_than_the_interval_is_rejected(factory: Any, interval: int, timeout: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^`timeout` must be at most `interval` \({interval} seconds\), got {timeout} seconds$",
    ):
        factory(interval=Duration.seconds(interval), timeout=Duration.seconds(timeout))


def test_the_default_timeout_fits_the_default_interval() -> None:
    check = HealthCheck.http()
    assert (check.interval, check.timeout) == (5, 2)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("prop", ["interval", "timeout"])
@pytest.mark.parametrize("seconds", [0, 21, 60])
def test_duration_out_of_range_is_rejected(factory: Any, prop: str, seconds: int) -> None:
    with pytest.raises(
        ValueError, match=rf"`{prop}` must be a whole number between 1 and 20 seconds, got {seconds}$"
    ):
        factory(**{prop: Duration.seconds(seconds)})


@pytest.mark.parametrize("prop", ["interval", "timeout"])
def test_fractional_seconds_are_rejected(prop: str) -> None:
    durations: dict[str, Any] = {prop: Duration.millis(1500)}
    with pytest.raises(
        ValueError, match=rf"`{prop}` must be a whole number of seconds, got 1 second 500 millis$"
    ):
        HealthCheck.http(**durations)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("prop", ["healthy_threshold", "unhealthy_threshold"])
@pytest.mark.parametrize("value", [0, 21, -1])
def test_threshold_out_of_range_is_rejected(factory: Any, prop: str, value: int) -> None:
    with pytest.raises(ValueError, match=rf"`{prop}` must be a whole number between 1 and 20, got {value}$"):
        factory(**{prop: value})


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("prop", ["healthy_threshold", "unhealthy_threshold"])
@pytest.mark.parametrize("value", [1, 20])
def test_threshold_bounds_are_accepted(factory: Any, prop: str, value: int) -> None:
    assert getattr(factory(**{prop: value}), prop) == value


@pytest.mark.parametrize("path", ["", "healthz", " /healthz", "http://x/healthz"])
def test_a_path_not_starting_with_a_slash_is_rejected(path: str) -> None:
    with pytest.raises(ValueError, match=rf"^`path` must be a URL path starting with '/', got '{path}'$"):
        HealthCheck.http(path=path)


def test_http_check_is_rendered_with_documented_defaults(stack: Stack, public_source: Source) -> None:
    AppRunnerService(stack, "Service", source=public_source, health_check=HealthCheck.http(path="/healthz"))
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "HealthCheckConfiguration": {
                "Protocol": "HTTP",
                "Path": "/healthz",
                "Interval": 5,
                "Timeout": 2,
                "HealthyThreshold": 1,
                "UnhealthyThreshold": 5,
            }
        },
    )


def test_tcp_check_has_no_path(stack: Stack, public_source: Source) -> None:
    check = HealthCheck.tcp(interval=Duration.seconds(10), timeout=Duration.seconds(3), unhealthy_threshold=3)
    AppRunnerService(stack, "Service", source=public_source, health_check=check)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "HealthCheckConfiguration": {
                "Protocol": "TCP",
                "Path": Match.absent(),
                "Interval": 10,
                "Timeout": 3,
                "HealthyThreshold": 1,
                "UnhealthyThreshold": 3,
            }
        },
    )


def test_no_health_check_renders_nothing(stack: Stack, public_source: Source) -> None:
    AppRunnerService(stack, "Service", source=public_source)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service", {"HealthCheckConfiguration": Match.absent()}
    )
