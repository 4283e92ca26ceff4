"""The report: a table on stdout and a JSON document with the machine and every figure."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.harness import Result
from bench.load import Measurement

CLIENT_BOUND = 0.9  # a load process this busy may have been the limit, not the server
PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "asyncpg", "aiosqlite", "httpx")


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "packages": versions,
    }


def _commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def document(
    results: list[Result], options: dict[str, Any], setup: dict[str, Any]
) -> dict[str, Any]:
    return {
        "machine": machine(),
        "options": options,
        "setup": setup,
        "results": [result.as_json() for result in results],
    }


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _client_bound(measurement: Measurement | None) -> bool:
    return bool(measurement and (measurement.client_cpu or 0) >= CLIENT_BOUND)


def _cpu(measurement: Measurement | None) -> tuple[str, str]:
    if measurement is None:
        return "-", "-"
    server = "-" if measurement.server_cpu is None else f"{measurement.server_cpu:.0%}"
    client = "-" if measurement.client_cpu is None else f"{measurement.client_cpu:.0%}"
    return server, client + ("*" if _client_bound(measurement) else "")


def _latency(measurement: Measurement | None) -> tuple[str, str]:
    if measurement is None:
        return "-", "-"
    return _number(measurement.p50_ms), _number(measurement.p99_ms)


HEADER = (
    "scenario",
    "store",
    "figure",
    "unit",
    "p50 ms",
    "p99 ms",
    "srv cpu",
    "cli cpu",
    "baseline",
    "vs",
    "ratio",
    "ratio/cpu",
)
LEFT = {0, 1, 3, 9}


def _row(r: Result) -> tuple[str, ...]:
    if r.skipped:
        return (r.scenario, r.store, "skipped", *("",) * (len(HEADER) - 3))
    baseline = _number(r.baseline) + ("*" if _client_bound(r.baseline_measurement) else "")
    return (
        r.scenario,
        r.store,
        _number(r.figure),
        r.unit,
        *_latency(r.measurement),
        *_cpu(r.measurement),
        baseline,
        f"{r.baseline_name} {r.baseline_unit}" if r.baseline_name else "-",
        _ratio(r.ratio),
        _ratio(r.cpu_ratio),
    )


def _notes(results: list[Result], rows: list[tuple[str, ...]]) -> list[str]:
    notes = []
    for r in results:
        if r.skipped:
            notes.append(f"{r.scenario} on {r.store} skipped: {r.skipped}")
        for m in (r.measurement, r.baseline_measurement):
            if m is not None and m.errors:
                notes.append(f"{r.scenario} on {r.store}: {m.errors} errors, e.g. {m.first_error}")
    if any("*" in cell for row in rows for cell in row):
        notes.append(
            "* the load process used most of a core there: the throughput may be the client's "
            "limit, not the server's; ratio/cpu (throughput per second of server CPU) is not "
            "affected"
        )
    return notes


def table(results: list[Result]) -> str:
    """The results as a plain-text table, with notes on skips, errors and busy clients."""
    rows = [HEADER, *(_row(r) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(widths[i]) if i in LEFT else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [line(rows[0]), "  ".join("-" * w for w in widths), *(line(row) for row in rows[1:])]
    notes = _notes(results, rows)
    return "\n".join(out + ([""] if notes else []) + notes)


def failed(results: list[Result]) -> bool:
    """Whether any measurement saw a failed request."""
    return any(
        m is not None and m.errors for r in results for m in (r.measurement, r.baseline_measurement)
    )
