"""Concurrent saves on a real Redis: every user reads back with its last acknowledged name."""

from __future__ import annotations

from tests.apps.api_checks import WRITES_PER_WRITER, run_writers
from tests.support.users_redis import Backend
from users_redis import create_app

#: Each writer owns this many emails and cycles through them, so most saves are updates.
EMAILS_PER_WRITER = 10


def test_every_user_reads_back_with_its_last_acknowledged_name(standalone: Backend) -> None:
    app = create_app({**standalone.config, "TESTING": True})
    clients = [app.test_client() for _ in range(8)]

    def save(writer: int, n: int) -> tuple[str, str] | None:
        # One writer per email: "last acknowledged" is well defined.
        user = {"email": f"load-{writer}-{n % EMAILS_PER_WRITER}@example.com", "name": f"name {n}"}
        response = clients[writer].post("/", json=user)
        assert response.status_code < 500, response.get_data(as_text=True)
        return (user["email"], user["name"]) if response.status_code == 200 else None

    saves = run_writers(save, writers=len(clients))

    # Healthy backends: every write is acknowledged, none refused.
    assert len(saves) == len(clients) * WRITES_PER_WRITER
    # run_writers keeps each writer's acknowledgements in order: the last one wins.
    expected = dict(saves)
    client = app.test_client()
    for email, name in expected.items():
        response = client.get(f"/{email}")
        assert (response.status_code, response.get_json()) == (200, {"email": email, "name": name})
