"""Logs: JSON lines naming the request id, tenant and client; one access line per request."""

import io
import logging
from collections.abc import Iterator

import httpx
import orjson
import pytest
from fastapi import FastAPI

from broker.core.logs import ACCESS_LOGGER, JsonFormatter, RequestContextFilter, TextFormatter
from tests.broker.entities.helpers import ENTITIES, headers
from tests.conftest import ADMIN_CLIENT


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the access logger writes while a test runs, formatted as in containers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


async def test_access_line_is_json_with_request_id_tenant_and_client(
    client: httpx.AsyncClient, json_lines: io.StringIO
) -> None:
    response = await client.get(
        f"{ENTITIES}?type=Thing", headers=headers(tenant="yokohama", **{"X-Request-Id": "r-77"})
    )
    assert response.headers["x-request-id"] == "r-77"
    (line,) = [entry for entry in lines(json_lines) if entry.get("request_id") == "r-77"]
    assert line["logger"] == ACCESS_LOGGER
    assert line["level"] == "INFO"
    assert line["tenant"] == "yokohama"
    assert line["client"] == ADMIN_CLIENT
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["path"] == ENTITIES
    assert isinstance(line["duration_ms"], float)


async def test_records_logged_while_serving_a_request_carry_its_context(
    app: FastAPI, client: httpx.AsyncClient, json_lines: io.StringIO
) -> None:
    async def speak() -> dict[str, str]:
        logging.getLogger(ACCESS_LOGGER).warning("inside the handler")
        return {}

    app.add_api_route("/test-speak", speak)
    try:
        await client.get("/test-speak", headers={"X-Request-Id": "r-88"})
    finally:
        app.router.routes.pop()
    (inside,) = [entry for entry in lines(json_lines) if entry["message"] == "inside the handler"]
    assert inside["request_id"] == "r-88"


def test_text_format_appends_the_request_context() -> None:
    record = logging.makeLogRecord(
        {"name": "renkei.x", "levelname": "INFO", "msg": "hello", "request_id": "r-1"}
    )
    assert TextFormatter().format(record).endswith("renkei.x: hello [request_id=r-1]")


def test_json_format_keeps_exceptions_and_extra_fields() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record = logging.makeLogRecord(
            {"msg": "failed %s", "args": ("x",), "exc_info": sys.exc_info(), "batch": 3}
        )
    line = orjson.loads(JsonFormatter().format(record))
    assert line["message"] == "failed x"
    assert line["batch"] == 3
    assert "ValueError: bad" in line["exception"]
