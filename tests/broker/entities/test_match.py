"""compile_matcher on entities built in memory: the rules that are easy to get wrong."""

from datetime import UTC, datetime
from typing import Any

import pytest

from broker.core.errors import BadRequestData
from broker.entities.changes import Clock, new_entity
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.match import compile_matcher
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context, ContextResolver

CORE = ContextResolver().core
CREATED = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def entity(entity_id: str = "urn:ngsi-ld:T:1", **attributes: Any) -> EntityRecord:
    body = {"id": entity_id, "type": attributes.pop("type", "T"), **attributes}
    return new_entity(body, CORE, Clock(CREATED, "2026-11-22T08:00:00.000000Z"))


def q(text: str, record: EntityRecord, context: Context = CORE) -> bool:
    return compile_matcher(EntityQuery(q=parse_q(text)), context)(record)


def test_not_equal_requires_the_attribute_to_exist() -> None:
    assert q("speed!=10", entity(speed=20))
    assert not q("speed!=10", entity(other=20))
    assert not q("speed[a]!=10", entity(speed={"b": 1}))


def test_not_equal_fails_when_any_instance_or_element_equals() -> None:
    two = entity(speed=[{"value": 10}, {"value": 20, "datasetId": "urn:ngsi-ld:D:1"}])
    assert not q("speed!=10", two)
    assert q("speed!=30", two)
    assert not q("speed!=10", entity(speed={"type": "Property", "value": [10, 30]}))


def test_a_multi_instance_attribute_matches_when_any_instance_matches() -> None:
    record = entity(speed=[{"value": 10}, {"value": 90, "datasetId": "urn:ngsi-ld:D:1"}])
    assert q("speed>50", record)
    assert q("speed<50", record)
    assert q('speed.datasetId=="urn:ngsi-ld:D:1"', record)
    assert not q("speed==50", record)


def test_an_array_matches_when_any_element_matches() -> None:
    record = entity(tags={"type": "Property", "value": ["a", "b", 3]})
    assert q('tags=="b"', record)
    assert q("tags==3", record)
    assert q("tags==1..4", record)
    assert not q('tags=="c"', record)


def test_nested_arrays_and_objects_never_compare() -> None:
    record = entity(data={"type": "Property", "value": [[1, 2], {"x": 3}]})
    assert not q("data==1", record)
    assert not q("data==3", record)
    assert not q('settings=="auto"', entity(settings={"mode": "auto"}))
    assert q('settings[mode]=="auto"', entity(settings={"mode": "auto"}))


def test_a_value_object_compares_by_its_at_value() -> None:
    record = entity(when={"@type": "DateTime", "@value": "2026-11-22T08:00:00Z"})
    assert q("when==2026-11-22T08:00:00Z", record)
    assert not q('when=="DateTime"', record)
    assert q("when[@type]", record)


def test_numbers_booleans_and_strings_do_not_match_each_other() -> None:
    assert not q("flag==1", entity(flag=True))
    assert not q("count==true", entity(count=1))
    assert not q("count==0", entity(count=False))
    assert not q("code==10", entity(code="10"))
    assert not q('code=="10"', entity(code=10))
    assert q("ratio==0.5", entity(ratio=0.5))
    assert q("count==1.0", entity(count=1))


def test_booleans_compare_only_for_equality() -> None:
    assert q("flag==true", entity(flag=True))
    assert q("flag!=true", entity(flag=False))
    with pytest.raises(BadRequestData):
        compile_matcher(EntityQuery(q=parse_q("flag>true")), CORE)
    with pytest.raises(BadRequestData):
        compile_matcher(EntityQuery(q=parse_q("flag==true..false")), CORE)


def test_strings_compare_in_code_point_order() -> None:
    assert q('name<"a"', entity(name="Zoo"))
    assert q("name==A..Z", entity(name="Mito"))
    assert not q("name==A..Z", entity(name="mito"))
    assert q('name>"z"', entity(name="Ärger"))


def test_dates_and_times_compare_as_text() -> None:
    record = entity(seen="2026-11-22T09:30:00+09:00")
    assert q("seen>2026-11-22T08:30:00Z", record)  # the text sorts later, the instant is earlier
    assert q("seen==2026-11-22T09:30:00+09:00", record)
    assert q("day<2026-12-01", entity(day="2026-11-30"))


def test_patterns_search_anywhere_and_only_in_strings() -> None:
    assert q('name~="Station"', entity(name="Yokohama Station East"))
    assert not q('name~="^Station"', entity(name="Yokohama Station East"))
    assert not q('count~="1"', entity(count=1))
    assert q('name!~="x"', entity(name="abc"))
    assert not q('name!~="x"', entity(other="abc"))
    assert q("code~=1e3", entity(code="size 1e3"))


def test_each_attribute_type_compares_its_own_value_member() -> None:
    record = entity(
        owner={"type": "Relationship", "object": "urn:ngsi-ld:P:1"},
        label={"type": "LanguageProperty", "languageMap": {"en": "Harbour", "ja": "港"}},
        config={"type": "JsonProperty", "json": {"mode": "eco"}},
        route={"type": "ListProperty", "valueList": ["a", "b"]},
        linked={"type": "ListRelationship", "objectList": ["urn:ngsi-ld:P:2"]},
        kind={"type": "VocabProperty", "vocab": "Parking"},
    )
    assert q("owner==urn:ngsi-ld:P:1", record)
    assert q('label[ja]=="港"', record)
    assert not q('label=="Harbour"', record)
    assert q('config[mode]=="eco"', record)
    assert q('route=="b"', record)
    assert q("linked==urn:ngsi-ld:P:2", record)
    assert q('kind=="https://uri.etsi.org/ngsi-ld/default-context/Parking"', record)


