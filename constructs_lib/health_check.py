"""Health checks (HTTP or TCP), validated to App Runner's limits at synth time.

App Runner uses every field; ECS Express Mode's load balancer takes only an HTTP path
(``HealthCheck.http(path=...)`` with the default timings).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Token
from aws_cdk import aws_apprunner as apprunner

from constructs_lib._validation import check_range, check_type

_MIN, _MAX = 1, 20
_DEFAULT_INTERVAL_SECONDS = 5
_DEFAULT_TIMEOUT_SECONDS = 2
_DEFAULT_HEALTHY_THRESHOLD = 1
_DEFAULT_UNHEALTHY_THRESHOLD = 5


def _whole_seconds(prop: str, duration: Duration) -> float:
    """Seconds of ``duration`` validated to 1..20 (an unresolved token passes unchecked)."""
    check_type(prop, duration, Duration, "a Duration (Duration.seconds(n))")
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
        healthy_threshold: int = _DEFAULT_HEALTHY_THRESHOLD,
        unhealthy_threshold: int = _DEFAULT_UNHEALTHY_THRESHOLD,
    ) -> HealthCheck:
        """An HTTP GET of ``path``; any 2xx/3xx response is healthy.

        :param path: request path, starting with ``/``. Default: ``"/"``.
        :param interval: time between checks, 1-20 s. Default: 5 seconds.
        :param timeout: time to wait for a response, 1-20 s and at most ``interval``. Default: 2 seconds.
        :param healthy_threshold: consecutive successes to become healthy, 1-20. Default: 1.
        :param unhealthy_threshold: consecutive failures to become unhealthy, 1-20. Default: 5.
        """
        check_type("path", path, str, "a str", required=True)
        if not Token.is_unresolved(path) and not path.startswith("/"):
            raise ValueError(f"`path` must be a URL path starting with '/', got {path!r}")
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
        healthy_threshold: int = _DEFAULT_HEALTHY_THRESHOLD,
        unhealthy_threshold: int = _DEFAULT_UNHEALTHY_THRESHOLD,
    ) -> HealthCheck:
        """A TCP connection to the service port.

        :param interval: time between checks, 1-20 s. Default: 5 seconds.
        :param timeout: time to wait for the connection, 1-20 s and at most ``interval``. Default: 2 seconds.
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
        seconds = {
            "interval": _whole_seconds("interval", interval or Duration.seconds(_DEFAULT_INTERVAL_SECONDS)),
            "timeout": _whole_seconds("timeout", timeout or Duration.seconds(_DEFAULT_TIMEOUT_SECONDS)),
        }
        known = not any(Token.is_unresolved(value) for value in seconds.values())
        # A check that may wait longer than the time to the next check would overlap it.
        if known and seconds["timeout"] > seconds["interval"]:
            raise ValueError(
                f"`timeout` must be at most `interval` ({seconds['interval']:g} seconds), "
                f"got {seconds['timeout']:g} seconds"
            )
        return HealthCheck(
            protocol=protocol,
            path=path,
            interval=seconds["interval"],
            timeout=seconds["timeout"],
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

    def _path_only(self, prop: str) -> str:
        """The HTTP path, for a platform whose load balancer takes nothing else (ECS Express Mode):
        ``ValueError`` naming ``prop`` for a TCP check or any timing other than the default."""
        if self.protocol != "HTTP" or self.path is None:
            raise ValueError(
                f"`{prop}` must be HealthCheck.http(path=...) on ECS Express Mode (its load balancer "
                "checks an HTTP path only), got HealthCheck.tcp()"
            )
        defaults = {
            "interval": (self.interval, _DEFAULT_INTERVAL_SECONDS, " seconds"),
            "timeout": (self.timeout, _DEFAULT_TIMEOUT_SECONDS, " seconds"),
            "healthy_threshold": (self.healthy_threshold, _DEFAULT_HEALTHY_THRESHOLD, ""),
            "unhealthy_threshold": (self.unhealthy_threshold, _DEFAULT_UNHEALTHY_THRESHOLD, ""),
        }
        for name, (value, default, unit) in defaults.items():
            # A token is never the default: it cannot be checked, and there is nowhere to render it.
            if Token.is_unresolved(value) or value != default:
                shown = "a token" if Token.is_unresolved(value) else f"{value:g}{unit}"
                raise ValueError(
                    f"`{prop}` {name} must be left at its default on ECS Express Mode (only the path "
                    f"can be set), got {shown}"
                )
        return self.path
