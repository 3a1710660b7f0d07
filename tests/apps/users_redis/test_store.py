"""The Redis client the store builds."""

from __future__ import annotations

from redis import Redis
from redis._parsers import _HiredisParser

from tests.apps.users_redis.conftest import Backend
from users_redis.settings import redis_settings
from users_redis.store import connect


def test_replies_are_parsed_in_c_by_hiredis(standalone: Backend) -> None:
    """hiredis is in the image's requirements: with redis-py's pure-Python parser a `GET /<email>`
    took about a tenth more server CPU (README, "Benchmarks")."""
    client = connect(redis_settings(standalone.config))
    assert isinstance(client, Redis)
    connection = client.connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        client.connection_pool.release(connection)
        client.close()
