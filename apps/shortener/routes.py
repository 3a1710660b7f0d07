"""``POST /`` shortens a URL, ``GET /<code>`` redirects to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, request, url_for
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response

from common import ApiError, BadRequest, NotFound, json_object
from common.extensions import Extension
from common.requests import request_body
from shortener.codes import is_valid_code
from shortener.store import LinkStore

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})
STORE = Extension("shortener.store", LinkStore)

blueprint = Blueprint("shortener", __name__)


#: The letters that IDNA 2003 (Python's codec, which the redirect's Location header uses)
#: maps to others (ß to ss, final sigma to sigma) and UTS 46, what browsers use, keeps: with one, the
#: redirect would go to another host than the one the link was made for. (The other two
#: deviations, the zero-width joiners, are refused as control characters.)
_IDNA_DEVIATIONS = frozenset("ßς")


def validated_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL we are willing to redirect to."""
    if len(url) > MAX_URL_LENGTH:
        raise BadRequest(f"URL is longer than {MAX_URL_LENGTH} characters")
    # Whitespace and control characters would end up in the Location header.
    if any(char.isspace() or not char.isprintable() for char in url):
        raise BadRequest("URL must not contain whitespace or control characters")
    # A backslash makes the host depend on who reads the URL: typed in a browser,
    # http://a.com\@evil.com/ is a.com ("\" is "/" there), but urlsplit and the redirect
    # (Location: http://a.com%5C@evil.com/) take it to evil.com.
    if "\\" in url:
        raise BadRequest("URL must not contain a backslash")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise BadRequest(f"URL is malformed: {error}") from error
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise BadRequest("URL must be an absolute http:// or https:// URL")
    if _IDNA_DEVIATIONS.intersection(parts.hostname):
        raise BadRequest(
            "URL host must not contain ß or ς: browsers and the redirect would encode it as different hosts"
        )
    # The redirect's Location header is this conversion (IDNA host): a host it cannot
    # encode (an empty or 64+ character label) would fail every redirect, after the
    # response has left Flask's error handling.
    try:
        iri_to_uri(url)
    except UnicodeError as error:
        raise BadRequest(f"URL host is not a valid domain name: {error}") from error
    return url


def _long_url_from_body() -> str:
    """The URL as the raw body (``curl -d '<url>'``) or as JSON ``{"url": "..."}``."""
    try:
        body = request_body().decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise BadRequest("request body must be UTF-8 text") from error
    if not body:
        raise BadRequest('request body is empty; send the URL, or JSON {"url": "<url>"}')
    # No URL starts with "{", so such a body is JSON even without a JSON content type.
    if not (request.is_json or body.startswith("{")):
        return body
    url = json_object().get("url")
    if not isinstance(url, str) or not url.strip():
        raise BadRequest('JSON body must have a non-empty string "url"')
    return url.strip()


@blueprint.post("/")
def shorten() -> dict[str, str]:
    code = STORE.get().create(validated_url(_long_url_from_body()))
    return {"ShortCode": code, "ShortURL": url_for("shortener.resolve", code=code, _external=True)}


@blueprint.get("/<code>")
def resolve(code: str) -> Response:
    # A code we could never have issued is not worth a DynamoDB read.
    found = STORE.get().long_url(code) if is_valid_code(code) else None
    if found is None:
        raise NotFound(f"short code {code!r} not found")
    long_url, active = found
    if not active:
        raise ApiError(f"short code {code!r} is no longer active", status=410)
    # Empty body, as in the original app: no HTML "Redirecting..." page.
    return Response(status=302, headers={"Location": long_url})
