"""The built-in authorization server: client credentials, JWT access tokens, JWKS, metadata,
revocation, and what makes a token stop working."""

import time
from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import text

from auth.keys.service import KeyRing
from broker.core.app import create_app
from tests.auth.helpers import get_token, make_client
from tests.broker.entities.helpers import ENTITIES, assert_problem
from tests.conftest import make_auth, make_settings

FORM = {"grant_type": "client_credentials"}


async def _jwks(anonymous: httpx.AsyncClient) -> KeySet:
    response = await anonymous.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jwk-set+json"
    return KeySet.import_key_set(response.json())


async def test_client_credentials_give_a_verifiable_rfc9068_token(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app, scopes=["ngsi-ld:read"], tenants=["yokohama"])
    response = await anonymous.post("/oauth2/token", data=FORM, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "ngsi-ld:read"
    assert response.headers["cache-control"] == "no-store"
    token = jwt.decode(body["access_token"], await _jwks(anonymous), algorithms=["RS256"])
    assert token.header["typ"] == "at+jwt"
    claims = token.claims
    assert claims["iss"] == app.state.issuer
    assert claims["aud"] == "renkei"
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["tenants"] == ["yokohama"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["jti"]


async def test_secret_in_the_form_works_too(app: FastAPI, anonymous: httpx.AsyncClient) -> None:
    client_id, secret = await make_client(app)
    form = {**FORM, "client_id": client_id, "client_secret": secret}
    assert (await anonymous.post("/oauth2/token", data=form)).status_code == 200


@pytest.mark.parametrize(
    ("form", "credentials", "status", "error"),
    [
        (FORM, ("nobody", "x"), 401, "invalid_client"),
        (FORM, (None, "wrong"), 401, "invalid_client"),
        ({"grant_type": "password"}, None, 400, "unsupported_grant_type"),
        ({}, None, 400, "invalid_request"),
        ({**FORM, "scope": "ngsi-ld:write"}, None, 400, "invalid_scope"),
        ({**FORM, "scope": "no-such-scope"}, None, 400, "invalid_scope"),
    ],
    ids=["unknown client", "wrong secret", "other grant", "no grant", "unheld scope", "unknown"],
)
async def test_bad_token_requests_get_oauth2_errors(
    app: FastAPI,
    anonymous: httpx.AsyncClient,
    form: dict[str, str],
    credentials: tuple[str | None, str] | None,
    status: int,
    error: str,
) -> None:
    client_id, secret = await make_client(app, scopes=["ngsi-ld:read"])
    if credentials is not None:
        client_id, secret = credentials[0] or client_id, credentials[1]
    response = await anonymous.post("/oauth2/token", data=form, auth=(client_id, secret))
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


async def test_token_request_must_be_a_form(app: FastAPI, anonymous: httpx.AsyncClient) -> None:
    client_id, secret = await make_client(app)
    response = await anonymous.post("/oauth2/token", json=FORM, auth=(client_id, secret))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_narrower_scope_can_be_asked_for(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app, scopes=["ngsi-ld:read", "ngsi-ld:write"])
    token = await get_token(anonymous, client_id, secret, scope="ngsi-ld:read")
    response = await anonymous.post(
        ENTITIES, json={"id": "urn:x:1", "type": "T"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_problem(response, 403, "Forbidden")


async def test_server_metadata_names_the_endpoints(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        metadata = (await anonymous.get(path)).json()
        assert metadata["issuer"] == app.state.issuer
        assert metadata["token_endpoint"] == app.state.issuer + "/oauth2/token"
        assert metadata["jwks_uri"] == app.state.issuer + "/.well-known/jwks.json"
        assert metadata["revocation_endpoint"] == app.state.issuer + "/oauth2/revoke"
        assert metadata["grant_types_supported"] == ["client_credentials", "authorization_code"]
        assert "ngsi-ld:read" in metadata["scopes_supported"]


async def _status_with(anonymous: httpx.AsyncClient, token: str) -> int:
    response = await anonymous.get(
        ENTITIES, params={"type": "T"}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def test_a_revoked_token_stops_working_and_others_do_not(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app)
    revoked = await get_token(anonymous, client_id, secret)
    other = await get_token(anonymous, client_id, secret)
    assert await _status_with(anonymous, revoked) == 200
    response = await anonymous.post(
        "/oauth2/revoke", data={"token": revoked}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    assert await _status_with(anonymous, revoked) == 401
    assert await _status_with(anonymous, other) == 200


async def test_a_client_cannot_revoke_another_clients_token(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    owner = await make_client(app)
    intruder = await make_client(app)
    token = await get_token(anonymous, *owner)
    await anonymous.post("/oauth2/revoke", data={"token": token}, auth=intruder)
    assert await _status_with(anonymous, token) == 200


async def test_revoking_a_garbage_token_is_still_200(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app)
    response = await anonymous.post(
        "/oauth2/revoke", data={"token": "not-a-token"}, auth=(client_id, secret)
    )
    assert response.status_code == 200


async def test_revoking_the_client_ends_its_tokens(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app)
    token = await get_token(anonymous, client_id, secret)
    assert (await client.post(f"/admin/v1/clients/{client_id}/revoke")).status_code == 200
    assert await _status_with(anonymous, token) == 401
    response = await anonymous.post("/oauth2/token", data=FORM, auth=(client_id, secret))
    assert response.json()["error"] == "invalid_client"


async def test_rotating_the_secret_ends_the_old_secret(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    client_id, old = await make_client(app)
    token = await get_token(anonymous, client_id, old)
    response = await client.post(f"/admin/v1/clients/{client_id}/rotate")
    new = response.json()["secret"]
    assert (
        await anonymous.post("/oauth2/token", data=FORM, auth=(client_id, old))
    ).status_code == 401
    await get_token(anonymous, client_id, new)
    assert await _status_with(anonymous, token) == 200  # issued tokens run until they expire


async def test_narrowing_a_client_applies_to_tokens_it_holds(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app, scopes=["ngsi-ld:read"], tenants=["default"])
    token = await get_token(anonymous, client_id, secret)
    assert await _status_with(anonymous, token) == 200
    response = await client.patch(f"/admin/v1/clients/{client_id}", json={"tenants": ["yokohama"]})
    assert response.status_code == 200, response.text
    assert await _status_with(anonymous, token) == 403


def _forged(app: FastAPI, key: RSAKey, **claims: object) -> str:
    now = int(time.time())
    body = {
        "iss": app.state.issuer,
        "aud": "renkei",
        "sub": "test-admin",
        "client_id": "test-admin",
        "jti": "forged",
        "iat": now,
        "exp": now + 600,
        "scope": "ngsi-ld:read",
        "tenants": ["*"],
        **claims,
    }
    return jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": key.kid}, body, key)


async def test_tokens_that_are_not_ours_or_not_valid_get_401(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    ours = await app.state.keyring.signing_key()
    stranger = RSAKey.generate_key(2048, {"kid": "stranger"})
    cases = {
        "unknown key": _forged(app, stranger),
        "expired": _forged(app, ours, exp=int(time.time()) - 3600),
        "other issuer": _forged(app, ours, iss="https://elsewhere.example"),
        "other audience": _forged(app, ours, aud="someone-else"),
        "no jti": _forged(app, ours, jti=None),
        "tampered": _forged(app, ours)[:-4] + "AAAA",
        "not a jwt": "abc.def",
    }
    for name, token in cases.items():
        response = await anonymous.get(
            ENTITIES, params={"type": "T"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, (name, response.text)
        assert response.json()["type"] == "urn:renkei:errors:Unauthorized", name
        assert response.headers["www-authenticate"].startswith('Bearer realm="renkei"'), name
    assert await _status_with(anonymous, _forged(app, ours)) == 200


async def test_missing_or_malformed_authorization_is_401(anonymous: httpx.AsyncClient) -> None:
    for header in (None, "Basic abc", "Bearer", "Bearer "):
        headers = {"Authorization": header} if header else {}
        response = await anonymous.get(ENTITIES, params={"type": "T"}, headers=headers)
        assert response.status_code == 401, header
        assert response.headers["content-type"] == "application/problem+json"


async def test_signing_keys_rotate_and_old_tokens_still_verify(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    client_id, secret = await make_client(app)
    old_token = await get_token(anonymous, client_id, secret)
    rotating = KeyRing(
        app.state.db,
        secret=app.state.auth_settings.secret.get_secret_value(),
        rotation=timedelta(seconds=0),
        token_ttl=3600,
    )
    new_key = await rotating.signing_key()
    old_kid = jwt.decode(old_token, await _jwks(anonymous), algorithms=["RS256"]).header["kid"]
    assert new_key.kid != old_kid
    kids = {k.kid for k in (await _jwks(anonymous)).keys}
    assert {old_kid, new_key.kid} <= kids
    assert await _status_with(anonymous, _forged(app, new_key)) == 200
    assert await _status_with(anonymous, old_token) == 200


async def test_private_keys_are_encrypted_at_rest(app: FastAPI) -> None:
    async with app.state.db.read_session() as session:
        stored = list(await session.scalars(text("SELECT private_key FROM signing_keys")))
    assert stored
    assert not any("PRIVATE KEY" in value for value in stored)


async def test_a_token_is_accepted_within_the_leeway_past_exp_and_refused_beyond_it(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    """RFC 7519 4.1.4: exp may be given "some small leeway" for clock skew (RENKEI_TOKEN_LEEWAY,
    30 s by default)."""
    assert app.state.auth_settings.token_leeway == 30
    ours = await app.state.keyring.signing_key()
    now = int(time.time())
    assert await _status_with(anonymous, _forged(app, ours, exp=now - 5, jti="skewed")) == 200
    assert await _status_with(anonymous, _forged(app, ours, exp=now - 120, jti="late")) == 401


@pytest.mark.parametrize(("leeway", "expired_by", "status"), [(0, 5, 401), (120, 60, 200)])
async def test_the_leeway_past_exp_is_the_configured_one(
    database_url: str, leeway: int, expired_by: int, status: int
) -> None:
    application = create_app(
        make_settings(database_url), auth=make_auth(token_leeway=leeway, audit_enabled=False)
    )
    async with LifespanManager(application):
        ours = await application.state.keyring.signing_key()
        token = _forged(application, ours, exp=int(time.time()) - expired_by, jti="configured")
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert await _status_with(http, token) == status


async def test_a_token_of_a_client_made_on_another_replica_works_at_once(
    app: FastAPI, anonymous: httpx.AsyncClient, admin_token: str, database_url: str
) -> None:
    """A replica whose directory snapshot predates a new client (made on another replica, or
    with `renkei client add`) accepts that client's fresh token instead of calling it revoked."""
    probe = {"Authorization": f"Bearer {admin_token}", "NGSILD-Tenant": "yokohama"}
    assert (await anonymous.get(ENTITIES, params={"type": "T"}, headers=probe)).status_code == 200
    other = create_app(make_settings(database_url), auth=make_auth(audit_enabled=False))
    async with LifespanManager(other):
        client_id, secret = await make_client(other, tenants=["yokohama"])
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            token = await get_token(http, client_id, secret)
    fresh = {"Authorization": f"Bearer {token}", "NGSILD-Tenant": "yokohama"}
    response = await anonymous.get(ENTITIES, params={"type": "T"}, headers=fresh)
    assert response.status_code == 200, response.text
