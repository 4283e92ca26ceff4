"""CKAN dataset dicts as package_create takes them (issue 16): extras, tags, resource kinds."""

import pytest
from pydantic import ValidationError

from catalog.datasets.schemas import DatasetIn, ResourceIn


def test_dcat_extras_become_dataset_fields_and_others_stay_extras() -> None:
    dataset = DatasetIn.model_validate(
        {
            "name": "jinryu-2026",
            "extras": [
                {"key": "frequency", "value": "daily"},
                {"key": "contact_email", "value": "opendata@city.example.jp"},
                {"key": "source", "value": "sensor"},
            ],
        }
    )
    assert dataset.frequency == "daily"
    assert dataset.maintainer_email == "opendata@city.example.jp"
    assert dataset.extras_dict() == {"source": "sensor"}


def test_tags_and_tag_string_merge_without_repeats() -> None:
    dataset = DatasetIn.model_validate(
        {"name": "hinan", "tags": [{"name": "避難"}, {"name": "防災"}], "tag_string": "防災, 地図"}
    )
    assert dataset.tag_names() == ["避難", "防災", "地図"]


@pytest.mark.parametrize("name", ["A-upper", "x", "has space", "日本語"])
def test_names_outside_ckan_rules_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        DatasetIn.model_validate({"name": name})


def test_spatial_must_be_a_geometry() -> None:
    point = DatasetIn.model_validate(
        {"name": "aed", "spatial": '{"type": "Point", "coordinates": [139.6, 35.4]}'}
    )
    assert point.spatial == {"type": "Point", "coordinates": [139.6, 35.4]}
    with pytest.raises(ValidationError):
        DatasetIn.model_validate({"name": "aed", "spatial": "Yokohama"})


def test_resource_kind_follows_query_or_upload() -> None:
    assert ResourceIn.model_validate({"query": {"type": "CrowdFlowObserved"}}).kind == "live"
    assert ResourceIn.model_validate({"url_type": "upload"}).kind == "file"
    assert ResourceIn.model_validate({"url": "https://example.jp/a.csv"}).kind == "url"
    with pytest.raises(ValidationError):
        ResourceIn.model_validate({"kind": "live"})
