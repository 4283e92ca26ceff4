"""The Notification data type (clause 5.3.1) and how it travels (clause 7.x bindings).

HTTP: the notification is the POST body; with Accept application/ld+json it carries @context,
with application/json the @context is named in a Link header. receiverInfo members become
headers, and a tenant other than the default is named in NGSILD-Tenant.
MQTT: the message is {"metadata": {headers}, "body": notification}.
Rows of one subscription that a worker claims together (a backlog) travel as one notification.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker.core.tenancy import DEFAULT_TENANT
from broker.entities.render import format_datetime
from broker.jsonld.context import CORE_CONTEXT_URL
from broker.jsonld.negotiation import LD_JSON, link_header
from broker.subscriptions.outbox import Claimed
from broker.subscriptions.schemas import Endpoint, endpoint_of


@dataclass(frozen=True, slots=True)
class Delivery:
    endpoint: Endpoint
    headers: dict[str, str]
    body: dict[str, Any]


def _context_value(local: list[Any]) -> Any:
    return [*local, CORE_CONTEXT_URL] if local else CORE_CONTEXT_URL


def delivery(rows: Sequence[Claimed], now: datetime) -> Delivery:
    """One notification carrying the entities of outbox rows of one subscription, in order."""
    claimed = rows[0]
    endpoint = endpoint_of(claimed.document)
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": claimed.subscription_id,
        "notifiedAt": format_datetime(now),
        "data": [entity for row in rows for entity in row.data],
    }
    headers = {"Content-Type": endpoint.accept}
    local = claimed.context or []
    if endpoint.accept == LD_JSON:
        body["@context"] = _context_value(local)
    else:
        url = next((item for item in local if isinstance(item, str)), CORE_CONTEXT_URL)
        headers["Link"] = link_header(url)
    if claimed.tenant != DEFAULT_TENANT:
        headers["NGSILD-Tenant"] = claimed.tenant
    for key, value in endpoint.receiver_info:
        headers[key] = value
    return Delivery(endpoint=endpoint, headers=headers, body=body)
