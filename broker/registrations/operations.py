"""The operation names of ETSI GS CIM 009 V1.8 clause 4.20 and the groups a registration may
name instead (federationOps, updateOps, retrieveOps, redirectionOps), expanded when stored."""

from collections.abc import Iterable

from broker.core.errors import BadRequestData

# Context information provision (4.20, table 4.20-1): on one entity, then batches and history
ENTITY_PROVISION = frozenset(
    {
        "createEntity",
        "updateEntity",
        "appendAttrs",
        "updateAttrs",
        "deleteAttrs",
        "deleteEntity",
        "mergeEntity",
        "replaceEntity",
        "replaceAttrs",
    }
)
PROVISION = ENTITY_PROVISION | frozenset(
    {
        "createBatch",
        "upsertBatch",
        "updateBatch",
        "deleteBatch",
        "mergeBatch",
        "upsertTemporal",
        "appendAttrsTemporal",
        "deleteAttrsTemporal",
        "updateAttrsTemporal",
        "deleteAttrInstanceTemporal",
        "deleteTemporal",
    }
)
# Context information consumption
DISCOVERY = frozenset(
    {
        "retrieveEntityTypes",
        "retrieveEntityTypeDetails",
        "retrieveEntityTypeInfo",
        "retrieveAttrTypes",
        "retrieveAttrTypeDetails",
        "retrieveAttrTypeInfo",
    }
)
CONSUMPTION = frozenset(
    {"retrieveEntity", "queryEntity", "queryBatch", "retrieveTemporal", "queryTemporal"} | DISCOVERY
)
# Context information subscription
SUBSCRIPTION = frozenset(
    {
        "createSubscription",
        "updateSubscription",
        "retrieveSubscription",
        "querySubscription",
        "deleteSubscription",
    }
)
OPERATIONS = PROVISION | CONSUMPTION | SUBSCRIPTION

RETRIEVE_OPS = frozenset({"retrieveEntity", "queryEntity"})
GROUPS: dict[str, frozenset[str]] = {
    # what a broker federating another one asks of it: reads, discovery and subscriptions
    "federationOps": frozenset({"retrieveEntity", "queryEntity", "queryBatch"})
    | DISCOVERY
    | SUBSCRIPTION,
    "updateOps": frozenset({"updateEntity", "updateAttrs", "replaceEntity", "replaceAttrs"}),
    "retrieveOps": RETRIEVE_OPS,
    # every operation on entities a broker may redirect to a source that holds them
    "redirectionOps": ENTITY_PROVISION | RETRIEVE_OPS | DISCOVERY,
}
DEFAULT_OPERATIONS = ("federationOps",)
# Auxiliary registrations only ever answer reads (clause 4.3.6.2): no provision operation.
AUXILIARY_ALLOWED = CONSUMPTION | SUBSCRIPTION


def expand_operations(names: Iterable[str]) -> frozenset[str]:
    """The operations a registration's `operations` member names, groups expanded."""
    expanded: set[str] = set()
    for name in names:
        if name in GROUPS:
            expanded |= GROUPS[name]
        elif name in OPERATIONS:
            expanded.add(name)
        else:
            raise BadRequestData(
                f"unknown operation {name!r}: use the names of clause 4.20 or one of "
                f"{sorted(GROUPS)}"
            )
    return frozenset(expanded)
