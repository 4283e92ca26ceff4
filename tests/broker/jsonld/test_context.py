"""Term expansion and compaction over processed contexts."""

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
