"""The connector tests' MQTT app, for the history of measures that arrive over MQTT."""

from tests.connectors.conftest import iot, mqtt_app

__all__ = ["iot", "mqtt_app"]
