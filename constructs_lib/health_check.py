"""App Runner health checks (HTTP or TCP), validated to App Runner's limits at synth time."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Token
from aws_cdk import aws_apprunner as apprunner

from constructs_lib._validation import check_range

_MIN, _MAX = 1, 20


def _whole_seconds(prop: str, duration: Duration) -> float:
    """Seconds of ``duration`` validated to 1..20 (an unresolved token passes unchecked)."""
    if duration.is_unresolved():
        return duration.to_seconds()
    milliseconds = duration.to_milliseconds()
    if milliseconds % 1000:
        raise ValueError(f"`{prop}` must be a whole number of seconds, got {duration.to_human_string()}")
    seconds = int(milliseconds // 1000)
    check_range(prop, seconds, _MIN, _MAX, "seconds")
    return seconds


@dataclass(frozen=True)
class HealthCheck:
    """How App Runner decides an instance is healthy. Build with ``HealthCheck.http`` or ``.tcp``.

    Without a health check on the service, App Runner uses TCP with its defaults.
    """

    protocol: str
    path: str | None
    interval: float
    timeout: float
    healthy_threshold: int
    unhealthy_threshold: int

    @staticmethod
    def http(
        *,
        path: str = "/",
        interval: Duration | None = None,
        timeout: Duration | None = None,
        healthy_threshold: int = 1,
        unhealthy_threshold: int = 5,
    ) -> HealthCheck:
        """An HTTP GET of ``path``; any 2xx/3xx response is healthy.

        :param path: request path, non-empty. Default: ``"/"``.
        :param interval: time between checks, 1-20 s. Default: 5 seconds.
        :param timeout: time to wait for a response, 1-20 s. Default: 2 seconds.
        :param healthy_threshold: consecutive successes to become healthy, 1-20. Default: 1.
        :param unhealthy_threshold: consecutive failures to become unhealthy, 1-20. Default: 5.
        """
        if not Token.is_unresolved(path) and not path:
            raise ValueError(f"`path` must be a non-empty URL path, got {path!r}")
        return HealthCheck._build(
            "HTTP",
            path=path,
            interval=interval,
            timeout=timeout,
            healthy_threshold=healthy_threshold,
            unhealthy_threshold=unhealthy_threshold,
        )

    @staticmethod
    def tcp(
        *,
        interval: Duration | None = None,
        timeout: Duration | None = None,
        healthy_threshold: int = 1,
        unhealthy_threshold: int = 5,
    ) -> HealthCheck:
        """A TCP connection to the service port.

        :param interval: time between checks, 1-20 s. Default: 5 seconds.
        :param timeout: time to wait for the connection, 1-20 s. Default: 2 seconds.
        :param healthy_threshold: consecutive successes to become healthy, 1-20. Default: 1.
        :param unhealthy_threshold: consecutive failures to become unhealthy, 1-20. Default: 5.
        """
        return HealthCheck._build(
            "TCP",
            path=None,
            interval=interval,
            timeout=timeout,
            healthy_threshold=healthy_threshold,
            unhealthy_threshold=unhealthy_threshold,
        )

    @staticmethod
    def _build(
        protocol: str,
        *,
        path: str | None,
        interval: Duration | None,
        timeout: Duration | None,
        healthy_threshold: int,
        unhealthy_threshold: int,
    ) -> HealthCheck:
        check_range("healthy_threshold", healthy_threshold, _MIN, _MAX)
        check_range("unhealthy_threshold", unhealthy_threshold, _MIN, _MAX)
        return HealthCheck(
            protocol=protocol,
            path=path,
            interval=_whole_seconds("interval", interval or Duration.seconds(5)),
            timeout=_whole_seconds("timeout", timeout or Duration.seconds(2)),
            healthy_threshold=healthy_threshold,
            unhealthy_threshold=unhealthy_threshold,
        )

    def _render(self) -> apprunner.CfnService.HealthCheckConfigurationProperty:
        return apprunner.CfnService.HealthCheckConfigurationProperty(
            protocol=self.protocol,
            path=self.path,
            interval=self.interval,
            timeout=self.timeout,
            healthy_threshold=self.healthy_threshold,
            unhealthy_threshold=self.unhealthy_threshold,
        )
