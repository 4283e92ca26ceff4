"""`renkei serve` refuses a store that is not at this code's schema: never migrated, migrated
part of the way, or migrated by a newer Renkei. It exits non-zero with one line saying what to
do, instead of serving 500s; once migrated, the same store serves."""

import time
from pathlib import Path

import httpx

from broker.core.migrate import upgrade
from tests.hardening.cli import execute, renkei, start, store_env
from tests.servers import free_port


def _refusal(url: str) -> str:
    """What `renkei serve` says on stderr when it refuses the store (it must exit 1)."""
    result = renkei("serve", env=store_env(url))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # one clear line, no traceback
    assert "Renkei NGSI-LD broker on" not in result.stdout
    return lines[0]


def test_serve_refuses_a_store_that_was_never_migrated(scratch_url: str) -> None:
    line = _refusal(scratch_url)
    assert "not serving" in line and "`renkei migrate`" in line
    assert "not migrated" in line or "does not exist" in line


def test_serve_refuses_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    execute(url, "SELECT 1")  # the file exists, with no table (PostgreSQL: the test above)
    line = _refusal(url)
    assert "is empty: it is not migrated; run `renkei migrate` first" in line


def test_serve_refuses_a_partly_migrated_store(scratch_url: str) -> None:
    assert renkei("migrate", "0005", env=store_env(scratch_url)).returncode == 0
    line = _refusal(scratch_url)
    assert "partly migrated (at revision 0005" in line
    assert "`renkei migrate`" in line


def test_serve_refuses_a_store_migrated_by_a_newer_renkei(scratch_url: str) -> None:
    upgrade(scratch_url)
    execute(scratch_url, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
    line = _refusal(scratch_url)
    assert "revision 9999_from_the_future, newer than this Renkei" in line
    assert "migrated by a newer Renkei" in line


def test_serve_refuses_tables_without_a_schema_revision(scratch_url: str) -> None:
    upgrade(scratch_url)
    execute(scratch_url, "DROP TABLE alembic_version")
    line = _refusal(scratch_url)
    assert "has tables but no schema revision" in line and "`renkei migrate`" in line


def test_after_renkei_migrate_the_refused_store_serves(scratch_url: str, tmp_path: Path) -> None:
    env = store_env(scratch_url)
    assert renkei("migrate", "0004", env=env).returncode == 0
    _refusal(scratch_url)
    migrated = renkei("migrate", env=env)  # what `make run` does before `renkei serve`
    assert migrated.returncode == 0, migrated.stderr
    server = start("serve", env=env, log=tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                response = httpx.get(f"http://127.0.0.1:{env['RENKEI_PORT']}/ready", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the migrated store was not served"
                time.sleep(0.2)
        assert response.status_code == 200
        refused = httpx.post(
            f"http://127.0.0.1:{env['RENKEI_PORT']}/ngsi-ld/v1/entities",
            json={"id": "urn:ngsi-ld:T:1", "type": "T"},
        )
        assert refused.status_code == 401  # a real answer of the app, not a 500
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_refuses_an_unreachable_store_in_one_line_without_its_password() -> None:
    port = free_port()  # nothing listens there
    line = _refusal(f"postgresql+asyncpg://renkei:s3cret-pw@127.0.0.1:{port}/renkei")
    assert f"cannot open the database renkei on 127.0.0.1:{port}" in line
    assert "s3cret-pw" not in line
