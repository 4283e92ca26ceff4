"""What a client sends for a dataset and its resources, in CKAN's shapes (package_create's
dict). Fields CKAN keeps in `extras` in common extensions (ckanext-dcat, ckanext-spatial:
spatial, temporal_start, temporal_end, frequency, issued, modified, contact_name,
contact_email) may also be given there; they become fields of the dataset."""

import re
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME = re.compile(r"^[a-z0-9_\-]{2,100}$")
ResourceKind = Literal["file", "url", "live"]
LIFTED_EXTRAS = {
    "spatial": "spatial",
    "spatial_text": "spatial_text",
    "temporal_start": "temporal_start",
    "temporal_end": "temporal_end",
    "frequency": "frequency",
    "issued": "issued",
    "modified": "modified",
    "contact_name": "maintainer",
    "contact_email": "maintainer_email",
}


class LiveQuery(BaseModel):
    """A saved broker query behind a live resource: the entities it selects, in its tenant.
    Field names follow the NGSI-LD query parameters (clause 6.4.3.2)."""

    model_config = ConfigDict(extra="allow")

    tenant: str | None = None
    type: str | None = None
    q: str | None = None
    attrs: list[str] | None = None
    georel: str | None = None
    geometry: str | None = None
    coordinates: str | list[Any] | None = None
    geoproperty: str | None = None
    context: str | None = None


class ResourceIn(BaseModel):
    """A resource (distribution). Unknown keys are kept, as CKAN keeps them."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    package_id: str | None = None
    name: str = ""
    description: str = ""
    format: str = ""
    mimetype: str | None = ""
    url: str = ""
    kind: ResourceKind | None = None
    url_type: str | None = None
    query: LiveQuery | None = None
    size: int | None = None
    hash: str = ""

    @model_validator(mode="after")
    def _kind(self) -> "ResourceIn":
        if self.kind is None:
            if self.query is not None:
                self.kind = "live"
            elif self.url_type == "upload":
                self.kind = "file"
            else:
                self.kind = "url"
        if self.kind == "live" and self.query is None:
            raise ValueError("a live resource needs its broker query")
        return self

    def extra_fields(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class TagIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=100)


class GroupRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    id: str | None = None


class ExtraIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str = Field(min_length=1)
    value: Any = ""


class DatasetIn(BaseModel):
    """package_create / package_update's dataset dict."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    name: str
    title: str = ""
    notes: str | None = ""
    owner_org: str | None = None
    license_id: str | None = None
    url: str | None = ""
    version: str | None = ""
    author: str | None = ""
    author_email: str | None = ""
    maintainer: str | None = ""
    maintainer_email: str | None = ""
    private: bool = False
    state: Literal["draft", "active", "deleted"] = "active"
    type: Literal["dataset"] = "dataset"
    tags: list[TagIn] = Field(default_factory=list)
    tag_string: str | None = None
    groups: list[GroupRef] = Field(default_factory=list)
    extras: list[ExtraIn] = Field(default_factory=list)
    resources: list[ResourceIn] | None = None
    spatial: dict[str, Any] | None = None
    spatial_text: str = ""
    temporal_start: datetime | None = None
    temporal_end: datetime | None = None
    frequency: str = ""
    issued: datetime | None = None
    modified: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_extras(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        kept = []
        for extra in data.get("extras") or []:
            key = extra.get("key") if isinstance(extra, dict) else None
            target = LIFTED_EXTRAS.get(key or "")
            if target is None:
                kept.append(extra)
            elif data.get(target) in (None, ""):
                data[target] = extra.get("value")
        if "extras" in data:
            data["extras"] = kept
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError(
                "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                " (2 to 100 characters)"
            )
        return value

    @field_validator("spatial", mode="before")
    @classmethod
    def _spatial(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise ValueError("spatial must be a GeoJSON geometry") from exc
        if value is not None and (not isinstance(value, dict) or "type" not in value):
            raise ValueError("spatial must be a GeoJSON geometry")
        return value

    @field_validator("temporal_start", "temporal_end", "issued", "modified", mode="before")
    @classmethod
    def _empty_date(cls, value: Any) -> Any:
        return None if value == "" else value

    def tag_names(self) -> list[str]:
        names = [tag.name.strip() for tag in self.tags]
        if self.tag_string:
            names += [part.strip() for part in self.tag_string.split(",")]
        return list(dict.fromkeys(name for name in names if name))

    def extras_dict(self) -> dict[str, str]:
        return {
            extra.key: extra.value
            if isinstance(extra.value, str)
            else orjson.dumps(extra.value).decode()
            for extra in self.extras
        }
