"""Tokens of an external OIDC issuer (a Keycloak-like realm served on loopback)."""

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.settings import ExternalIssuer
from broker.core.app import create_app
from tests.broker.entities.helpers import ENTITIES, assert_problem, headers
from tests.conftest import make_auth, make_settings
from tests.servers import serve


class Realm:
    """A minimal identity provider: discovery document, JWKS, and a token mint."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, {"kid": "k1", "alg": "RS256"})]
        self.jwks_fetches = 0
        self.url = ""

    def app(self) -> Starlette:
        async def discovery(request: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": self.url + "/certs"})

        async def certs(request: Request) -> JSONResponse:
            self.jwks_fetches += 1
            return JSONResponse({"keys": [k.as_dict(private=False) for k in self.keys]})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/certs", certs),
            ]
        )

    def rotate(self) -> None:
        self.keys.append(
            RSAKey.generate_key(2048, {"kid": f"k{len(self.keys) + 1}", "alg": "RS256"})
        )

    def token(self, **claims: Any) -> str:
        key = self.keys[-1]
        now = int(time.time())
        body = {
            "iss": self.url,
            "sub": "user-1",
            "azp": "dashboard",
            "aud": "renkei",
            "iat": now,
            "exp": now + 300,
            "realm_access": {"roles": ["reader"]},
            "municipalities": ["city-130001"],
            **claims,
        }
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, body, key)


@pytest.fixture(scope="module")
def realm_server() -> Iterator[Realm]:
    realm = Realm()
    outer = Starlette()
    outer.mount("/realms/kanagawa", realm.app())
    with serve(outer) as url:
        realm.url = url + "/realms/kanagawa"
        yield realm


@pytest.fixture
async def oidc_app(database_url: str, realm_server: Realm) -> AsyncIterator[FastAPI]:
    issuer = ExternalIssuer(
        issuer=realm_server.url,
        audience="renkei",
        tenants_claim="municipalities",
        scopes_claim="realm_access.roles",
        tenant_map={"city-130001": "yokohama"},
        scope_map={"reader": "ngsi-ld:read"},
    )
    auth = make_auth(external_issuers=[issuer], jwks_refresh_interval=0)
    application = create_app(make_settings(database_url), auth=auth)
    async with LifespanManager(application):
        yield application


async def _get(app: FastAPI, token: str, tenant: str = "yokohama") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        return await http.get(
            ENTITIES,
            params={"type": "T"},
            headers={**headers(tenant), "Authorization": f"Bearer {token}"},
        )


async def test_a_realm_token_maps_to_tenants_and_scopes(
    oidc_app: FastAPI, realm_server: Realm, client: httpx.AsyncClient
) -> None:
    assert (await _get(oidc_app, realm_server.token())).status_code == 200
    assert_problem(await _get(oidc_app, realm_server.token(), "kawasaki"), 403, "Forbidden")
    writer = realm_server.token(realm_access={"roles": ["reader"]})
    transport = httpx.ASGITransport(app=oidc_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        response = await http.post(
            ENTITIES,
            json={"id": "urn:x:1", "type": "T"},
            headers={**headers("yokohama"), "Authorization": f"Bearer {writer}"},
        )
    assert_problem(response, 403, "Forbidden")


async def test_a_new_realm_key_is_fetched_when_a_token_names_it(
    oidc_app: FastAPI, realm_server: Realm, client: httpx.AsyncClient
) -> None:
    assert (await _get(oidc_app, realm_server.token())).status_code == 200
    fetches = realm_server.jwks_fetches
    realm_server.rotate()
    assert (await _get(oidc_app, realm_server.token())).status_code == 200
    assert realm_server.jwks_fetches == fetches + 1


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"exp": 1_000_000}, {"iss": "https://evil.example/realms/x"}],
    ids=["audience", "expired", "issuer"],
)
async def test_bad_realm_tokens_are_401(
    oidc_app: FastAPI, realm_server: Realm, claims: dict[str, Any], client: httpx.AsyncClient
) -> None:
    assert_problem(await _get(oidc_app, realm_server.token(**claims)), 401, "Unauthorized")


async def test_a_token_signed_by_a_stranger_is_401(
    oidc_app: FastAPI, realm_server: Realm, client: httpx.AsyncClient
) -> None:
    stranger = RSAKey.generate_key(2048, {"kid": "k1"})
    claims = jwt.decode(realm_server.token(), realm_server.keys[-1]).claims
    forged = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, stranger)
    assert_problem(await _get(oidc_app, forged), 401, "Unauthorized")
