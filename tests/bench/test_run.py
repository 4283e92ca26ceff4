"""`python -m bench.run` end to end, in --quick mode. Never asserts on speed: only that each
scenario asked for was measured, without errors, against a baseline from the same run."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def bench(
    output: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--output", str(output), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result, json.loads(output.read_text())


def test_quick_run_measures_creates_gets_and_a_query_against_the_baseline(tmp_path: Path) -> None:
    result, document = bench(
        tmp_path / "latest.json", "--only", "create", "get", "query", "--stores", "sqlite"
    )

    rows = {(r["scenario"], r["store"]): r for r in document["results"]}
    assert set(rows) == {("create", "sqlite"), ("get", "sqlite"), ("query", "sqlite")}
    for row in rows.values():
        assert row["skipped"] is None
        assert row["figure"] > 0
        assert row["baseline_name"] == "hello"
        assert row["baseline"] > 0
        assert row["ratio"] > 0
        for measured in (row["measurement"], row["baseline_measurement"]):
            assert measured["completed"] > 0
            assert measured["errors"] == 0
            assert measured["p50_ms"] > 0
    assert rows["create", "sqlite"]["unit"] == "creates/s"
    assert document["machine"]["cpu_count"] >= 1
    assert document["machine"]["python"].startswith("3.")
    assert document["machine"]["date"]
    assert document["options"]["quick"] is True
    for name in ("create", "get", "query"):
        assert name in result.stdout


def test_unreachable_postgresql_is_reported_as_skipped(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/postgres"

    result, document = bench(
        tmp_path / "latest.json", "--only", "upsert", env={"RENKEI_BENCH_POSTGRES_URL": url}
    )

    [row] = document["results"]
    assert (row["scenario"], row["store"]) == ("upsert", "postgresql")
    assert "not reachable" in row["skipped"]
    assert row["figure"] is None
    assert "skipped" in result.stdout


def test_help_lists_the_options_and_every_scenario() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for word in ("--quick", "--only", "--duration", "--entities", "create", "upsert", "geo"):
        assert word in result.stdout


def test_quick_mqtt_run_measures_committed_measures_against_raw_paho(tmp_path: Path) -> None:
    result, document = bench(
        tmp_path / "latest.json", "--only", "mqtt-ingest", "--stores", "sqlite"
    )

    [row] = document["results"]
    assert (row["scenario"], row["store"], row["unit"]) == ("mqtt-ingest", "sqlite", "measures/s")
    assert row["skipped"] is None
    assert row["figure"] > 0 and row["baseline"] > 0
    assert row["baseline_name"] == "paho pub→sub"
    assert row["measurement"]["errors"] == 0
    assert "mqtt-ingest" in result.stdout


def test_quick_run_measures_the_v2_face_beside_the_ld_figures(tmp_path: Path) -> None:
    _, document = bench(
        tmp_path / "latest.json", "--only", "v2-create", "v2-get", "--stores", "sqlite"
    )
    rows = {r["scenario"]: r for r in document["results"]}
    assert set(rows) == {"v2-create", "v2-get"}
    for row in rows.values():
        assert row["skipped"] is None
        assert row["measurement"]["completed"] > 0
        assert row["measurement"]["errors"] == 0
        assert row["baseline"] > 0
