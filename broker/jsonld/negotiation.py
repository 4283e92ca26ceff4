"""NGSI-LD HTTP binding (clause 6.3): media types, the JSON-LD context Link header, Accept."""

import re

from broker.core.errors import BadRequestData, NotAcceptable

JSON = "application/json"
LD_JSON = "application/ld+json"
GEO_JSON = "application/geo+json"
MERGE_PATCH_JSON = "application/merge-patch+json"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r'\s*;\s*([A-Za-z0-9_\-]+)\s*=\s*"?([^";]*)"?')


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased, without parameters."""
    return (header or "").split(";", 1)[0].strip().lower()


def link_context(header: str | None) -> str | None:
    """The context URL of a `Link: <url>; rel="http://www.w3.org/ns/json-ld#context"` header."""
    if not header:
        return None
    urls = []
    for match in _LINK.finditer(header):
        params = {k.lower(): v.strip() for k, v in _PARAM.findall(match.group(2))}
        if params.get("rel") == CONTEXT_REL:
            urls.append(match.group(1).strip())
    if len(urls) > 1:
        raise BadRequestData("only one JSON-LD context Link header is allowed")
    if urls and not re.match(r"^https?://[^\s]+$", urls[0]):
        raise BadRequestData(f"JSON-LD context Link must be an absolute http(s) URL: {urls[0]!r}")
    return urls[0] if urls else None


def link_header(url: str) -> str:
    return f'<{url}>; rel="{CONTEXT_REL}"; type="{LD_JSON}"'


def negotiate(accept: str | None, offers: tuple[str, ...] = (JSON, LD_JSON)) -> str:
    """The offered media type the Accept header prefers; the first offer for */* or none."""
    if not accept or not accept.strip():
        return offers[0]
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        parts = item.split(";")
        kind = parts[0].strip().lower()
        quality = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if quality > 0 and kind:
            ranked.append((-quality, position, kind))
    for _q, _p, kind in sorted(ranked):
        if kind in offers:
            return kind
        if kind in ("*/*", "application/*"):
            return offers[0]
    raise NotAcceptable(f"none of {accept!r} can be produced; offered: {', '.join(offers)}")
