"""The renkei command: migrate a fresh database, and keep openapi/ in step with the app."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def renkei(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "broker.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
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


def test_first_start_prints_admin_credentials_that_get_a_token(tmp_path: Path) -> None:
    import re
    import socket
    import threading
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
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or []), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"{base}/ready", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.json() == {"status": "ready"}
        secret = re.search(r"client_secret: (\S+)", "".join(lines))
        assert secret, "".join(lines)
        token = httpx.post(
            f"{base}/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("prefecture-admin", secret.group(1)),
        ).json()["access_token"]
        created = httpx.post(
            f"{base}/ngsi-ld/v1/entities",
            json={"id": "urn:ngsi-ld:T:1", "type": "T"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
    finally:
        server.terminate()
        server.wait(timeout=15)
        reader.join(timeout=5)
    output = "".join(lines)
    assert f"{base}/ngsi-ld/v1/entities" in output
    assert "/oauth2/token" in output


def test_tenant_and_client_commands(tmp_path: Path) -> None:
    import json

    env = {"RENKEI_DATA_DIR": str(tmp_path)}
    assert renkei("migrate", env=env).returncode == 0
    added = renkei(
        "tenant",
        "add",
        "yokohama",
        "--code",
        "141003",
        "--name-ja",
        "横浜市",
        "--rate-limit",
        "50",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["code"] == "141003"
    assert json.loads(added.stdout)["rateLimit"] == 50
    bad = renkei("tenant", "add", "x", "--code", "141004", env=env)
    assert bad.returncode == 1 and "check digit" in bad.stdout
    listed = json.loads(renkei("tenant", "list", env=env).stdout)
    assert [t["id"] for t in listed] == ["default", "yokohama"]
    client = renkei(
        "client",
        "add",
        "--id",
        "sensors",
        "--name",
        "Sensors",
        "--scopes",
        "ngsi-ld:read ngsi-ld:write",
        "--tenants",
        "yokohama",
        env=env,
    )
    assert client.returncode == 0, client.stderr
    first = json.loads(client.stdout)["secret"]
    rotated = json.loads(renkei("client", "rotate", "sensors", env=env).stdout)["secret"]
    assert rotated != first
    revoked = json.loads(renkei("client", "revoke", "sensors", env=env).stdout)
    assert revoked["active"] is False
    clients = json.loads(renkei("client", "list", env=env).stdout)
    assert [c["id"] for c in clients] == ["sensors"]
    missing = renkei("client", "rotate", "nobody", env=env)
    assert missing.returncode == 1 and "not found" in missing.stdout


def test_probe_fails_when_no_server_listens() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = renkei("probe", "--port", str(port), "--timeout", "1")
    assert result.returncode == 1
    assert f"127.0.0.1:{port}/health" in result.stderr


def test_users_create_makes_the_first_admin_with_a_password_from_stdin(tmp_path: Path) -> None:
    import json

    env = {"RENKEI_DATA_DIR": str(tmp_path)}
    assert renkei("migrate", env=env).returncode == 0
    password = "a long first password"
    made = renkei(
        "users",
        "create",
        "suzuki",
        "--name",
        "鈴木",
        "--role",
        "prefecture-admin",
        env=env,
        stdin=password + "\n",
    )
    assert made.returncode == 0, made.stderr + made.stdout
    shown = json.loads(made.stdout)
    assert shown["role"] == "prefecture-admin" and shown["tenants"] == ["*"]
    assert password not in made.stdout
    with sqlite3.connect(tmp_path / "renkei.db") as db:
        stored = db.execute("SELECT password_hash FROM users WHERE id = 'suzuki'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    short = renkei(
        "users",
        "create",
        "sato",
        "--name",
        "佐藤",
        "--role",
        "municipal-staff",
        "--tenant",
        "default",
        env=env,
        stdin="short\n",
    )
    assert short.returncode == 1 and "password" in short.stdout
    unknown = renkei(
        "users",
        "create",
        "sato",
        "--name",
        "佐藤",
        "--role",
        "municipal-staff",
        "--tenant",
        "nowhere",
        env=env,
        stdin=password + "\n",
    )
    assert unknown.returncode == 1 and "no such tenants" in unknown.stdout
