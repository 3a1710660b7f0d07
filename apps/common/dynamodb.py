"""DynamoDB client, retries within a deadline and error mapping shared by the apps that use DynamoDB.

boto3 is imported inside the functions: apps whose image does not install it can
still import ``common``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

from common import deadline
from common.errors import ApiError, BackendUnavailable
from common.lazy import MadeOnFirstUse

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A request's DynamoDB work (its calls, their retries and backoff) ends by then; then it
#: answers 503 with Retry-After. botocore has no overall deadline: its own retries
#: are off and ``DynamoDB.call`` retries only while a whole attempt still fits.
DEADLINE_SECONDS = 5.0
#: Per attempt: the TCP and TLS connect, then each read of the answer. DynamoDB answers
#: in milliseconds; a frozen endpoint is given up on after these. An attempt whose answer
#: timed out can still be retried once within the deadline.
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 1.5
#: The longest one attempt waits (a connect, then a read that times out).
ATTEMPT_SECONDS = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
#: Attempts per call at most, when each still fits before the deadline.
MAX_ATTEMPTS = 3
#: First backoff after a throttling error, and after any other retryable failure
#: (botocore's standard values for DynamoDB); it doubles per attempt, with full jitter.
THROTTLING_BACKOFF_SECONDS = 1.0
TRANSIENT_BACKOFF_SECONDS = 0.025
#: A ceiling, not an allocation (connections open when a request needs one): above any
#: thread count a worker runs (GUNICORN_THREADS, default 8). With botocore's default of
#: 10, each thread past the tenth would open and then drop a connection per request.
MAX_POOL_CONNECTIONS = 64
#: The User-Agent of every DynamoDB call starts with it (``user_agent``). Without a
#: fixed one, botocore rebuilds its user-agent string from about 16 sanitized parts on
#: every call: fixing it cut an in-process GetItem's CPU from 0.365 to 0.257 ms (issue
#: 26). The string only names the caller in AWS's request logs.
USER_AGENT_PREFIX = "apprunner-cdk-constructs"

#: Error codes meaning "DynamoDB is throttling this request": retry, after a longer backoff.
THROTTLING_ERROR_CODES = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)
#: Error codes meaning "DynamoDB cannot take this request now": the client may retry.
UNAVAILABLE_ERROR_CODES = THROTTLING_ERROR_CODES | {"InternalServerError", "ServiceUnavailable"}

#: Every AWS region name, as the partitions in botocore's ``partitions.json`` spell them
#: (us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1).
#: botocore itself takes any host label, so a typo would only fail at each request.
REGION_PATTERN: Final = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]+")
ENDPOINT_SCHEMES: Final = frozenset({"http", "https"})
#: A DNS name or IPv4 address, or an IPv6 address (urlsplit drops its brackets).
_HOST: Final = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")


def dynamodb_setting_errors(region: str | None, endpoint_url: str | None) -> list[str]:
    """What is wrong with ``AWS_REGION`` (``region``) and ``DYNAMODB_ENDPOINT_URL``
    (``endpoint_url``), one message each; empty if nothing. None or empty is not checked
    here (the caller knows whether the setting is required).

    Both would otherwise be accepted at startup and then fail every request with a 500.
    """
    errors = []
    if region and not REGION_PATTERN.fullmatch(region):
        errors.append(f"AWS_REGION must be an AWS region name such as us-east-1, not {region!r}")
    if endpoint_url and not _valid_endpoint_url(endpoint_url):
        errors.append(
            "DYNAMODB_ENDPOINT_URL must be an http:// or https:// URL with a host, such as "
            f"http://127.0.0.1:8000, not {endpoint_url!r}"
        )
    return errors


def _valid_endpoint_url(url: str) -> bool:
    """An http(s) URL with a host and, if any, a valid port. (Not botocore's own check:
    importing botocore at start-up would slow every cold start for a development setting.)"""
    try:
        parts = urlsplit(url)
        _ = parts.port  # ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ENDPOINT_SCHEMES and bool(_HOST.fullmatch(parts.hostname or ""))


def user_agent() -> str:
    """The fixed User-Agent ``dynamodb_client`` gives botocore: ours and boto3's version."""
    import boto3

    return f"{USER_AGENT_PREFIX} Boto3/{boto3.__version__}"


def dynamodb_client(endpoint_url: str | None, region: str | None) -> DynamoDBClient:
    """A DynamoDB client with explicit timeouts and no retries of its own (see
    ``DynamoDB.call``), a fixed user agent and no client-side parameter validation.

    ``endpoint_url`` is None on AWS and a local DynamoDB's URL in development. A new
    session per call because boto3's default session is not thread-safe.
    """
    import boto3  # imported here: see the module docstring
    from botocore.config import Config

    config = Config(
        # Pinned, not botocore's default mode: one attempt, whatever the version.
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        max_pool_connections=MAX_POOL_CONNECTIONS,
        # botocore then sends this string (and the session's "Botocore/<version>") instead
        # of building one per call (botocore/useragent.py, UserAgentString.to_string).
        user_agent=user_agent(),
        # Every call's parameters are built by our code from input it has validated
        # already; DynamoDB still validates them (a ValidationException is a ClientError,
        # our bug: a logged 500, as botocore's ParamValidationError was). About 7% of a call.
        parameter_validation=False,
    )
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint_url, region_name=region, config=config
    )


