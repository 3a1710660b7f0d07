"""DynamoDB refusing connections, accepting them and never answering, or frozen: every
request that needs it answers 503 with Retry-After by the deadline, /healthz answers
throughout, and the same app works again once DynamoDB is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.dynamodb import DEADLINE_SECONDS
from tests.support.outage import OUTAGES, answers_while_healthz_answers, assert_unavailable, outage
from tests.support.responses import json_object
from tests.support.shortener import PARTITION_KEY, TABLE_NAME, AppFactory
from tools.backends.dynamodb import LocalDynamoDB
from tools.backends.proxy import HoldingProxy

pytestmark = pytest.mark.slow

URL = "https://example.com/before-the-outage"


@pytest.fixture
def own_dynamodb(tmp_path: Path) -> Iterator[LocalDynamoDB]:
    """A dynalite of its own (on disk, so data survives a restart) to stop, freeze and start."""
    with LocalDynamoDB(path=tmp_path / "dynalite") as server:
        server.create_table(TABLE_NAME, partition_key=PARTITION_KEY)
        yield server


@pytest.mark.parametrize("name", OUTAGES)
def test_outage_is_a_503_by_the_deadline_and_the_app_recovers(
    make_app: AppFactory, own_dynamodb: LocalDynamoDB, name: str
) -> None:
    with HoldingProxy(own_dynamodb.port) as proxy:
        endpoint = f"http://127.0.0.1:{proxy.port}" if name == "unanswered" else own_dynamodb.endpoint_url
        app = make_app(DYNAMODB_ENDPOINT_URL=endpoint)
        code = json_object(app.test_client().post("/", data=URL))["ShortCode"]

        with outage(name, own_dynamodb, proxy)():
            answers = answers_while_healthz_answers(
                app,
                [lambda client: client.get(f"/{code}"), lambda client: client.post("/", data=URL)],
                within=2 * DEADLINE_SECONDS,
            )
        for response in answers:
            assert_unavailable(response, "DynamoDB is unavailable; retry later")

        client = app.test_client()
        assert client.get(f"/{code}").headers["Location"] == URL
        assert client.post("/", data=URL).status_code == 200
