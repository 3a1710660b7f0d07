"""The baseline: Flask's hello world, served by ``make bench`` under the apps' gunicorn config."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