class DynamoDB:
    """The app's DynamoDB client, made on first use (once per gunicorn worker,
    ``common.lazy``), and its calls retried within each request's deadline."""

    def __init__(
        self, endpoint_url: str | None, region: str | None, *, max_attempts: int = MAX_ATTEMPTS
    ) -> None:
        self._client: MadeOnFirstUse[DynamoDBClient] = MadeOnFirstUse(
            lambda: dynamodb_client(endpoint_url, region)
        )
        self._max_attempts = max_attempts

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> DynamoDB:
        """The client an app's Flask ``config`` describes, as its settings load it:
        ``AWS_REGION``, and ``DYNAMODB_ENDPOINT_URL`` and ``DYNAMODB_MAX_ATTEMPTS`` if set."""
        endpoint_url, region = config.get("DYNAMODB_ENDPOINT_URL"), config["AWS_REGION"]
        max_attempts = config.get("DYNAMODB_MAX_ATTEMPTS", MAX_ATTEMPTS)
        if not isinstance(region, str) or not isinstance(max_attempts, int):
            raise TypeError(
                f"AWS_REGION {region!r} or DYNAMODB_MAX_ATTEMPTS {max_attempts!r} has the wrong type"
            )
        return cls(endpoint_url if isinstance(endpoint_url, str) else None, region, max_attempts=max_attempts)

    @contextmanager
    def request(self) -> Iterator[None]:
        """One request's DynamoDB work: its calls share one deadline (``DEADLINE_SECONDS``),
        and its failures become API errors (``dynamodb_errors``)."""
        with deadline.scope(DEADLINE_SECONDS), dynamodb_errors():
            yield

    def call(self, operation: Callable[[DynamoDBClient], T]) -> T:
        """``operation(client)``, one DynamoDB call, tried again after a throttling or
        unavailable error while another attempt still ends before the deadline."""
        with deadline.scope(DEADLINE_SECONDS) as until:
            return deadline.call_with_retries(
                lambda: operation(self._client.get()),
                deadline=until,
                attempt_seconds=ATTEMPT_SECONDS,
                max_attempts=self._max_attempts,
                backoff_base=_backoff_base,
            )


def _error_code(error: Exception) -> str:
    from botocore.exceptions import ClientError

    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""


def _unavailable(error: Exception) -> bool:
    """DynamoDB cannot take the request now (unreachable, throttling, failing): retry later."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    # Every failure to connect (refused, timed out, TLS, proxy) and every failure of the
    # HTTP exchange (connection closed, read timeout).
    if isinstance(error, EndpointUnreachable | HTTPClientError):
        return True
    if not isinstance(error, ClientError):
        return False
    # A 5xx is the service's (or a proxy's) trouble even without a DynamoDB error code:
    # botocore names a 502 HTML page's error "502".
    status: int = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return _error_code(error) in UNAVAILABLE_ERROR_CODES or status >= 500


def _backoff_base(error: Exception) -> float | None:
    if not _unavailable(error):
        return None
    throttled = _error_code(error) in THROTTLING_ERROR_CODES
    return THROTTLING_BACKOFF_SECONDS if throttled else TRANSIENT_BACKOFF_SECONDS


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Turn DynamoDB failures into API errors: unavailable or throttling → 503 with
    ``Retry-After``; any other client error is our bug → logged, then a JSON 500."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as error:
        code = _error_code(error)
        if _unavailable(error):
            log.warning("DynamoDB %s failed with %s", error.operation_name, code)
            raise BackendUnavailable("DynamoDB is busy; retry later") from error
        log.error("DynamoDB %s rejected the request: %s", error.operation_name, code, exc_info=error)
        raise ApiError("internal server error", status=500) from error
    except Exception as error:
        if not _unavailable(error):
            raise
        log.warning("DynamoDB unreachable: %s", error)
        raise BackendUnavailable("DynamoDB is unavailable; retry later") from error


def put_new_item(
    dynamodb: DynamoDB,
    table_name: str,
    key: str,
    new_item: Callable[[], dict[str, Any]],
    *,
    stored: Callable[[dict[str, Any]], Mapping[str, Any] | None],
    attempts: int,
    what: str,
) -> dict[str, Any]:
    """Put ``new_item()`` only if no item has its key (its ``key`` attribute, plus the
    partition key it shares with the others); on a collision, try a fresh item.

    Returns the item written. A write never replaces another one that was already
    acknowledged; ``attempts`` collisions in a row are our bug: a logged JSON 500,
    "could not allocate a <what>". Call it inside ``dynamodb.request()``.

    A failed condition is not always a collision: when the response to a PutItem that
    DynamoDB applied is lost (a dropped connection, a read timeout), ``DynamoDB.call``
    sends it again, and that retry fails its condition against our own item. So on a failed
    condition ``stored(item)``, a consistent read of the stored item with ``item``'s key
    (or None), decides: equal to ``item`` is our write, returned as written; anything
    else is another writer's item. ``new_item`` must therefore make items that another
    write would not make equal (chaos: a write id), unless equal items may be one write
    (shortener: the same URL under the same code).
    """
    condition = f"attribute_not_exists({key})"

    def put(client: DynamoDBClient, item: dict[str, Any]) -> object:
        return client.put_item(TableName=table_name, Item=item, ConditionExpression=condition)

    for _ in range(attempts):
        item = new_item()
        try:
            dynamodb.call(functools.partial(put, item=item))
        except Exception as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise
            if stored(item) == item:
                # DynamoDB applied an earlier attempt of this very request.
                log.info("%s written by an earlier attempt", what, extra={"fields": {key: item[key]}})
                return item
            log.info("%s collision, trying another", what, extra={"fields": {key: item[key]}})
            continue
        return item
    log.error("no free %s after %d attempts", what, attempts)
    raise ApiError(f"could not allocate a {what}", status=500)
