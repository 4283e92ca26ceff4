"""From a CKAN dataset dict to the stored rows, and from the rows to what search indexes.

Pure functions: the service validates, decides, and hands the rows to the repositories."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from catalog.ckan.shapes import RESOURCE_OUTPUT_KEYS
from catalog.datasets.models import Dataset, Resource
from catalog.datasets.schemas import DatasetIn, ResourceIn
from catalog.errors import ValidationFailed
from catalog.search import tokens


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """pydantic's errors in CKAN's form: {"field": ["message", ...]}."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        location = error.get("loc") or ("__all__",)
        message = "Missing value" if error["type"] == "missing" else str(error["msg"])
        message = message.removeprefix("Value error, ")
        fields.setdefault(str(location[0]), []).append(message)
    return ValidationFailed(fields)


def dataset_in(params: dict[str, Any]) -> DatasetIn:
    try:
        return DatasetIn.model_validate(params)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


def resource_in(params: dict[str, Any]) -> ResourceIn:
    try:
        return ResourceIn.model_validate(params)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


def apply(dataset: Dataset, body: DatasetIn, *, groups: list[str], now: datetime) -> None:
    """Set every field of the dataset from a package_create / package_update dict."""
    dataset.name = body.name
    dataset.title = body.title or body.name
    dataset.notes = body.notes or ""
    dataset.license_id = body.license_id or None
    dataset.url = body.url or ""
    dataset.version = body.version or ""
    dataset.author = body.author or ""
    dataset.author_email = body.author_email or ""
    dataset.maintainer = body.maintainer or ""
    dataset.maintainer_email = body.maintainer_email or ""
    dataset.private = body.private
    dataset.state = body.state
    dataset.tags = body.tag_names()
    dataset.groups = groups
    dataset.extras = body.extras_dict()
    dataset.spatial = body.spatial
    dataset.spatial_text = body.spatial_text
    dataset.temporal_start = body.temporal_start
    dataset.temporal_end = body.temporal_end
    dataset.frequency = body.frequency
    dataset.issued = body.issued
    dataset.modified = body.modified
    dataset.metadata_modified = now


def set_resource(resource: Resource, body: ResourceIn, *, now: datetime) -> None:
    resource.kind = body.kind or "url"
    resource.name = body.name
    resource.description = body.description
    resource.format = body.format
    resource.mimetype = body.mimetype or ""
    resource.url = body.url
    resource.query = body.query.model_dump(exclude_none=True) if body.query else None
    resource.size = body.size
    resource.hash = body.hash
    resource.extras = {
        key: value for key, value in body.extra_fields().items() if key not in RESOURCE_OUTPUT_KEYS
    }
    resource.last_modified = now


def new_resource(body: ResourceIn, *, dataset: Dataset, position: int, now: datetime) -> Resource:
    resource = Resource(
        id=body.id or str(uuid.uuid4()),
        tenant_id=dataset.tenant_id,
        dataset_id=dataset.id,
        position=position,
        created=now,
    )
    set_resource(resource, body, now=now)
    resource.last_modified = None
    return resource


def replace_resources(dataset: Dataset, bodies: list[ResourceIn], *, now: datetime) -> None:
    """package_update's resources: those named by id are updated, the others created, and the
    ones left out removed; positions follow the list."""
    existing = {resource.id: resource for resource in dataset.resources}
    resources = []
    for position, body in enumerate(bodies):
        resource = existing.pop(body.id, None) if body.id else None
        if resource is None:
            resource = new_resource(body, dataset=dataset, position=position, now=now)
        else:
            set_resource(resource, body, now=now)
            resource.position = position
        resources.append(resource)
    dataset.resources = resources


def index_weights(dataset: Dataset) -> dict[str, float]:
    fields = [(dataset.title, tokens.TITLE), (dataset.name, tokens.NOTES)]
    fields += [(tag, tokens.TAG) for tag in dataset.tags]
    fields += [(resource.name, tokens.RESOURCE) for resource in dataset.resources]
    fields.append((dataset.notes, tokens.NOTES))
    return tokens.weighted(fields)


def facet_values(dataset: Dataset) -> set[tuple[str, str]]:
    values = {("organization", dataset.tenant_id)}
    values |= {("tags", tag) for tag in dataset.tags}
    values |= {("groups", group) for group in dataset.groups}
    values |= {("res_format", r.format) for r in dataset.resources if r.format}
    if dataset.license_id:
        values.add(("license_id", dataset.license_id))
    return values
