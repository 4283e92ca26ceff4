"""Errors of the catalog. They belong to the one hierarchy (broker.core.errors), so outside the
CKAN API they render as problem+json; the CKAN API renders them in its own envelope with the
`ckan_type` and status CKAN uses (catalog.ckan.envelope)."""

from typing import ClassVar

from broker.core.errors import BadRequestData, Forbidden, PayloadTooLarge, ResourceNotFound


class NotFound(ResourceNotFound):
    """CKAN's NotFound: 404 "Not Found Error"."""

    ckan_type: ClassVar[str] = "Not Found Error"


class NotAuthorized(Forbidden):
    """CKAN's NotAuthorized: 403 "Authorization Error" (no token, or not the owning tenant's)."""

    ckan_type: ClassVar[str] = "Authorization Error"


class BadRequest(BadRequestData):
    """A request CKAN refuses before any action runs (a body that is not a JSON object, an
    unknown action, a write by GET): 400 with, as CKAN answers, no envelope but the JSON string
    "Bad request - <detail>"."""

    ckan_type: ClassVar[str] = "Bad request"


class ValidationFailed(BadRequestData):
    """CKAN's ValidationError: 409 "Validation Error" with the failing fields' messages."""

    ckan_type: ClassVar[str] = "Validation Error"
    ckan_status: ClassVar[int] = 409

    def __init__(self, fields: dict[str, list[str]]) -> None:
        detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in fields.items())
        super().__init__(detail)
        self.fields = fields

    @classmethod
    def of(cls, field: str, message: str) -> "ValidationFailed":
        return cls({field: [message]})


class SearchQueryError(BadRequestData):
    """A q, fq or sort that cannot be parsed: 400 "Search Query Error"."""

    ckan_type: ClassVar[str] = "Search Query Error"


class FileTooLarge(PayloadTooLarge):
    """An upload past RENKEI_CATALOG_UPLOAD_MAX_BYTES: 413, in CKAN's envelope too."""

    ckan_type: ClassVar[str] = "Request Entity Too Large"
