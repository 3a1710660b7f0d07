"""DynamoDB client settings and error mapping shared by the apps that use DynamoDB.

boto3 is imported inside the functions: apps whose image does not install it can
still import ``common``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from common.errors import ApiError, BackendUnavailable
from common.lazy import Lazy

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

#: Pinned so behaviour does not change with the botocore version's default.
RETRY_MODE: Final = "standard"
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
#: A ceiling, not an allocation (connections open when a request needs one): above any
#: thread count a worker runs (GUNICORN_THREADS, default 8). With botocore's default of
#: 10, each thread past the tenth would open and then drop a connection per request.
MAX_POOL_CONNECTIONS = 64

#: Error codes meaning "DynamoDB cannot take this request now": the client may retry.
UNAVAILABLE_ERROR_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

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


def dynamodb_client(
    endpoint_url: str | None, region: str | None, *, max_attempts: int = MAX_ATTEMPTS
) -> DynamoDBClient:
    """A DynamoDB client with explicit retries and timeouts.

    ``endpoint_url`` is None on AWS and a local DynamoDB's URL in development. A new
    session per call because boto3's default session is not thread-safe.
    """
    import boto3  # imported here: see the module docstring
    from botocore.config import Config

    config = Config(
        retries={"mode": RETRY_MODE, "max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint_url, region_name=region, config=config
    )


def lazy_dynamodb_client(
    endpoint_url: str | None, region: str | None, *, max_attempts: int = MAX_ATTEMPTS
) -> Lazy[DynamoDBClient]:
    """``dynamodb_client``, made on first use: once per gunicorn worker (``common.lazy``)."""
    return Lazy(lambda: dynamodb_client(endpoint_url, region, max_attempts=max_attempts))


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Turn DynamoDB failures into API errors: unavailable or throttling → 503 with
    ``Retry-After``; any other client error is our bug → logged, then a JSON 500."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    try:
        yield
    # Every failure to connect (refused, timed out, TLS, proxy) and every failure of the
    # HTTP exchange (connection closed, read timeout).
    except (EndpointUnreachable, HTTPClientError) as error:
        log.warning("DynamoDB unreachable: %s", error)
        raise BackendUnavailable("DynamoDB is unavailable; retry later") from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        # A 5xx is the service's (or a proxy's) trouble even without a DynamoDB error code:
        # botocore names a 502 HTML page's error "502".
        if code in UNAVAILABLE_ERROR_CODES or status >= 500:
            log.warning("DynamoDB %s failed with %s", error.operation_name, code)
            raise BackendUnavailable("DynamoDB is busy; retry later") from error
        log.error("DynamoDB %s rejected the request: %s", error.operation_name, code, exc_info=error)
        raise ApiError("internal server error", status=500) from error


def put_new_item(
    client: DynamoDBClient,
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
    "could not allocate a <what>". Call it inside ``dynamodb_errors()``.

    A failed condition is not always a collision: when the response to a PutItem that
    DynamoDB applied is lost (a dropped connection, a read timeout), botocore sends it
    again, and that retry fails its condition against our own item. So on a failed
    condition ``stored(item)``, a consistent read of the stored item with ``item``'s key
    (or None), decides: equal to ``item`` is our write, returned as written; anything
    else is another writer's item. ``new_item`` must therefore make items that another
    write would not make equal (chaos: a write id), unless equal items may be one write
    (shortener: the same URL under the same code).
    """
    for _ in range(attempts):
        item = new_item()
        try:
            client.put_item(
                TableName=table_name, Item=item, ConditionExpression=f"attribute_not_exists({key})"
            )
        except client.exceptions.ConditionalCheckFailedException:
            if stored(item) == item:
                # DynamoDB applied an earlier attempt of this very request.
                log.info("%s written by an earlier attempt", what, extra={"fields": {key: item[key]}})
                return item
            log.info("%s collision, trying another", what, extra={"fields": {key: item[key]}})
            continue
        return item
    log.error("no free %s after %d attempts", what, attempts)
    raise ApiError(f"could not allocate a {what}", status=500)
