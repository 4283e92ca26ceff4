"""Term expansion and compaction over processed contexts."""

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
