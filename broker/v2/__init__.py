"""The NGSI-v2 face (Orion's API) over the same store: docs/ngsi-v2.md."""
