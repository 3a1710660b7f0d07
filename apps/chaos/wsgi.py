"""gunicorn entry point: ``chaos.wsgi:app``."""

from chaos import create_app

app = create_app()
