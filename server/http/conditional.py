"""Conditional GET for documents that depend only on the build served: ETag and Last-Modified from the
build, and the check of If-None-Match / If-Modified-Since. No web framework types beyond the request's
headers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

from starlette.requests import Request

from andts.server.engine import builds


def build_validators(build: builds.Build, variant: str) -> dict[str, str]:
    """ETag and Last-Modified of a document that depends only on the build (and its format)."""
    digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:12]
    headers = {"ETag": f'W/"{build.info.id}-{digest}"'}
    modified = _http_date(build.info.created)
    if modified is not None:
        headers["Last-Modified"] = modified
    return headers


@lru_cache(maxsize=8)  # a handful of builds are served in a server's life, and every response asks
def _http_date(created: str) -> str | None:
    """The build's time (ISO 8601) as an HTTP date, to the second; None if it does not parse."""
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def not_modified(request: Request, validators: dict[str, str]) -> bool:
    """Conditional GET: If-None-Match (weak comparison) first, else If-Modified-Since."""
    if request.method not in ("GET", "HEAD"):
        return False
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or validators["ETag"].removeprefix("W/") in tags
    ims, lm = request.headers.get("if-modified-since"), validators.get("Last-Modified")
    if ims and lm:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError, OverflowError):  # OverflowError: a date with a huge number in it
            return False
    return False
