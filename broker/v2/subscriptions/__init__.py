"""v2 subscriptions (/v2/subscriptions) stored as NGSI-LD subscriptions: docs/ngsi-v2.md."""