def test_instance_members_and_sub_attributes_are_reachable() -> None:
    record = entity(
        speed={
            "type": "Property",
            "value": 50,
            "unitCode": "KMH",
            "observedAt": "2026-11-22T08:00:00Z",
            "accuracy": {"type": "Property", "value": 0.9, "method": {"value": "gps"}},
        }
    )
    assert q('speed.unitCode=="KMH"', record)
    assert q("speed.observedAt<2026-11-23T00:00:00Z", record)
    assert q("speed.modifiedAt", record)
    assert q("speed.accuracy>0.5", record)
    assert q('speed.accuracy.method=="gps"', record)
    assert not q("speed.datasetId", record)
    assert not q("speed.accuracy.unitCode", record)


def test_entity_timestamps_compare_as_instants() -> None:
    record = entity(speed=1)
    assert q("createdAt==2026-11-22T17:00:00+09:00", record)
    assert q("modifiedAt>2026-11-22T07:59:59", record)  # no offset: UTC
    assert q("createdAt", record)
    assert not q("!modifiedAt", record)
    assert q("modifiedAt!=2026-11-22T08:00:01Z", record)


def test_names_are_expanded_with_the_context() -> None:
    record = entity(speed=5, **{"urn:example:speed": 6})
    assert q("speed==5", record)
    assert q("urn:example:speed==6", record)


async def test_names_are_expanded_with_a_user_context() -> None:
    context = await ContextResolver().resolve({"ex": "https://example.org/", "v": "ex:speed"})
    record = entity(**{"https://example.org/speed": 5})
    assert q("v==5", record, context)
    assert q("ex:speed==5", record, context)


@pytest.mark.parametrize(
    "text",
    ["speed.unitCode[a]", "observedAt==1", "createdAt==10", 'modifiedAt~="2026"', "a.lang.b"],
)
def test_invalid_queries_are_rejected_when_compiled(text: str) -> None:
    with pytest.raises(BadRequestData):
        compile_matcher(EntityQuery(q=parse_q(text)), CORE)


def test_selectors_are_ored_and_their_parts_anded() -> None:
    selectors = (
        Selector(id_pattern="1$", types=parse_types("Car")),
        Selector(ids=("urn:ngsi-ld:T:3",)),
    )
    matches = compile_matcher(EntityQuery(selectors=selectors), CORE)
    assert matches(entity("urn:ngsi-ld:T:1", type="Car"))
    assert not matches(entity("urn:ngsi-ld:T:1", type="Bus"))
    assert not matches(entity("urn:ngsi-ld:T:2", type="Car"))
    assert matches(entity("urn:ngsi-ld:T:3", type="Bus"))


def test_id_pattern_searches_anywhere_in_the_id() -> None:
    matches = compile_matcher(EntityQuery(selectors=(Selector(id_pattern="T:1"),)), CORE)
    assert matches(entity("urn:ngsi-ld:T:12"))
    assert not matches(entity("urn:ngsi-ld:T:21"))
    with pytest.raises(BadRequestData):
        compile_matcher(EntityQuery(selectors=(Selector(id_pattern="("),)), CORE)
    with pytest.raises(BadRequestData):
        compile_matcher(EntityQuery(selectors=(Selector(ids=("not a uri",)),)), CORE)


def test_type_selection_combines_and_and_or() -> None:
    selection = Selector(types=parse_types("(Car;Electric)|Bus"))
    matches = compile_matcher(EntityQuery(selectors=(selection,)), CORE)
    assert matches(entity(type=["Car", "Electric"]))
    assert matches(entity(type="Bus"))
    assert not matches(entity(type="Car"))


def test_attrs_needs_one_of_the_attributes() -> None:
    matches = compile_matcher(EntityQuery(attrs=frozenset({"speed", "heading"})), CORE)
    assert matches(entity(heading=1))
    assert not matches(entity(colour="red"))


def test_scope_query_matches_any_of_the_entity_scopes() -> None:
    query = EntityQuery(scope_q=parse_scope_query("/Kanagawa/+;/Tokyo/#"))
    matches = compile_matcher(query, CORE)
    assert matches(entity(scope=["/Kanagawa/Zama", "/Tokyo"]))
    assert not matches(entity(scope=["/Kanagawa/Zama"]))
    assert not matches(entity(scope=["/Kanagawa", "/Tokyo"]))
    assert not matches(entity())


def test_geo_query_tests_any_instance_of_the_named_geoproperty() -> None:
    near = parse_geo_query("near;maxDistance==100", "Point", [139.70, 35.60], "area")
    matches = compile_matcher(EntityQuery(geo=near), CORE)
    here = {"type": "Point", "coordinates": [139.70, 35.60]}
    there = {"type": "Point", "coordinates": [139.60, 35.40]}
    dataset = "urn:ngsi-ld:Dataset:2"
    assert matches(entity(area=[{"value": there}, {"value": here, "datasetId": dataset}]))
    assert not matches(entity(area={"value": there}, location={"value": here}))
    assert not matches(entity(area={"type": "Property", "value": here}))


def test_an_empty_query_matches_every_entity() -> None:
    assert compile_matcher(EntityQuery(), CORE)(entity())
