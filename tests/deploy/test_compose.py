"""docker-compose.yml, checked by Docker Compose's own parser (`docker compose config`)."""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import ROOT, compose_binary, run

SECRETS = {"RENKEI_SECRET": "a-test-secret", "POSTGRES_PASSWORD": "a-test-password"}


def compose(*args: str, env_file: Path, **env: str) -> Any:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RENKEI_", "POSTGRES_"))}
    return run(
        compose_binary(),
        "--project-directory",
        ROOT,
        "--env-file",
        env_file,
        "-f",
        ROOT / "docker-compose.yml",
        *args,
        env=base | env,
    )


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    """An empty .env, so that an operator's own .env in the checkout does not count."""
    path = tmp_path / ".env"
    path.write_text("")
    return path


@pytest.fixture
def config(env_file: Path) -> dict[str, Any]:
    result = compose("config", "--format", "json", env_file=env_file, **SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)  # type: ignore[no-any-return]


def test_compose_file_is_valid_for_docker_compose(env_file: Path) -> None:
    result = compose("config", "--quiet", env_file=env_file, **SECRETS)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_the_secrets(env_file: Path) -> None:
    result = compose("config", "--quiet", env_file=env_file)
    assert result.returncode != 0
    assert "RENKEI_SECRET" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_migrations_run_before_renkei_starts(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["migrate"]["command"] == ["renkei", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    waits = services["renkei"]["depends_on"]
    assert waits["migrate"]["condition"] == "service_completed_successfully"
    assert waits["mosquitto"]["condition"] == "service_healthy"


def test_services_are_wired_by_environment(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in ("renkei", "migrate"):
        env = services[name]["environment"]
        assert env["RENKEI_DATABASE_URL"].endswith("@postgres:5432/renkei")
        assert "a-test-password" in env["RENKEI_DATABASE_URL"]
        assert env["RENKEI_SECRET"] == "a-test-secret"
        assert env["RENKEI_ENV"] == "production"
    assert services["renkei"]["environment"]["RENKEI_MQTT_URL"] == "mqtt://mosquitto:1883"
    assert services["renkei"]["environment"]["RENKEI_LOG_FORMAT"] == "json"


def test_postgres_keeps_its_data_in_a_named_volume(config: dict[str, Any]) -> None:
    (volume,) = config["services"]["postgres"]["volumes"]
    assert volume["type"] == "volume" and volume["source"] == "pgdata"
    assert volume["target"] == "/var/lib/postgresql/data"
    assert "pgdata" in config["volumes"]


def test_mosquitto_gets_its_config_file_mounted(config: dict[str, Any]) -> None:
    mounts = config["services"]["mosquitto"]["volumes"]
    (conf,) = [m for m in mounts if m["target"] == "/mosquitto/config/mosquitto.conf"]
    assert conf["type"] == "bind" and conf["read_only"] is True
    assert Path(conf["source"]) == ROOT / "deploy" / "mosquitto" / "mosquitto.conf"
    assert Path(conf["source"]).is_file()
    assert config["services"]["mosquitto"]["image"].startswith("eclipse-mosquitto:2")
