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
