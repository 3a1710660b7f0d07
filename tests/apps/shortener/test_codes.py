"""Codes never collide: a taken code is retried with a new one, never overwritten."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from shortener.codes import generate_code
from shortener.store import MAX_CODE_ATTEMPTS
from tests.apps.shortener.conftest import AppFactory, stored_item
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

    assert first.json["ShortCode"] == taken  # type: ignore[index]
    assert second.status_code == 200
    assert second.json["ShortCode"] == fresh  # type: ignore[index]
    assert client.get(f"/{taken}").headers["Location"] == "https://example.com/first"
    assert client.get(f"/{fresh}").headers["Location"] == "https://example.com/second"
    assert stored_item(local_dynamodb, taken)["longurl"] == {"S": "https://example.com/first"}  # type: ignore[index]


def test_generator_that_only_collides_is_a_json_500(make_app: AppFactory) -> None:
    taken = generate_code()
    client = make_app(SHORTCODE_GENERATOR=sequence([taken] * (1 + MAX_CODE_ATTEMPTS))).test_client()
    client.post("/", data="https://example.com/original")

    response = client.post("/", data="https://example.com/intruder")

    assert response.status_code == 500
    assert response.json == {"error": "could not allocate a short code"}
    assert client.get(f"/{taken}").headers["Location"] == "https://example.com/original"


def test_thousand_creates_are_distinct_and_resolvable(make_app: AppFactory) -> None:
    # Concurrent requests: faster on a shared box, and they race the lazy client creation.
    app = make_app()
    urls = [f"https://example.com/page/{n}?ref=bulk" for n in range(1000)]

    def create(url: str) -> str:
        code: str = app.test_client().post("/", data=url).json["ShortCode"]  # type: ignore[index]
        return code

    def resolve(code: str) -> str | None:
        return app.test_client().get(f"/{code}").headers.get("Location")

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(create, urls))
        locations = list(pool.map(resolve, codes))

    assert len(set(codes)) == len(urls)
    assert locations == urls
