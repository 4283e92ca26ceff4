"""Output representations of a stored entity (clause 4.5): normalized, concise, simplified."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker.entities.attributes import VALUE_MEMBER
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context

NORMALIZED = "normalized"
CONCISE = "concise"
KEY_VALUES = "keyValues"
ENTITY_MEMBERS = frozenset({"id", "type", "scope"})


@dataclass(frozen=True, slots=True)
class Representation:
    """What a client asked to see: format, system attributes, which members, which language.

    `pick` and `omit` hold entity member names (id, type, scope) and expanded attribute names.
    """

    format: str = NORMALIZED
    sys_attrs: bool = False
    pick: frozenset[str] | None = None
    omit: frozenset[str] = frozenset()
    lang: str | None = None
    attrs_only: bool = False  # the selection came from `attrs`: id, type and scope always shown
    geometry_property: str = "https://uri.etsi.org/ngsi-ld/location"  # GeoJSON geometry (IRI)
    geometry_named: bool = False  # geometryProperty was given (only GeoJSON takes it)

    def shows(self, member: str) -> bool:
        if member in self.omit:
            return False
        return self.pick is None or member in self.pick


def selects_anything(record: EntityRecord, rep: Representation) -> bool:
    """Whether the selection (attrs, pick, omit) leaves anything of the entity to show."""
    if rep.attrs_only:
        return any(k in record.attrs for k in rep.pick or ())
    members = {"id", "type", *record.attrs, *(["scope"] if record.scopes else [])}
    return any(rep.shows(m) for m in members)


def format_datetime(value: datetime) -> str:
    """UTC DateTime as NGSI-LD writes it: YYYY-MM-DDThh:mm:ss.ffffffZ."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def render_entity(record: EntityRecord, context: Context, rep: Representation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rep.shows("id"):
        out["id"] = record.id
    if rep.shows("type"):
        names = [context.compact(t) for t in record.types]
        out["type"] = names[0] if len(names) == 1 else names
    if record.scopes and rep.shows("scope"):
        out["scope"] = record.scopes[0] if len(record.scopes) == 1 else record.scopes
    for iri, instances in record.attrs.items():
        if rep.shows(iri):
            out[context.compact(iri)] = render_attribute(instances, context, rep)
    if rep.sys_attrs and rep.format != KEY_VALUES:
        out["createdAt"] = format_datetime(record.created_at)
        out["modifiedAt"] = format_datetime(record.modified_at)
    return out


def render_attribute(instances: list[dict[str, Any]], context: Context, rep: Representation) -> Any:
    if rep.format == KEY_VALUES:
        if len(instances) == 1:
            return simplified(instances[0], context, rep.lang)
        # Clause 4.5.4: several instances simplify to a map keyed by datasetId.
        return {
            "dataset": {
                i.get("datasetId", "@none"): simplified(i, context, rep.lang) for i in instances
            }
        }
    rendered = [_instance(i, context, rep, several=len(instances) > 1) for i in instances]
    return rendered[0] if len(rendered) == 1 else rendered


def _instance(
    instance: dict[str, Any], context: Context, rep: Representation, *, several: bool = False
) -> Any:
    attribute_type = instance["type"]
    out: dict[str, Any] = {}
    for key, value in instance.items():
        if ":" in key:
            out[context.compact(key)] = _instance(value, context, rep)
        elif key in ("createdAt", "modifiedAt"):
            if rep.sys_attrs:
                out[key] = value
        elif key == "objectType" or (key == "vocab" and attribute_type == "VocabProperty"):
            out[key] = compact_names(value, context)
        elif key == "languageMap" and rep.lang is not None:
            # Clause 4.15: a LanguageProperty filtered by language becomes a Property.
            out["type"] = "Property"
            tag = chosen_language(value, rep.lang)
            out["value"] = value if tag is None else value[tag]
            if tag is not None:
                out["lang"] = tag
        else:
            out[key] = value
    if rep.format == CONCISE:
        out.pop("type", None)
        if (
            set(out) == {"value"}
            and not several
            and not (isinstance(out["value"], dict) and "type" in out["value"])
        ):
            return out["value"]
    return out


def simplified(instance: dict[str, Any], context: Context, lang: str | None) -> Any:
    """Clause 4.5.4: the simplified (keyValues) form of one attribute instance."""
    attribute_type = instance["type"]
    value = instance[VALUE_MEMBER[attribute_type]]
    if attribute_type == "VocabProperty":
        return {"vocab": compact_names(value, context)}
    if attribute_type == "LanguageProperty":
        tag = chosen_language(value, lang) if lang is not None else None
        return value[tag] if tag is not None else {"languageMap": value}
    if attribute_type == "JsonProperty":
        return {"json": value}
    return value


def compact_names(value: Any, context: Context) -> Any:
    if isinstance(value, list):
        return [context.compact(v) for v in value]
    return context.compact(value)


def chosen_language(language_map: dict[str, Any], lang: str) -> str | None:
    """The languageMap tag to show for `lang` (exact, then primary tag, @none, any); None = all."""
    if lang == "*":
        return None
    wanted = [t.strip() for t in lang.split(",") if t.strip()]
    for tag in wanted:
        if tag in language_map:
            return tag
        for candidate in language_map:
            if candidate.split("-")[0].lower() == tag.split("-")[0].lower():
                return candidate
    if "@none" in language_map:
        return "@none"
    return next(iter(language_map))


def render_feature(record: EntityRecord, context: Context, rep: Representation) -> dict[str, Any]:
    """Clause 4.5.16: the entity as a GeoJSON Feature; geometry from `geometryProperty`."""
    properties = render_entity(record, context, rep)
    entity_id = properties.pop("id", record.id)
    geometry = None
    instances = record.attrs.get(rep.geometry_property) or []
    default = next(
        (i for i in instances if "datasetId" not in i), instances[0] if instances else None
    )
    if default is not None and default.get("type") == "GeoProperty":
        geometry = default["value"]
    return {"id": entity_id, "type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}
