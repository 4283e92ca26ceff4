"""Term expansion and compaction over processed contexts."""

from typing import Any

import pytest

from broker.core.errors import BadRequestData, LdContextNotAvailable
from broker.jsonld.context import ContextResolver


async def test_core_terms_and_default_vocabulary() -> None:
    core = ContextResolver().core
    assert core.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
    assert core.expand("Vehicle") == "https://uri.etsi.org/ngsi-ld/default-context/Vehicle"
    assert core.compact("https://uri.etsi.org/ngsi-ld/default-context/Vehicle") == "Vehicle"
    assert core.compact("https://example.org/x") == "https://example.org/x"


async def test_user_terms_prefixes_and_core_precedence() -> None:
    context = await ContextResolver().resolve(
        {"schema": "https://schema.org/", "brand": "schema:brand", "location": "https://x.org/l"}
    )
    assert context.expand("brand") == "https://schema.org/brand"
    assert context.expand("schema:color") == "https://schema.org/color"
    assert context.compact("https://schema.org/color") == "schema:color"
    assert context.compact("https://schema.org/brand") == "brand"
    # The core context comes last and is protected: its terms win.
    assert context.expand("location") == "https://uri.etsi.org/ngsi-ld/location"


async def test_invalid_context_is_bad_request_data() -> None:
    protected_then_redefined = [
        {"a": {"@id": "https://x.example/a", "@protected": True}},
        {"a": "https://y.example/a"},
    ]
    with pytest.raises(BadRequestData, match="protected term redefinition"):
        await ContextResolver().resolve(protected_then_redefined)
    with pytest.raises(BadRequestData, match="invalid term definition"):
        await ContextResolver().resolve({"a": 3})


async def test_unreachable_remote_context_is_ld_context_not_available() -> None:
    resolver = ContextResolver(fetch_timeout=2.0)
    try:
        with pytest.raises(LdContextNotAvailable):
            await resolver.resolve("http://127.0.0.1:9/context.jsonld")
    finally:
        await resolver.aclose()


HOSTED_URL = "http://renkei.example/ngsi-ld/v1/jsonldContexts/0b7e4f52-2c1d-4a8e-9d6e-5f1f8f3c2a10"


class Hosted:
    """A tenant's hosted contexts, as the service's lookup gives them."""

    def __init__(self) -> None:
        self.documents = {HOSTED_URL.rsplit("/", 1)[1]: {"@context": {"brand": "https://b/"}}}
        self.asked = 0

    async def __call__(self, local_id: str) -> dict[str, Any] | None:
        self.asked += 1
        return self.documents.get(local_id)


async def test_hosted_url_resolves_through_the_lookup_and_is_kept_for_documents_of() -> None:
    hosted = Hosted()
    resolver = ContextResolver()
    context = await resolver.resolve(HOSTED_URL, hosted=hosted)
    assert context.expand("brand") == "https://b/"
    assert resolver.documents_of(HOSTED_URL) == {HOSTED_URL: {"@context": {"brand": "https://b/"}}}
    assert resolver.cached() == {}  # hosted documents are not the Cached kind
    # Resolved later from those documents alone (a subscription's notifications).
    again = await resolver.resolve(HOSTED_URL, resolver.documents_of(HOSTED_URL))
    assert again.expand("brand") == "https://b/"


async def test_hosted_url_is_looked_up_every_time_and_not_resolved_once_gone() -> None:
    hosted = Hosted()
    resolver = ContextResolver(fetch_timeout=2.0)
    try:
        await resolver.resolve(HOSTED_URL, hosted=hosted)
        await resolver.resolve(HOSTED_URL, hosted=hosted)
        assert hosted.asked == 2
        hosted.documents.clear()  # deleted, perhaps on another replica
        with pytest.raises(LdContextNotAvailable):
            await resolver.resolve(HOSTED_URL, hosted=hosted)
    finally:
        await resolver.aclose()
