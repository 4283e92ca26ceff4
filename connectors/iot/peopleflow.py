"""People-flow counters as Smart Data Models `CrowdFlowObserved` (dataModel.Transportation).

A device of a group whose entity type is CrowdFlowObserved may send the data model's own
attribute names without any attribute mapping: each known name gets its data-model type here
(an explicit mapping of the group or device still wins).
"""

CROWD_FLOW_OBSERVED = "CrowdFlowObserved"

# attribute -> IoT Agent attribute type (see connectors.iot.measures for what each becomes)
CROWD_FLOW_TYPES: dict[str, str] = {
    "peopleCount": "Integer",
    "peopleCountTowards": "Integer",
    "peopleCountAway": "Integer",
    "occupancy": "Number",
    "congested": "Boolean",
    "direction": "Text",  # "inbound" | "outbound"
    "averageCrowdSpeed": "Number",
    "averageHeadwayTime": "Number",
    "dateObserved": "DateTime",
    "dateObservedFrom": "DateTime",
    "dateObservedTo": "DateTime",
    "location": "geo:json",
    "refRoadSegment": "Relationship",
    "name": "Text",
    "description": "Text",
}

MODEL_TYPES: dict[str, dict[str, str]] = {CROWD_FLOW_OBSERVED: CROWD_FLOW_TYPES}


def model_type(entity_type: str, attribute: str) -> str | None:
    """The data model's type of `attribute` for entities of `entity_type`, if it knows one."""
    return MODEL_TYPES.get(entity_type, {}).get(attribute)
