"""gunicorn's entry point (``users_redis.wsgi:app``)."""

from users_redis import create_app

app = create_app()
