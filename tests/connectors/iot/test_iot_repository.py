"""The IoT provisioning repository is bound to one tenant; the API-key lookup is the one
statement that spans tenants."""

import httpx
from fastapi import FastAPI

from auth.principals import Access
from broker.core.repository import TenantBoundRepository
from connectors.iot import repository
from connectors.iot.repository import IotRepository
from tests.connectors.helpers import add_device, add_group


async def test_a_repository_of_another_tenant_sees_none_of_the_groups_and_devices(
    mqtt_app: FastAPI, iot: httpx.AsyncClient
) -> None:
    assert issubclass(IotRepository, TenantBoundRepository)
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    async with mqtt_app.state.db.transaction() as session:
        other = IotRepository(session, "kawasaki")
        assert await other.groups_with(apikey) == []
        assert await other.devices_by_id([device["device_id"]]) == {}
        assert await other.delete_devices([device["device_id"]]) == 0
        own = IotRepository.of(session, Access.system("yokohama"))
        assert [g.apikey for g in await own.groups_with(apikey)] == [apikey]
        assert list(await own.devices_by_id([device["device_id"]])) == [device["device_id"]]
        assert await repository.ApiKeyRepository(session).tenants_using(apikey) == {"yokohama"}
