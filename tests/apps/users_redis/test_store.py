"""The Redis client the store builds, and the budget of its attempts."""

from __future__ import annotations

import pytest
from redis import Redis
from redis._parsers import _HiredisParser
from redis.cluster import RedisCluster

from tests.support.users_redis import Backend
from users_redis.settings import redis_settings
from users_redis.store import DEADLINE_SECONDS, attempt_seconds, connect


def test_replies_are_parsed_in_c_by_hiredis(standalone: Backend) -> None:
    """hiredis is in the image's requirements: with redis-py's pure-Python parser a `GET /<email>`
    took about a tenth more server CPU (docs/benchmarks.md)."""
    client = connect(redis_settings(standalone.config))
    assert isinstance(client, Redis)
    connection = client.connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        client.connection_pool.release(connection)
        client.close()


def test_the_client_has_no_retries_of_its_own(standalone: Backend, cluster: Backend) -> None:
    """redis-py's retries nest (a retried command retries its connect too), so their waits
    multiply past the deadline: the store retries instead (test_outage.py)."""
    plain = connect(redis_settings(standalone.config))
    clustered = connect(redis_settings(cluster.config))
    try:
        assert isinstance(plain, Redis)
        assert isinstance(clustered, RedisCluster)
        retry = plain.get_retry()
        assert retry is not None and retry.get_retries() == 0
        assert clustered.retry.get_retries() == 0
    finally:
        plain.close()
        clustered.close()


@pytest.mark.parametrize("cluster", [False, True], ids=["standalone", "cluster"])
def test_a_retry_after_a_quick_failure_still_fits_the_deadline(cluster: bool) -> None:
    """A connection pooled before a restart or failover fails at once; its retry, a whole
    attempt at most, must still end by the deadline, or the request would be a 503."""
    assert attempt_seconds(cluster=cluster) < DEADLINE_SECONDS / 1.5
    # A new cluster client's first attempt also discovers the nodes: a third connection.
    assert attempt_seconds(cluster=True) * 3 / 2 < DEADLINE_SECONDS
