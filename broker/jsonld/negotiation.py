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
    """Clause 6.3.4: the offer the Accept header weighs highest; among equal weights the first
    of the spec's list (offers are in that order). Each offer takes the q of the most specific
    range naming it (type/subtype over type/* over */*); q=0 excludes it. A missing Accept is
    */*; nothing left is 406 NotAcceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges: dict[str, float] = {}
    for item in accept.split(","):
        parts = item.split(";")
        kind = parts[0].strip().lower()
        if not kind:
            continue
        quality = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges[kind] = max(quality, ranges.get(kind, 0.0))
    best: tuple[float, str] | None = None
    for offer in offers:
        family = offer.split("/", 1)[0] + "/*"
        quality = next((ranges[k] for k in (offer, family, "*/*") if k in ranges), 0.0)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, offer)
    if best is None:
        raise NotAcceptable(f"none of {accept!r} can be produced; offered: {', '.join(offers)}")
    return best[1]
