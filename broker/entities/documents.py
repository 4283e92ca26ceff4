"""Pure operations on an entity's stored attributes (no I/O): put, merge, delete.

`attrs` is ``{attribute IRI: [instance, ...]}`` as produced by AttributeParser. Merging works on
the stored form: an instance overlaid with a request fragment is parsed again, so a merged
attribute is validated exactly like a new one.
"""

from dataclasses import dataclass, field
from typing import Any

from broker.core.errors import BadRequestData
from broker.entities.attributes import (
    CORE_MEMBERS,
    DEFAULT_DATASET,
    GEOMETRY_TYPES,
    NGSI_LD_NULL,
    SYSTEM_MEMBERS,
    VALUE_MEMBER,
    AttributeParser,
    check_attribute_name,
)

Attrs = dict[str, list[dict[str, Any]]]
_VALUE_MEMBERS = frozenset(VALUE_MEMBER.values())


@dataclass
class UpdateResult:
    """Clause 5.2.18: which attributes were updated and which not, with why."""

    updated: list[str] = field(default_factory=list)
    not_updated: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.not_updated


def find_instance(instances: list[dict[str, Any]], dataset_id: str | None) -> int | None:
    """The instance of a datasetId (None or "@none": the default instance)."""
    if dataset_id == DEFAULT_DATASET:
        dataset_id = None
    for index, instance in enumerate(instances):
        if instance.get("datasetId") == dataset_id:
            return index
    return None


def keep_created(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    return {**new, "createdAt": old.get("createdAt", new["createdAt"])}


def put(attrs: Attrs, iri: str, incoming: list[dict[str, Any]], *, overwrite: bool) -> bool:
    """Add or replace instances by datasetId; False if noOverwrite kept an existing one."""
    instances = list(attrs.get(iri, []))
    complete = True
    for instance in incoming:
        index = find_instance(instances, instance.get("datasetId"))
        if index is None:
            instances.append(instance)
        elif overwrite:
            instances[index] = keep_created(instance, instances[index])
        else:
            complete = False
    attrs[iri] = instances
    return complete


def remove(attrs: Attrs, iri: str, *, dataset_id: str | None, delete_all: bool = False) -> bool:
    """Delete one instance (by datasetId; None = the default one) or all; False if none."""
    instances = attrs.get(iri)
    if not instances:
        return False
    if delete_all:
        del attrs[iri]
        return True
    index = find_instance(instances, dataset_id)
    if index is None:
        return False
    remaining = instances[:index] + instances[index + 1 :]
    if remaining:
        attrs[iri] = remaining
    else:
        del attrs[iri]
    return True


def is_null(raw: Any) -> bool:
    """NGSI-LD Null (clause 4.5.0): an attribute fragment that deletes what it targets."""
    if raw == NGSI_LD_NULL or raw == [NGSI_LD_NULL]:
        return True
    if isinstance(raw, dict):
        for member in _VALUE_MEMBERS:
            if member in raw:
                value = raw[member]
                if member == "languageMap" and isinstance(value, dict):
                    return bool(value) and all(v == NGSI_LD_NULL for v in value.values())
                return value == NGSI_LD_NULL or value == [NGSI_LD_NULL]
    return False


def as_fragment(raw: Any) -> dict[str, Any]:
    """A fragment for an existing instance: objects are fragments (members and sub-attributes
    to merge); a bare value or a bare GeoJSON geometry is the new value (concise form)."""
    if isinstance(raw, dict) and raw.get("type") not in GEOMETRY_TYPES:
        return raw
    return {"value": raw}


def json_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 on a compound value, with NGSI-LD Null as the deleting value."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value == NGSI_LD_NULL:
            merged.pop(key, None)
        else:
            merged[key] = json_merge_patch(merged.get(key), value)
    return merged


def overlay(
    current: dict[str, Any],
    raw: Any,
    parser: AttributeParser,
    *,
    merge_values: bool,
    allow_type_change: bool,
) -> dict[str, Any]:
    """Current instance overlaid with a fragment, in raw (re-parseable) form."""
    fragment = as_fragment(raw)
    new_type = fragment.get("type")
    if new_type and new_type != current["type"]:
        if not allow_type_change:
            raise BadRequestData(
                f"cannot change a {current['type']} into a {new_type} with a partial update"
            )
        return fragment
    merged = {k: v for k, v in current.items() if k not in ("createdAt", "modifiedAt")}
    for key, value in fragment.items():
        if key in SYSTEM_MEMBERS:
            continue
        if key in CORE_MEMBERS:
            if value == NGSI_LD_NULL:
                if key in ("datasetId", "type") or key in _VALUE_MEMBERS:
                    raise BadRequestData(f"{key} cannot be set to NGSI-LD Null")
                merged.pop(key, None)
            elif merge_values and key in _VALUE_MEMBERS:
                merged[key] = json_merge_patch(merged.get(key), value)
            else:
                merged[key] = value
            continue
        iri = parser.context.expand(check_attribute_name(key))
        if is_null(value):
            merged.pop(iri, None)
        elif iri in merged:
            merged[iri] = overlay(
                merged[iri], value, parser, merge_values=merge_values, allow_type_change=True
            )
        else:
            merged[iri] = value
    return merged


def merge(
    attrs: Attrs, iri: str, name: str, raw: Any, parser: AttributeParser, *, merge_values: bool
) -> None:
    """Merge one attribute of a fragment into attrs (clause 5.5.12): add, merge or delete."""
    fragments = (
        raw
        if isinstance(raw, list)
        and raw
        and all(isinstance(r, dict) for r in raw)
        and any("datasetId" in r or "type" in r for r in raw)
        else [raw]
    )
    for fragment in fragments:
        dataset_id = fragment.get("datasetId") if isinstance(fragment, dict) else None
        instances = attrs.get(iri, [])
        index = find_instance(instances, dataset_id)
        if is_null(fragment):
            remove(attrs, iri, dataset_id=dataset_id)
            continue
        if index is None:
            new = parser.instance(name, _strip_nulls(fragment))
            attrs[iri] = [*instances, new]
            continue
        merged = overlay(
            instances[index], fragment, parser, merge_values=merge_values, allow_type_change=True
        )
        new = keep_created(parser.instance(name, merged), instances[index])
        attrs[iri] = [*instances[:index], new, *instances[index + 1 :]]


def _strip_nulls(raw: Any) -> Any:
    """A new attribute's fragment without the (meaningless) deletions it names."""
    if not isinstance(raw, dict):
        return raw
    return {
        k: v for k, v in raw.items() if k in _VALUE_MEMBERS or not (is_null(v) or v == NGSI_LD_NULL)
    }
