"""Sealing: inbox entries become hash-chained records; chain heads get signed checkpoints.

Any number of replicas may seal at once: each claims inbox rows other sealers have not locked
(SKIP LOCKED), and takes its chains' head rows in tenant order, so chains stay linear and no
two sealers deadlock.
"""

from collections import defaultdict
from datetime import UTC, datetime

import orjson
from joserfc import jws
from joserfc.jwk import RSAKey
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.entry import AuditEntry
from auth.audit.repository import AuditChainRepository, AuditInboxRepository, AuditRepository
from auth.audit.usage import Usage


async def seal_batch(session: AsyncSession, usage: Usage, *, limit: int) -> int:
    """Chain up to `limit` inbox entries; returns how many."""
    inbox = AuditInboxRepository(session)
    claimed = await inbox.claim(limit)
    if not claimed:
        return 0
    by_tenant: dict[str, list[AuditEntry]] = defaultdict(list)
    for _, data in claimed:
        entry = AuditEntry.from_json(data)
        by_tenant[entry.tenant].append(entry)
    for tenant in sorted(by_tenant):
        chain = AuditChainRepository(session, tenant)
        seq, head = await chain.lock()
        rows = []
        for entry in by_tenant[tenant]:
            seq += 1
            row = entry.columns(seq, head)
            head = row["hash"]
            rows.append(row)
        await chain.append(rows, seq, head)
    await usage.add(session, usage.of_entries(e for es in by_tenant.values() for e in es))
    await inbox.delete([i for i, _ in claimed])
    return len(claimed)


def checkpoint_payload(tenant: str, seq: int, head: str, signed_at: datetime) -> bytes:
    body = {"tenant": tenant, "seq": seq, "hash": head, "signedAt": signed_at.isoformat()}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


async def checkpoint(session: AsyncSession, key: RSAKey) -> int:
    """Sign the head of every chain that grew since its last checkpoint; returns how many."""
    audit = AuditRepository(session)
    signed = await audit.last_checkpoints()
    made = 0
    now = datetime.now(UTC)
    for chain in await audit.chains(None):
        if chain.seq == 0 or signed.get(chain.tenant_id, 0) >= chain.seq:
            continue
        payload = checkpoint_payload(chain.tenant_id, chain.seq, chain.head_hash, now)
        signature = jws.serialize_compact({"alg": "RS256", "kid": key.kid}, payload, key)
        await AuditChainRepository(session, chain.tenant_id).add_checkpoint(
            seq=chain.seq, head=chain.head_hash, signed_at=now, signature=signature
        )
        made += 1
    return made
