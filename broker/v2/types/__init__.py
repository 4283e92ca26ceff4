"""/v2/types: the entity types of a tenant (and service path), as Orion lists them."""
