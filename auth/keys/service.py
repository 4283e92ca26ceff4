"""The key ring: RSA signing keys kept in the store (private halves encrypted), rotated on age.

Every replica signs with the newest key and verifies with any key it knows; a key id it does
not know makes it reload the ring (another replica rotated). Public keys are published in the
JWKS while tokens signed with them may still be valid; all stay in the store so that signed
audit checkpoints can be verified for as long as the log is kept.
"""

import asyncio
import base64
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import KeySet, RSAKey

from auth.keys.models import SigningKey
from auth.keys.repository import SigningKeyRepository
from broker.core.db import Database

ALGORITHM = "RS256"
_RELOAD_SECONDS = 5.0  # at most this often for an unknown key id


def _fernet(secret: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"renkei-signing-keys", info=b"v1"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@dataclass(frozen=True, slots=True)
class _Entry:
    kid: str
    public: RSAKey
    created_at: datetime
    private_sealed: str


class KeyRing:
    def __init__(self, db: Database, *, secret: str, rotation: timedelta, token_ttl: int) -> None:
        self.db = db
        self._fernet = _fernet(secret)
        self._rotation = rotation
        self._publish_for = rotation + timedelta(seconds=token_ttl) + timedelta(hours=1)
        self._entries: dict[str, _Entry] = {}
        self._signing: tuple[str, RSAKey] | None = None
        self._loaded_at = -float("inf")
        self._lock = asyncio.Lock()

    async def _reload(self) -> None:
        async with self.db.read_session() as session:
            rows = await SigningKeyRepository(session).all_keys()
        self._entries = {
            row.kid: _Entry(
                row.kid, RSAKey.import_key(row.public_jwk), row.created_at, row.private_key
            )
            for row in rows
        }
        self._loaded_at = time.monotonic()

    def _newest(self) -> _Entry | None:
        return max(self._entries.values(), key=lambda e: e.created_at, default=None)

    def _stale(self, entry: _Entry | None) -> bool:
        return entry is None or datetime.now(UTC) - entry.created_at >= self._rotation

    async def signing_key(self) -> RSAKey:
        """The private key to sign with now; rotates (creates a new key) when the newest is old."""
        newest = self._newest()
        if self._signing and newest and self._signing[0] == newest.kid and not self._stale(newest):
            return self._signing[1]
        async with self._lock:
            await self._reload()
            newest = self._newest()
            if self._stale(newest):
                newest = await self._create()
            assert newest is not None
            private = RSAKey.import_key(
                self._fernet.decrypt(newest.private_sealed.encode()),
                {"kid": newest.kid, "use": "sig", "alg": ALGORITHM},
            )
            self._signing = (newest.kid, private)
            return private

    async def _create(self) -> _Entry:
        """A new signing key, unless another process made a fresh one meanwhile (then that)."""
        kid = uuid.uuid4().hex
        key = await asyncio.to_thread(
            RSAKey.generate_key, 2048, {"kid": kid, "use": "sig", "alg": ALGORITHM}
        )
        async with self.db.transaction() as session:
            keys = SigningKeyRepository(session)
            await keys.lock_rotation()
            for row in await keys.all_keys():
                self._entries[row.kid] = _Entry(
                    row.kid, RSAKey.import_key(row.public_jwk), row.created_at, row.private_key
                )
            newest = self._newest()
            if not self._stale(newest):
                assert newest is not None
                return newest
            row = SigningKey(
                kid=kid,
                algorithm=ALGORITHM,
                public_jwk=key.as_dict(private=False),
                private_key=self._fernet.encrypt(key.as_pem(private=True)).decode(),
                created_at=datetime.now(UTC),
            )
            await keys.add_key(row)
        entry = _Entry(kid, RSAKey.import_key(row.public_jwk), row.created_at, row.private_key)
        self._entries[kid] = entry
        return entry

    async def public_key(self, kid: str) -> RSAKey | None:
        """The public key with this id, reloading the ring (rate-limited) when it is unknown."""
        entry = self._entries.get(kid)
        if entry is None and time.monotonic() - self._loaded_at > _RELOAD_SECONDS:
            async with self._lock:
                if kid not in self._entries:
                    await self._reload()
            entry = self._entries.get(kid)
        return entry.public if entry else None

    async def verification_keys(self) -> KeySet:
        """Every key ever used (audit checkpoints are verified with old keys too)."""
        await self._reload()
        return KeySet([e.public for e in self._entries.values()])

    async def jwks(self) -> dict[str, Any]:
        """RFC 7517 JWK Set of the keys whose tokens may still be valid (read from the store:
        resource servers fetch it rarely, and it must show keys other replicas made)."""
        await self._reload()
        horizon = datetime.now(UTC) - self._publish_for
        keys = [
            e.public.as_dict(private=False)
            for e in sorted(self._entries.values(), key=lambda e: e.created_at, reverse=True)
            if e.created_at >= horizon
        ]
        return {"keys": keys}
