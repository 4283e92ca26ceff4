"""The open data catalog: organizations (one per tenant), groups, datasets and their resources,
the CKAN Action API (catalog/ckan/), Japanese full-text search (catalog/search/) and DCAT-AP
(catalog/dcat/)."""
