"""The MemoryDB code path: cluster client, TLS verified against a CA, ACL user and password.

As on MemoryDB, the nodes are reached by IP address and their certificate names a host
only: the chain is checked (a test below), the name cannot be.
"""

from __future__ import annotations

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.support.users_redis import Backend, cluster_config, new_email
from tools.backends.redis import LocalRedisCluster
from users_redis import create_app, settings
from users_redis.store import user_key


def test_users_are_spread_over_the_masters(redis_cluster: LocalRedisCluster, cluster: Backend) -> None:
    client = create_app(cluster.config).test_client()
    emails = [new_email() for _ in range(12)]
    for email in emails:
        assert client.post("/", json={"email": email, "name": email}).status_code == 200

    keys_per_node = []
    for port in redis_cluster.ports:
        with redis_cluster.admin_client(port) as node:
            keys_per_node.append({key.decode() for key in node.scan_iter(match="user:*", count=1000)})
    wanted = {user_key(email) for email in emails}
    assert all(sum(key in keys for keys in keys_per_node) == 1 for key in wanted)
    assert sum(1 for keys in keys_per_node if keys & wanted) > 1, "every user landed on one node"
    for email in emails:
        assert client.get(f"/{email}").get_json() == {"email": email, "name": email}


def test_the_server_certificate_is_verified(redis_cluster: LocalRedisCluster) -> None:
    """Without the local CA only the system bundle is trusted, which rejects a self-signed CA."""
    config = cluster_config(redis_cluster)
    del config[settings.CA_FILE]
    response = create_app(config).test_client().get(f"/{new_email()}")
    assert response.status_code == 503


def test_a_wrong_password_is_unavailable_not_a_crash(redis_cluster: LocalRedisCluster) -> None:
    config = {**cluster_config(redis_cluster), settings.PASSWORD: "not-the-password"}
    response = create_app(config).test_client().get(f"/{new_email()}")
    assert response.status_code == 503
    assert response.get_json() == {"error": "user store unavailable, retry later"}


def test_the_cluster_refuses_the_default_user(redis_cluster: LocalRedisCluster) -> None:
    """Guards the fixture itself: the app's credentials are really what lets it in."""
    anonymous = redis.Redis(
        host="127.0.0.1",
        port=redis_cluster.ports[0],
        ssl=True,
        ssl_ca_certs=str(redis_cluster.ca_file),
        ssl_check_hostname=False,  # the certificate names localhost, not the node's IP
        retry=Retry(NoBackoff(), retries=0),
    )
    with anonymous, pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.ping()


def test_plain_text_is_refused(redis_cluster: LocalRedisCluster) -> None:
    config = {**cluster_config(redis_cluster), settings.TLS: "off"}
    assert create_app(config).test_client().get(f"/{new_email()}").status_code == 503
