"""Conditional GET for documents that depend only on the build served: ETag and Last-Modified from the
build, and the check of If-None-Match / If-Modified-Since. No web framework types beyond the request's
headers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request

from andts.server import sparql


def build_validators(build: sparql.Build, variant: str) -> dict[str, str]:
    """ETag and Last-Modified of a document that depends only on the build (and its format)."""
    digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:12]
    headers = {"ETag": f'W/"{build.info.id}-{digest}"'}
    modified = build_time(build)
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    return headers


def build_time(build: sparql.Build) -> datetime | None:
    try:
        created = datetime.fromisoformat(build.info.created)
    except ValueError:
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created.astimezone(timezone.utc).replace(microsecond=0)


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
