"""Checks every app suite shares: its OpenAPI document against its routes, a schema
fuzz run, and concurrent writers for the load tests."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from common.openapi import OPENAPI_PATH

#: The issue asks for at least 500 generated requests per app.
FUZZ_REQUESTS = 500
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
_IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
#: Keys of an OpenAPI path item that are operations (others: parameters, summary, ...).
_OPENAPI_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_FLASK_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

T = TypeVar("T")


def documented_operations(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the document the app serves."""
    document = app.test_client().get(OPENAPI_PATH).get_json()
    return {
        (key.upper(), path)
        for path, item in document["paths"].items()
        for key in item
        if key in _OPENAPI_METHODS
    }


def routed_operations(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, path) of every Flask rule, ``<code>`` written ``{code}``; no HEAD/OPTIONS."""
    return {
        (method, _FLASK_PARAMETER.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - _IMPLICIT_METHODS
    }


def fuzz(app: Flask, *, exclude_paths: Collection[str] = (), requests: int = FUZZ_REQUESTS) -> int:
    """Send ``requests`` generated requests (valid and invalid input) to the app in process;
    any 5xx or any response the document does not describe fails. Returns the count sent."""
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)
    if exclude_paths:
        schema = schema.exclude(path=list(exclude_paths))
    # OpenAPI matches concrete paths before templated ones: GET /{code} with code
    # "healthz" is GET /healthz, an operation of its own, so such cases are not /{code}'s.
    concrete = {path for path in schema.raw_schema["paths"] if "{" not in path}
    sent = 0
    cases = st.one_of(
        schema.as_strategy(schemathesis.GenerationMode.POSITIVE),
        schema.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    ).filter(lambda case: case.path in concrete or case.formatted_path not in concrete)

    # derandomize: the same requests on every run, so CI failures reproduce.
    @settings(
        max_examples=requests,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    # The unused draw lets hypothesis repeat a case: an API with few distinct requests
    # (chaos: four) would otherwise end the run early, with the space "exhausted".
    @given(case=cases, _repeat=st.integers(min_value=0, max_value=requests))
    def send(case: schemathesis.Case[Any], _repeat: int) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(checks=CHECKS)

    send()
    return sent


#: Writes each load-test writer makes.
WRITES_PER_WRITER = 50


def run_writers(
    write: Callable[[int, int], T | None],
    *,
    writers: int = 8,
    writes: int = WRITES_PER_WRITER,
    timeout: float = 60.0,
) -> list[T]:
    """``writers`` threads, released together, each call ``write(writer, n)`` for ``n`` in
    ``range(writes)``; returns what the calls acknowledged (None = not acknowledged),
    each writer's in the order it made them.

    A fixed number of writes, not as many as fit in a time window: what the tests assert
    then does not depend on how fast the machine is. ``timeout`` only catches a hang.
    """
    acknowledged: list[T] = []
    lock = threading.Lock()
    failures: list[BaseException] = []
    start = threading.Barrier(writers)

    def loop(writer: int) -> None:
        try:
            start.wait(timeout)
            for n in range(writes):
                result = write(writer, n)
                if result is not None:
                    with lock:
                        acknowledged.append(result)
        except BaseException as error:
            failures.append(error)

    # Daemons: a hung writer fails the test below instead of keeping pytest from exiting.
    threads = [threading.Thread(target=loop, args=(writer,), daemon=True) for writer in range(writers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if failures:
        raise failures[0]
    assert not any(thread.is_alive() for thread in threads), f"a writer hung for {timeout} s"
    return acknowledged
