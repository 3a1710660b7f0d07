"""DynamoDB refusing connections, accepting them and never answering, or frozen: both
DynamoDB endpoints answer 503 with Retry-After by the deadline, /healthz answers
throughout, and the same app works again once DynamoDB is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos import create_app
from common.dynamodb import DEADLINE_SECONDS
from tests.support.outage import OUTAGES, answers_while_healthz_answers, assert_unavailable, outage
from tools.backends.dynamodb import LocalDynamoDB
from tools.backends.proxy import HoldingProxy

pytestmark = pytest.mark.slow

PATHS = ("/dynamodb/read", "/dynamodb/write")


@pytest.fixture
def own_dynamodb(tmp_path: Path, dynamodb_env: LocalDynamoDB, table: str) -> Iterator[LocalDynamoDB]:
    """A dynalite of its own (on disk, so data survives a restart) with the test's table,
    to stop, freeze and start."""
    with LocalDynamoDB(path=tmp_path / "dynalite") as server:
        server.create_table(table, partition_key="pk", sort_key="sk")
        yield server


@pytest.mark.parametrize("name", OUTAGES)
def test_outage_is_a_503_by_the_deadline_and_the_app_recovers(own_dynamodb: LocalDynamoDB, name: str) -> None:
    with HoldingProxy(own_dynamodb.port) as proxy:
        endpoint = f"http://127.0.0.1:{proxy.port}" if name == "unanswered" else own_dynamodb.endpoint_url
        app = create_app({"TESTING": True, "DYNAMODB_ENDPOINT_URL": endpoint})
        written = app.test_client().get("/dynamodb/write").get_json()["item"]

        with outage(name, own_dynamodb, proxy)():
            answers = answers_while_healthz_answers(
                app,
                [lambda client: client.get(PATHS[0]), lambda client: client.get(PATHS[1])],
                within=2 * DEADLINE_SECONDS,
            )
        for response in answers:
            assert_unavailable(response, "DynamoDB is unavailable; retry later")

        client = app.test_client()
        assert client.get("/dynamodb/write").status_code == 200
        assert written in client.get("/dynamodb/read").get_json()["items"]
