"""NGSI-LD subscriptions (clause 5.8): the API, matching entity changes, the notification outbox."""
