"""File resources: an upload (CKAN's `upload` field of resource_create / resource_update,
sent as multipart/form-data) is checked by content, not by name, and stored with its byte
size and SHA-256; the resource becomes `url_type: "upload"` with a URL of this catalog that
serves the bytes back with the sniffed Content-Type."""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.datasets.models import Resource
from catalog.errors import ValidationFailed
from catalog.files.models import ResourceFile
from catalog.files.repository import FileRepository
from catalog.files.sniff import MEDIA_TYPES, sniff

_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as the request carried it."""

    filename: str
    content: bytes


def safe_name(filename: str) -> str:
    name = _UNSAFE.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return name[:200] or "file"


def checked_format(upload: Upload, declared: str) -> str:
    """The file's format by content; a declared `format` must agree with it."""
    found = sniff(upload.content)
    if found is None:
        allowed = ", ".join(MEDIA_TYPES)
        raise ValidationFailed.of("upload", f"File type not allowed (only {allowed})")
    if declared and declared.upper() != found:
        raise ValidationFailed.of("format", f"The file is {found}, not {declared}")
    return found


def download_path(resource: Resource, filename: str) -> str:
    return f"/dataset/{resource.dataset_id}/resource/{resource.id}/download/{filename}"


def describe(resource: Resource, upload: Upload, file_format: str) -> ResourceFile:
    """Record the file's size, hash, type and URL on the resource; the row of its bytes."""
    filename = safe_name(upload.filename)
    digest = hashlib.sha256(upload.content).hexdigest()
    resource.kind = "file"
    resource.format = file_format
    resource.mimetype = MEDIA_TYPES[file_format]
    resource.size = len(upload.content)
    resource.hash = digest
    resource.url = download_path(resource, filename)
    resource.query = None
    return ResourceFile(
        resource_id=resource.id,
        filename=filename,
        media_type=MEDIA_TYPES[file_format],
        size=len(upload.content),
        sha256=digest,
        content=upload.content,
        created_at=datetime.now(UTC),
    )


async def keep(session: AsyncSession, resource: Resource, file: ResourceFile) -> None:
    await FileRepository(session, resource.tenant_id).put(file)
