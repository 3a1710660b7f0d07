"""Codes never collide: a taken code is retried with a new one, never overwritten."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import pytest

from shortener.codes import generate_code
from shortener.store import MAX_CODE_ATTEMPTS
from tests.apps.common.lost_response import LostResponseProxy
from tests.support.responses import json_object
from tests.support.shortener import AppFactory, item_count, stored_item
from tools.backends.dynamodb import LocalDynamoDB


def sequence(codes: Iterable[str]) -> Callable[[], str]:
    """A code generator returning ``codes`` in order."""
    return iter(codes).__next__


def test_colliding_code_is_retried_and_not_overwritten(
    make_app: AppFactory, local_dynamodb: LocalDynamoDB
) -> None:
    taken, fresh = generate_code(), generate_code()
    client = make_app(SHORTCODE_GENERATOR=sequence([taken, taken, taken, fresh])).test_client()

    first = client.post("/", data="https://example.com/first")
    second = client.post("/", data="https://example.com/second")

    assert json_object(first)["ShortCode"] == taken
    assert second.status_code == 200
    assert json_object(second)["ShortCode"] == fresh
    assert client.get(f"/{taken}").headers["Location"] == "https://example.com/first"
    assert client.get(f"/{fresh}").headers["Location"] == "https://example.com/second"
    assert (stored_item(local_dynamodb, taken) or {}).get("longurl") == {"S": "https://example.com/first"}


def test_generator_that_only_collides_is_a_json_500(make_app: AppFactory) -> None:
    taken = generate_code()
    client = make_app(SHORTCODE_GENERATOR=sequence([taken] * (1 + MAX_CODE_ATTEMPTS))).test_client()
    client.post("/", data="https://example.com/original")

    response = client.post("/", data="https://example.com/intruder")

    assert response.status_code == 500
    assert response.json == {"error": "could not allocate a short code"}
    assert client.get(f"/{taken}").headers["Location"] == "https://example.com/original"


def test_a_lost_put_response_stores_one_link_under_the_code_answered(
    make_app: AppFactory, local_dynamodb: LocalDynamoDB
) -> None:
    first, second = generate_code(), generate_code()
    before = item_count(local_dynamodb)
    with LostResponseProxy(local_dynamodb.port, operation="PutItem") as proxy:
        app = make_app(
            DYNAMODB_ENDPOINT_URL=proxy.endpoint_url, SHORTCODE_GENERATOR=sequence([first, second])
        )
        response = app.test_client().post("/", data="https://example.com/lost")

    # DynamoDB stored the first PutItem, its answer was lost, botocore sent it again
    # (and that retry found the code taken: by this very link).
    assert proxy.operations[:2] == ["PutItem", "PutItem"]
    assert response.status_code == 200
    assert json_object(response)["ShortCode"] == first
    assert (stored_item(local_dynamodb, first) or {}).get("longurl") == {"S": "https://example.com/lost"}
    assert stored_item(local_dynamodb, second) is None
    assert item_count(local_dynamodb) == before + 1


@pytest.mark.slow
def test_thousand_creates_are_distinct_and_resolvable(make_app: AppFactory) -> None:
    # Concurrent requests: faster on a shared box, and they race the lazy client creation.
    app = make_app()
    urls = [f"https://example.com/page/{n}?ref=bulk" for n in range(1000)]

    def create(url: str) -> str:
        code: str = json_object(app.test_client().post("/", data=url))["ShortCode"]
        return code

    def resolve(code: str) -> str | None:
        return app.test_client().get(f"/{code}").headers.get("Location")

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(create, urls))
        locations = list(pool.map(resolve, codes))

    assert len(set(codes)) == len(urls)
    assert locations == urls
