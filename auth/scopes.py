"""The OAuth2 scopes Renkei knows, and what each one allows."""

READ = "ngsi-ld:read"
WRITE = "ngsi-ld:write"
SUBSCRIBE = "ngsi-ld:subscribe"
CSOURCE_READ = "ngsi-ld:csource:read"
CSOURCE_WRITE = "ngsi-ld:csource:write"
DEVICES = "devices:manage"
CATALOG_READ = "catalog:read"
CATALOG_WRITE = "catalog:write"
TENANTS_ADMIN = "tenants:admin"
AUDIT_READ = "audit:read"

SCOPES: dict[str, str] = {
    READ: "read entities, types and attributes (NGSI-LD)",
    WRITE: "create, change and delete entities (NGSI-LD)",
    SUBSCRIBE: "manage subscriptions (NGSI-LD)",
    CSOURCE_READ: "read context source registrations and their subscriptions (NGSI-LD)",
    CSOURCE_WRITE: "register, change and delete context sources (NGSI-LD)",
    DEVICES: "provision IoT service groups and devices",
    CATALOG_READ: "read the open data catalog",
    CATALOG_WRITE: "publish datasets in the open data catalog",
    TENANTS_ADMIN: "register tenants, clients and data sharing grants",
    AUDIT_READ: "read the audit log and usage reports",
}

# Scopes that only read: access through the shared tenant or a sharing grant allows these.
READ_ONLY = frozenset({READ, CATALOG_READ})
