"""The renkei command: migrate a fresh database, and keep openapi/ in step with the app."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def renkei(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "broker.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_creates_the_schema_in_a_fresh_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    result = renkei("migrate", env={"RENKEI_DATA_DIR": str(data_dir)})
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(data_dir / "renkei.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        tenants = [row[0] for row in db.execute("SELECT id FROM tenants")]
    assert {"tenants", "entities", "alembic_version"} <= tables
    assert tenants == ["default"]
    again = renkei("migrate", env={"RENKEI_DATA_DIR": str(data_dir)})
    assert again.returncode == 0, again.stderr


def test_openapi_document_matches_the_app() -> None:
    result = renkei("openapi", "--check")
    assert result.returncode == 0, result.stderr


def test_openapi_check_fails_on_a_stale_document(tmp_path: Path) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n")
    result = renkei("openapi", "--check", "--output", str(stale))
    assert result.returncode == 1
    assert "out of date" in result.stderr


def test_serve_answers_on_the_configured_port(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"RENKEI_DATA_DIR": str(tmp_path), "RENKEI_PORT": str(port)}
    assert renkei("migrate", env=env).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "broker.cli", "serve"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.json() == {"status": "ready"}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/ngsi-ld/v1/entities" in output
