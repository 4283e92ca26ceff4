"""Vision entries as NGSI-LD entities: the payloads written, and entries read back.

One entity per base per survey year (`urn:ngsi-ld:DataLinkageBase:<municipality>:<code>:<year>`),
so the yearly fixed-point survey keeps every earlier year as its own entity; each data map row
is a `DataAsset` entity pointing at its base.
"""

from importlib import resources
from typing import Any

import orjson

from catalog.vision.classification import TASKS, Classification
from catalog.vision.schemas import BaseEntry, BaseOut, DataMapItem, entry_fields

BASE_TYPE = "DataLinkageBase"
ASSET_TYPE = "DataAsset"
CONTEXT_DOCUMENT: dict[str, Any] = orjson.loads(
    resources.files("catalog.vision").joinpath("context.jsonld").read_bytes()
)
TERMS: dict[str, Any] = CONTEXT_DOCUMENT["@context"]


def base_id(municipality: str, code: str, year: int) -> str:
    return f"urn:ngsi-ld:{BASE_TYPE}:{municipality}:{code}:{year}"


def asset_prefix(entity_id: str) -> str:
    return entity_id.replace(f":{BASE_TYPE}:", f":{ASSET_TYPE}:", 1) + ":"


def _property(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def _attributes(fields: dict[str, Any]) -> dict[str, Any]:
    """NGSI-LD has no null and no empty Property value: absent fields are left out."""
    return {k: _property(v) for k, v in fields.items() if v is not None and v != "" and v != []}


def base_payload(entry: BaseEntry, classified: Classification) -> dict[str, Any]:
    services = len(entry.services)
    derived = {
        "currentType": classified.current_type,
        "targetType": classified.target_type,
        "migrationPattern": classified.pattern,
        "taskChecklist": [{"task": t, "done": done} for t, done in classified.checklist],
        "connectedServices": services,
        "costPerServiceYen": entry.annualCostYen // services if services else entry.annualCostYen,
    }
    return {
        "id": base_id(entry.municipality, entry.code, entry.surveyYear),
        "type": BASE_TYPE,
        **_attributes(entry_fields(entry)),
        **_attributes(derived),
    }


def asset_payloads(entity_id: str, items: list[DataMapItem]) -> list[dict[str, Any]]:
    prefix = asset_prefix(entity_id)
    return [
        {
            "id": f"{prefix}{n}",
            "type": ASSET_TYPE,
            "refDataLinkageBase": {"type": "Relationship", "object": entity_id},
            "position": _property(n),
            **_attributes(item.model_dump(mode="json")),
        }
        for n, item in enumerate(items, start=1)
    ]


def _defaults() -> dict[str, Any]:
    """What a stored entity leaves out (empty lists and strings) read back as the schema's
    defaults."""
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in BaseEntry.model_fields.items()
        if not field.is_required()
    }


def entry_out(entity: dict[str, Any], assets: list[dict[str, Any]]) -> BaseOut:
    fields = {**_defaults(), **{k: v for k, v in entity.items() if k != "type"}}
    fields.setdefault("migrationPattern", None)
    fields["taskChecklist"] = [
        {"task": item["task"], "label": TASKS[item["task"]], "done": item["done"]}
        for item in fields.get("taskChecklist", [])
    ]
    ordered = sorted(assets, key=lambda a: a.get("position", 0))
    fields["dataMap"] = [
        {k: v for k, v in a.items() if k in DataMapItem.model_fields} for a in ordered
    ]
    return BaseOut.model_validate(fields)
