"""`renkei serve` as operators run it: JSON logs on stderr, and on SIGTERM a graceful stop that
flushes the audit buffer before the process exits."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson

from tests.test_cli import ROOT, renkei


def test_sigterm_stops_gracefully_with_json_logs_and_the_audit_flushed(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "RENKEI_DATA_DIR": str(tmp_path),
        "RENKEI_PORT": str(port),
        "RENKEI_LOG_FORMAT": "json",
        "RENKEI_MQTT_ENABLED": "0",
        "RENKEI_AUDIT_FLUSH_INTERVAL": "3600",  # only the shutdown flush can store the entry
        "RENKEI_GRACEFUL_TIMEOUT": "5",
    }
    assert renkei("migrate", env=env).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "broker.cli", "serve"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert renkei("probe", "--ready", env=env).returncode == 0
        refused = httpx.get(
            f"http://127.0.0.1:{port}/ngsi-ld/v1/entities?type=T",
            headers={"X-Request-Id": "sigterm-1"},
        )
        assert refused.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
        reader.join(timeout=5)
    # uvicorn re-raises the signal once it has shut down, so the exit status names SIGTERM
    assert code in (0, -signal.SIGTERM), "".join(lines)
    assert any("Application shutdown complete" in line for line in lines)
    records = [orjson.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == len([line for line in lines if line.strip()]), "".join(lines)
    access = [r for r in records if r.get("request_id") == "sigterm-1"]
    assert access and access[0]["logger"] == "renkei.access" and access[0]["status"] == 401
    with sqlite3.connect(tmp_path / "renkei.db") as db:
        stored = db.execute(
            "SELECT count(*) FROM audit_records WHERE request_id = 'sigterm-1'"
        ).fetchone()[0]
        queued = db.execute("SELECT count(*) FROM audit_inbox").fetchone()[0]
    assert stored + queued >= 1
