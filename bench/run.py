"""`python -m bench.run`: start the servers, run the scenarios, print and save the results."""

import argparse
import asyncio
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import make_url

from bench import report
from bench.harness import STORES, Harness, Options, Result, progress
from bench.load import Window
from bench.scenarios import load_scenarios, run_scenarios
from bench.settings import BenchSettings

SCENARIOS = load_scenarios()
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "latest.json"
# (window warm-up s, window duration s, query data set, batch size, GET-by-id entities)
FULL = (2.0, 5.0, 100_000, 1000, 1000)
QUICK = (0.3, 1.0, 2000, 100, 200)


def parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {s.name:<8} {s.summary}" for s in SCENARIOS.values())
    command = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark a Renkei server against baselines measured in the same run.",
        epilog=f"scenarios:\n{listing}\n\nSee bench/README.md for how to read the results.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--quick", action="store_true", help="tiny data sets and ~1 s windows (a smoke run)"
    )
    command.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), metavar="SCENARIO", help="run only these"
    )
    command.add_argument(
        "--duration", type=float, help=f"measuring window per scenario, s (default {FULL[1]})"
    )
    command.add_argument("--warmup", type=float, help=f"warm-up before it, s (default {FULL[0]})")
    command.add_argument("--entities", type=int, help=f"query data set size (default {FULL[2]:,})")
    command.add_argument(
        "--stores", nargs="+", choices=STORES, default=list(STORES), help="stores to run on"
    )
    command.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results file")
    return command


def options_from(args: argparse.Namespace) -> Options:
    warmup, duration, entities, batch_size, get_ids = QUICK if args.quick else FULL
    return Options(
        window=Window(
            warmup=args.warmup if args.warmup is not None else warmup,
            duration=args.duration if args.duration is not None else duration,
        ),
        entities=args.entities if args.entities is not None else entities,
        batch_size=batch_size,
        get_ids=get_ids,
        stores=tuple(args.stores),
        postgres_url=BenchSettings().postgres_url,
    )


async def _run(
    options: Options, names: list[str], workdir: Path
) -> tuple[list[Result], dict[str, Any]]:
    harness = Harness(options, workdir)
    try:
        return await run_scenarios(harness, names), harness.setup
    finally:
        await harness.close()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.duration is not None and args.duration <= 0:
        parser().error("--duration must be positive")
    if args.entities is not None and args.entities < 1:
        parser().error("--entities must be at least 1")
    options = options_from(args)
    names = [name for name in SCENARIOS if not args.only or name in args.only]
    with tempfile.TemporaryDirectory(prefix="renkei-bench-") as workdir:
        results, setup = asyncio.run(_run(options, names, Path(workdir)))
    chosen = asdict(options) | {"quick": args.quick, "scenarios": names}
    chosen["postgres_url"] = make_url(options.postgres_url).render_as_string(hide_password=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(
        orjson.dumps(report.document(results, chosen, setup), option=orjson.OPT_INDENT_2)
    )
    print(report.table(results), flush=True)
    progress(f"\nresults written to {args.output}")
    return 1 if report.failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
