"""Catalog rows in CKAN's shapes: the dicts package_show, resource_show, organization_show and
group_show return (CKAN 2.10's default schema). Timestamps are CKAN's: UTC, no zone,
microseconds (2026-12-03T10:20:30.123456)."""

from datetime import UTC, datetime
from typing import Any

import orjson

from catalog.datasets.models import Dataset, Resource
from catalog.groups.models import Group
from catalog.licenses import BY_ID
from catalog.organizations.schemas import OrganizationView

# What CKAN's output adds to a resource: given back in a package_update, it is not kept as an
# extra field of the resource.
RESOURCE_OUTPUT_KEYS = frozenset(
    {
        "cache_last_updated",
        "cache_url",
        "created",
        "datastore_active",
        "last_modified",
        "metadata_modified",
        "mimetype_inner",
        "position",
        "resource_type",
        "state",
        "tracking_summary",
    }
)


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(org: OrganizationView, package_count: int | None = None) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "id": org.name,
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "description": org.description,
        "image_url": org.image_url,
        "image_display_url": org.image_url,
        "created": timestamp(org.created),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
    }
    if package_count is not None:
        shape["package_count"] = package_count
    return shape


def group_dict(group: Group, package_count: int | None = None) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "image_url": group.image_url,
        "image_display_url": group.image_url,
        "created": timestamp(group.created_at),
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "type": "group",
    }
    if package_count is not None:
        shape["package_count"] = package_count
    return shape


def resource_dict(resource: Resource, dataset: Dataset) -> dict[str, Any]:
    return {
        **resource.extras,
        "id": resource.id,
        "package_id": dataset.id,
        "position": resource.position,
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": resource.mimetype or None,
        "mimetype_inner": None,
        "url": resource.url,
        "url_type": {"file": "upload", "live": "live"}.get(resource.kind),
        "kind": resource.kind,
        **({"query": resource.query} if resource.query is not None else {}),
        "size": resource.size,
        "hash": resource.hash,
        "state": "active",
        "resource_type": None,
        "datastore_active": False,
        "cache_url": None,
        "cache_last_updated": None,
        "created": timestamp(resource.created),
        "last_modified": timestamp(resource.last_modified),
        "metadata_modified": timestamp(resource.last_modified or resource.created),
    }


def _lifted_extras(dataset: Dataset) -> list[dict[str, str]]:
    """The fields DCAT extensions keep in extras, given back there as strings."""
    values = {
        "spatial": orjson.dumps(dataset.spatial).decode() if dataset.spatial else "",
        "spatial_text": dataset.spatial_text,
        "temporal_start": timestamp(dataset.temporal_start) or "",
        "temporal_end": timestamp(dataset.temporal_end) or "",
        "frequency": dataset.frequency,
        "issued": timestamp(dataset.issued) or "",
        "modified": timestamp(dataset.modified) or "",
    }
    return [{"key": key, "value": value} for key, value in values.items() if value]


def dataset_dict(
    dataset: Dataset, org: OrganizationView, groups: dict[str, Group]
) -> dict[str, Any]:
    license = BY_ID.get(dataset.license_id or "")
    extras = [{"key": key, "value": value} for key, value in sorted(dataset.extras.items())]
    return {
        "id": dataset.id,
        "name": dataset.name,
        "title": dataset.title,
        "type": "dataset",
        "notes": dataset.notes,
        "url": dataset.url,
        "version": dataset.version,
        "author": dataset.author,
        "author_email": dataset.author_email,
        "maintainer": dataset.maintainer,
        "maintainer_email": dataset.maintainer_email,
        "license_id": dataset.license_id,
        "license_title": license.title if license else dataset.license_id,
        "license_url": license.url if license else None,
        "isopen": bool(license and license.open),
        "private": dataset.private,
        "state": dataset.state,
        "creator_user_id": dataset.creator,
        "metadata_created": timestamp(dataset.metadata_created),
        "metadata_modified": timestamp(dataset.metadata_modified),
        "owner_org": org.name,
        "organization": organization_dict(org),
        "groups": [
            {k: v for k, v in group_dict(groups[name]).items() if k not in ("type", "state")}
            for name in dataset.groups
            if name in groups
        ],
        "tags": [
            {"id": tag, "name": tag, "display_name": tag, "state": "active", "vocabulary_id": None}
            for tag in dataset.tags
        ],
        "num_tags": len(dataset.tags),
        "extras": _lifted_extras(dataset) + extras,
        "resources": [resource_dict(resource, dataset) for resource in dataset.resources],
        "num_resources": len(dataset.resources),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
