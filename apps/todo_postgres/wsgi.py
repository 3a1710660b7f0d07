"""gunicorn entry point: ``todo_postgres.wsgi:app``."""

from todo_postgres import create_app

app = create_app()
