"""An Orion application's calls, made with FIWARE's own v2 client library (filip).

Run by tests/interop/test_filip.py in a Python of its own (filip pins pydantic and PyLD versions
Renkei cannot share); prints what it observed as one JSON document on stdout.
argv: base URL, access token, Fiware-Service, receiver URL.
"""

import json
import sys
from typing import Any

import requests
from filip.clients.ngsi_v2 import ContextBrokerClient
from filip.models.base import FiwareHeader
from filip.models.ngsi_v2.context import ActionType, ContextEntity
from filip.models.ngsi_v2.subscriptions import (
    Condition,
    EntityPattern,
    Http,
    Notification,
    Subject,
    Subscription,
)


def client(url: str, token: str, service: str, path: str) -> ContextBrokerClient:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    header = FiwareHeader(service=service, service_path=path)
    return ContextBrokerClient(url=url, session=session, fiware_header=header)


def room(n: int, temperature: float) -> ContextEntity:
    return ContextEntity(
        id=f"Room{n}",
        type="Room",
        temperature={"type": "Number", "value": temperature},
        pressure={"type": "Integer", "value": 720},
    )


def error_of(call: Any) -> dict[str, Any]:
    try:
        call()
    except Exception as exc:  # filip wraps requests' HTTPError
        response = getattr(exc, "response", None)
        return {"status": response.status_code, "body": response.json()}
    return {"status": None}


def main() -> None:
    url, token, service, receiver = sys.argv[1:5]
    cb = client(url, token, service, "/kanagawa/yokohama")
    seen: dict[str, Any] = {"version": cb.get_version()}
    cb.post_entity(room(1, 23.5))
    cb.update(entities=[room(2, 30.0), room(3, 10.0)], action_type=ActionType.APPEND)
    seen["entity"] = cb.get_entity("Room1", entity_type="Room").model_dump(exclude_none=True)
    cb.update_attribute_value(entity_id="Room1", attr_name="temperature", value=25)
    seen["value"] = cb.get_attribute_value("Room1", "temperature")
    warm = cb.get_entity_list(entity_types=["Room"], q="temperature>20")
    seen["warm"] = sorted(e.id for e in warm)
    seen["key_values"] = [
        e.model_dump()
        for e in cb.get_entity_list(entity_ids=["Room3"], response_format="keyValues")
    ]
    seen["duplicate"] = error_of(lambda: cb.post_entity(room(1, 0.0)))
    seen["missing"] = error_of(lambda: cb.get_entity("Nowhere"))
    other_path = client(url, token, service, "/tokyo")
    seen["other_path"] = [e.id for e in other_path.get_entity_list(entity_types=["Room"])]
    seen["subtree"] = sorted(
        e.id for e in client(url, token, service, "/kanagawa/#").get_entity_list()
    )
    subscription = Subscription(
        description="warm rooms",
        subject=Subject(
            entities=[EntityPattern(idPattern=".*", type="Room")],
            condition=Condition(attrs=["temperature"]),
        ),
        notification=Notification(http=Http(url=receiver), attrs=["temperature"]),
        throttling=0,
    )
    seen["subscription_id"] = cb.post_subscription(subscription)
    seen["subscriptions"] = [s.id for s in cb.get_subscription_list()]
    cb.update_attribute_value(entity_id="Room2", attr_name="temperature", value=31)
    cb.delete_entity("Room3", entity_type="Room")
    seen["after_delete"] = sorted(e.id for e in cb.get_entity_list(entity_types=["Room"]))
    print(json.dumps(seen, default=str))


if __name__ == "__main__":
    main()
