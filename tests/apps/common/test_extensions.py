"""``common.extensions`` and ``common.responses``: what every app's routes share."""

from __future__ import annotations

import pytest
from flask import Flask

from common.extensions import Extension
from common.responses import empty_response


class Store:
    pass


STORE = Extension("test.store", Store)


def test_an_extension_holds_the_object_create_app_kept() -> None:
    app = Flask(__name__)
    store = Store()
    STORE.init_app(app, store)

    with app.app_context():
        assert STORE.get() is store
    assert STORE.of(app) is store


def test_an_extension_refuses_an_object_of_another_type() -> None:
    app = Flask(__name__)
    app.extensions[STORE.name] = object()

    with pytest.raises(TypeError, match=r"^app.extensions\['test.store'\] is a object, not a Store$"):
        STORE.of(app)


@pytest.mark.parametrize("status", [200, 204])
def test_an_empty_response_has_no_body_and_no_type(status: int) -> None:
    response = empty_response(status)

    assert (response.status_code, response.get_data()) == (status, b"")
    assert "Content-Type" not in response.headers
