"""Delivery of notifications from the outbox to HTTP(S) and MQTT endpoints."""
