"""Typed dependencies on the app's shared components, and the paging every list route takes.

Routers declare what they need with these `Annotated` aliases instead of reading
`request.app.state`: the attribute names stay in one place and the types are checked.
"""

from typing import Annotated

from fastapi import Depends, Query, Request

from broker.core.db import Database
from broker.core.errors import BadRequestData, TooManyResults
from broker.core.settings import BrokerSettings

RESULTS_COUNT = "NGSILD-Results-Count"
MAX_OFFSET = 2**63 - 1  # a signed 64-bit integer: what either store can compare with
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="entries to skip")]


def _settings(request: Request) -> BrokerSettings:
    settings: BrokerSettings = request.app.state.settings
    return settings


def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SettingsDep = Annotated[BrokerSettings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]


class Paging:
    """limit, offset and count (clause 5.5.9), bounded by RENKEI_QUERY_MAX_LIMIT."""

    def __init__(
        self,
        request: Request,
        settings: SettingsDep,
        limit: Annotated[int | None, Query(description="page size")] = None,
        offset: Offset = 0,
        count: Annotated[bool, Query(description="add NGSILD-Results-Count")] = False,
    ) -> None:
        self.limit = settings.query_default_limit if limit is None else limit
        if self.limit < 0:
            raise BadRequestData("limit must not be negative")
        if self.limit > settings.query_max_limit:
            raise TooManyResults(
                f"limit {self.limit} exceeds the maximum page size {settings.query_max_limit}"
            )
        if self.limit == 0 and not count:
            raise BadRequestData("limit=0 is only allowed with count=true")
        self.offset = offset
        self.count = count
        self._url = request.url

    def links(self, *, more: bool) -> list[str]:
        """Link header values to the previous and the next page (clause 5.5.9, RFC 8288):
        this request's URL with offset and limit changed, every other parameter kept."""
        links = []
        if self.offset > 0 and self.limit > 0:
            before = max(self.offset - self.limit, 0)
            links.append(self._link(before, "prev"))
        if more and self.limit > 0:
            links.append(self._link(self.offset + self.limit, "next"))
        return links

    def _link(self, offset: int, relation: str) -> str:
        url = self._url.include_query_params(offset=offset, limit=self.limit)
        target = url.path + ("?" + url.query if url.query else "")
        return f'<{target}>; rel="{relation}"; type="application/ld+json"'


PagingDep = Annotated[Paging, Depends(Paging)]
