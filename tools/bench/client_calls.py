"""The client library's own call behind each hot path, timed in-process: the second half
of the reference issue 26's target 1 sets for the apps without a Go peer (hello world's
server CPU per request plus this call's CPU), and for the shortener, which is compared
with the Go app, how much of its request the SDK call alone is.

    python -m tools.bench.client_calls <target>

Run by ``tools.bench.runner`` with the target's backend variables in its environment and
pinned to the server's CPUs; prints ``{hot path: CPU ms per call}`` as JSON. Each call is
the one the app makes for that hot path, through the same library and connection
settings, without our code around it: what stands between the app and hello world that
no server change can remove. Targets not listed here have no backend call on their hot
path (chaos ``GET /``): their reference is hello world alone.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping

from tools import REPO_ROOT

#: Calls per measurement, after as many unmeasured ones (connections, first-call imports).
CALLS = 2000

Call = Callable[[int], object]


def _dynamodb(env: Mapping[str, str]) -> dict[str, Call]:
    # The apps' own client (fixed user agent, no client-side validation, no retries of its
    # own), imported as the image does: ``common`` from apps/.
    sys.path.insert(0, str(REPO_ROOT / "apps"))
    from common.dynamodb import dynamodb_client

    client = dynamodb_client(env["DYNAMODB_ENDPOINT_URL"], env["AWS_REGION"])
    table = env["TABLE_NAME"]
    key = {"shortcode": {"S": "benchcal"}}
    client.put_item(
        TableName=table, Item={**key, "longurl": {"S": "https://example.com/"}, "active": {"BOOL": True}}
    )
    return {
        "GET /<code>": lambda n: client.get_item(TableName=table, Key=key, ConsistentRead=True),
        "POST /": lambda n: client.put_item(
            TableName=table,
            Item={
                "shortcode": {"S": f"call{n}"},
                "longurl": {"S": f"https://example.com/{n}"},
                "active": {"BOOL": True},
            },
            ConditionExpression="attribute_not_exists(shortcode)",
        ),
    }


def _redis(env: Mapping[str, str]) -> dict[str, Call]:
    from redis import Redis

    host, port = env["MEMORYDB_CLUSTER_ENDPOINT"].rsplit(":", 1)
    client = Redis(
        host=host, port=int(port), username=env["MEMORYDB_USERNAME"], password=env["MEMORYDB_PASSWORD"],
        decode_responses=True,
    )  # fmt: skip
    client.hset("user:bench@example.com", mapping={"email": "bench@example.com", "name": "Bench"})
    return {
        "GET /<email>": lambda n: client.hgetall("user:bench@example.com"),
        "POST /": lambda n: client.hset(
            f"user:call{n}@example.com", mapping={"email": f"call{n}@example.com", "name": f"Call {n}"}
        ),
    }


def _postgres(env: Mapping[str, str]) -> dict[str, Call]:
    from sqlalchemy import create_engine, text

    secret = json.loads(env["DB_SECRET"])
    engine = create_engine(
        "postgresql+psycopg2://",
        # As the app connects: TLS verified against the run's CA, autocommit, a checked pool.
        connect_args={
            "host": secret["host"], "port": secret["port"], "user": secret["username"],
            "password": secret["password"], "dbname": secret["dbname"],
            "sslmode": "verify-full", "sslrootcert": env["DB_CA_FILE"],
        },
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,
    )  # fmt: skip
    listing = text("SELECT * FROM tasks ORDER BY created_at DESC, id DESC LIMIT 20")
    adding = text(
        "INSERT INTO tasks (id, title, completed) VALUES (gen_random_uuid(), :title, false) RETURNING *"
    )

    def listed(n: int) -> object:
        with engine.connect() as connection:
            return connection.execute(listing).mappings().all()

    def added(n: int) -> object:
        with engine.connect() as connection:
            return connection.execute(adding, {"title": f"call {n}"}).mappings().one()

    return {"GET /api/v1/tasks?limit=20": listed, "POST /api/v1/tasks": added}


CLIENTS: dict[str, Callable[[Mapping[str, str]], dict[str, Call]]] = {
    "shortener": _dynamodb,
    "users-redis": _redis,
    "todo-postgres": _postgres,
}


def cpu_ms_per_call(call: Call, calls: int = CALLS) -> float:
    for n in range(calls):
        call(-1 - n)
    began = time.process_time()
    for n in range(calls):
        call(n)
    return (time.process_time() - began) * 1000 / calls


def main() -> None:
    calls = CLIENTS[sys.argv[1]](os.environ)
    json.dump({path: cpu_ms_per_call(call) for path, call in calls.items()}, sys.stdout)


if __name__ == "__main__":
    main()
