"""Provisioning errors: problem+json like every Renkei error, with the IoT Agent's `name` and
`message` members too, so clients written for iotagent-node-lib keep recognising them."""

from broker.core.errors import (
    RENKEI_ERRORS,
    AlreadyExists,
    BadRequestData,
    NgsiLdError,
    ResourceNotFound,
)


def _iota(cls: type[NgsiLdError], name: str, message: str) -> NgsiLdError:
    return cls(message, name=name, message=message)


def duplicate_group(apikey: str, resource: str) -> NgsiLdError:
    return _iota(
        AlreadyExists,
        "DUPLICATE_GROUP",
        f"a service group with API key {apikey} and resource {resource} already exists",
    )


def group_not_found(apikey: str, resource: str | None) -> NgsiLdError:
    which = f" and resource {resource}" if resource else ""
    return _iota(
        ResourceNotFound,
        "DEVICE_GROUP_NOT_FOUND",
        f"no service group with API key {apikey}{which}",
    )


def duplicate_device(device_id: str) -> NgsiLdError:
    return _iota(
        AlreadyExists, "DUPLICATE_DEVICE_ID", f"a device with id {device_id} already exists"
    )


def device_not_found(device_id: str) -> NgsiLdError:
    return _iota(ResourceNotFound, "DEVICE_NOT_FOUND", f"no device with id {device_id}")


def bad_payload(message: str) -> NgsiLdError:
    return _iota(BadRequestData, "WRONG_SYNTAX", message)


class MqttUnavailable(NgsiLdError):
    """Commands need the MQTT connection, which is off or not connected."""

    status = 503
    problem = "MqttUnavailable"
    title = "MQTT broker not available"
    namespace = RENKEI_ERRORS
