"""Query parameters of the temporal routes, parsed into a TemporalQuery and a TemporalView."""

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Query

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.errors import BadRequestData
from broker.entities.attributes import check_attribute_name
from broker.entities.dependencies import (
    EntitiesCreate,
    EntitiesWrite,
    check_options,
    split_list,
)
from broker.jsonld.context import Context
from broker.jsonld.dependencies import LdContextDep
from broker.temporal import selection
from broker.temporal.render import AGGREGATED_VALUES, NORMALIZED, TEMPORAL_VALUES, TemporalView
from broker.temporal.selection import TemporalQuery

TemporalRead = Annotated[Access, Depends(require(scopes.READ))]
TemporalWrite = EntitiesWrite
TemporalCreate = EntitiesCreate  # a temporal create may create the tenant, as Create Entity

_OPTIONS = {TEMPORAL_VALUES, AGGREGATED_VALUES, NORMALIZED, "sysAttrs"}


@dataclass(frozen=True, slots=True)
class TemporalRequest:
    query: TemporalQuery
    view: TemporalView


async def temporal_request(
    ld: LdContextDep,
    timerel: Annotated[str | None, Query(description="before, after or between")] = None,
    timeAt: Annotated[str | None, Query(description="DateTime, with timerel")] = None,
    endTimeAt: Annotated[str | None, Query(description="DateTime, with timerel=between")] = None,
    timeproperty: Annotated[
        str | None, Query(description="observedAt (default), createdAt, modifiedAt, deletedAt")
    ] = None,
    lastN: Annotated[int | None, Query(description="the last N instances per attribute")] = None,
    attrs: Annotated[str | None, Query(description="attributes to return")] = None,
    options: Annotated[
        str | None, Query(description="temporalValues, aggregatedValues, sysAttrs")
    ] = None,
    format: Annotated[
        str | None, Query(description="normalized, temporalValues or aggregatedValues")
    ] = None,
    aggrMethods: Annotated[
        str | None,
        Query(description="totalCount, distinctCount, sum, avg, min, max, stddev, sumsq"),
    ] = None,
    aggrPeriodDuration: Annotated[
        str | None, Query(description="ISO 8601 duration of each period (PT1H, P1D ...)")
    ] = None,
    lang: Annotated[str | None, Query(description="language of LanguageProperties")] = None,
) -> TemporalRequest:
    chosen = check_options(options, _OPTIONS)
    formats = chosen - {"sysAttrs"}
    if format is not None:
        if format not in _OPTIONS - {"sysAttrs"}:
            raise BadRequestData("format must be normalized, temporalValues or aggregatedValues")
        formats.add(format)
    if len(formats) > 1:
        raise BadRequestData(f"conflicting representations requested: {sorted(formats)}")
    shape = formats.pop() if formats else NORMALIZED
    interval = selection.time_interval(timerel, timeAt, endTimeAt, timeproperty)
    aggregation = None
    if shape == AGGREGATED_VALUES:
        aggregation = selection.aggregation(
            split_list(aggrMethods, "aggrMethods"), aggrPeriodDuration
        )
    elif aggrMethods is not None or aggrPeriodDuration is not None:
        raise BadRequestData("aggrMethods and aggrPeriodDuration need options=aggregatedValues")
    names = split_list(attrs, "attrs")
    query = TemporalQuery(
        interval=interval,
        last_n=selection.last_n(lastN),
        attrs=frozenset(ld.context.expand(check_attribute_name(n)) for n in names)
        if attrs is not None
        else None,
        aggregation=aggregation,
    )
    view = TemporalView(format=shape, sys_attrs="sysAttrs" in chosen, interval=interval, lang=lang)
    return TemporalRequest(query, view)


TemporalRequestDep = Annotated[TemporalRequest, Depends(temporal_request)]


def with_body(request: TemporalRequest, data: dict[str, Any], context: Context) -> TemporalRequest:
    """The temporal request of POST /temporal/entityOperations/query: the body's temporalQ
    and attrs (expanded with the body's @context) in place of the query parameters."""
    interval = selection.temporal_q(data.get("temporalQ"))
    query, view = request.query, request.view
    if interval is not None:
        if query.interval.timerel is not None:
            raise BadRequestData("give the time interval in temporalQ or in the URL, not both")
        query = replace(query, interval=interval)
        view = replace(view, interval=interval)
    if data.get("attrs"):
        if query.attrs is not None:
            raise BadRequestData("give attrs in the body or in the URL, not both")
        query = replace(query, attrs=frozenset(context.expand(a) for a in data["attrs"]))
    return TemporalRequest(query, view)
