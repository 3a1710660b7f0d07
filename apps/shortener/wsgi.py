"""gunicorn entry point: ``shortener.wsgi:app``."""

from shortener import create_app

app = create_app()
