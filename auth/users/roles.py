"""The four roles people hold, as the scopes and tenants the rest of Renkei already checks.

A role is not a new permission system: a signed-in person's access token carries the role's
scopes and the user's tenants, and every route decides with them exactly as for a client.
"""

from dataclasses import dataclass

from auth import scopes


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    scopes: frozenset[str]
    prefecture_wide: bool  # acts in every tenant ('*'); else in one municipality

    @property
    def label_ja(self) -> str:
        return LABELS_JA[self.name]


PREFECTURE_ADMIN = "prefecture-admin"
MUNICIPAL_ADMIN = "municipal-admin"
MUNICIPAL_STAFF = "municipal-staff"
AUDITOR = "auditor"

ROLES: dict[str, Role] = {
    PREFECTURE_ADMIN: Role(PREFECTURE_ADMIN, frozenset(scopes.SCOPES), prefecture_wide=True),
    MUNICIPAL_ADMIN: Role(
        MUNICIPAL_ADMIN,
        frozenset(set(scopes.SCOPES) - {scopes.AUDIT_READ}),
        prefecture_wide=False,
    ),
    MUNICIPAL_STAFF: Role(
        MUNICIPAL_STAFF,
        frozenset({scopes.READ, scopes.WRITE, scopes.SUBSCRIBE, scopes.CATALOG_READ}),
        prefecture_wide=False,
    ),
    AUDITOR: Role(AUDITOR, frozenset({scopes.AUDIT_READ, scopes.READ}), prefecture_wide=True),
}

LABELS_JA = {
    PREFECTURE_ADMIN: "県管理者",
    MUNICIPAL_ADMIN: "市町村管理者",
    MUNICIPAL_STAFF: "市町村職員",
    AUDITOR: "監査担当者",
}
