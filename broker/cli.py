"""The `renkei` command: serve, probe, migrate, openapi."""

import argparse
import json
import os
import sys
from pathlib import Path

from broker.core.logs import configure_logging
from broker.core.settings import BrokerSettings, get_settings

DEFAULT_OPENAPI = Path("openapi/openapi.json")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from broker.core.schema_check import problem

    settings = get_settings()
    refused = problem(settings.effective_database_url)
    if refused is not None:
        print(f"renkei serve: not serving: {refused}", file=sys.stderr, flush=True)
        return 1
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if workers > 1 and (why := _single_process_only(settings)) is not None:
        print(f"renkei serve: not serving {workers} workers: {why}", file=sys.stderr, flush=True)
        return 1
    # the workers read their settings from the environment they inherit: --workers included
    os.environ["RENKEI_WORKERS"] = str(workers)
    from auth.settings import get_auth_settings

    auth = get_auth_settings()
    base = f"http://{host}:{port}"
    print(f"Renkei NGSI-LD broker on {base}/ngsi-ld/v1/entities", flush=True)
    if workers > 1:
        print(f"  {workers} worker processes", flush=True)
    print(f"  API documents: {base}/docs", flush=True)
    if not auth.auth_disabled:
        print(
            "  Every call needs an OAuth2 token. Get one with a client's credentials:\n"
            f"    curl -s -u '<client_id>:<client_secret>' -d grant_type=client_credentials "
            f"{base}/oauth2/token\n"
            f"  On first start the admin client ({auth.admin_client_id}) and its secret are "
            "printed below, once.\n"
            f"  Lost it? `.venv/bin/renkei client rotate {auth.admin_client_id}` prints a new one.",
            flush=True,
        )
    uvicorn.run(
        "broker.core.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=None,  # configure_logging (in main) already set the handlers
        access_log=False,  # renkei.access writes one line per request, with its request id
        proxy_headers=True,
        timeout_graceful_shutdown=settings.graceful_timeout,
    )
    return 0


def _single_process_only(settings: BrokerSettings) -> str | None:
    """Why this configuration cannot run as several processes (None: it can)."""
    from connectors.settings import get_connector_settings

    if settings.effective_database_url.startswith("sqlite"):
        return "SQLite has one writer; run one worker, or use PostgreSQL (RENKEI_DATABASE_URL)"
    connectors = get_connector_settings()
    if connectors.mqtt_enabled and not connectors.mqtt_url:
        return (
            "each worker would start or probe its own local MQTT broker; set RENKEI_MQTT_URL "
            "to the shared broker (workers split devices with shared subscriptions)"
        )
    if connectors.mqtt_enabled and not connectors.mqtt_shared_group:
        return "every worker would take every device measure; set RENKEI_MQTT_SHARED_GROUP"
    return None


def _probe(args: argparse.Namespace) -> int:
    """GET /health (or /ready) of the server on this machine: the container health check."""
    import urllib.error
    import urllib.request

    settings = get_settings()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"http://{host}:{args.port or settings.port}/{'ready' if args.ready else 'health'}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


def _migrate(args: argparse.Namespace) -> int:
    from broker.core.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url, args.revision)
    print(f"database at {url.split('@')[-1]} is at revision {args.revision}")
    return 0


def openapi_document() -> str:
    from broker.core.app import create_app

    return json.dumps(create_app().openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _openapi(args: argparse.Namespace) -> int:
    document = openapi_document()
    path: Path = args.output
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != document:
            print(f"{path} is out of date: run `renkei openapi`", file=sys.stderr)
            return 1
        print(f"{path} matches the app")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="renkei", description="Renkei data-linkage base")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default=None, help="default RENKEI_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="default RENKEI_PORT (1026)")
    serve.add_argument(
        "--workers", type=int, default=None, help="processes, default RENKEI_WORKERS (1)"
    )
    serve.set_defaults(func=_serve)

    probe = commands.add_parser("probe", help="exit 0 if the local server is live (or ready)")
    probe.add_argument("--ready", action="store_true", help="check /ready instead of /health")
    probe.add_argument("--port", type=int, default=None, help="default RENKEI_PORT")
    probe.add_argument("--timeout", type=float, default=3.0)
    probe.set_defaults(func=_probe)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=_migrate)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=DEFAULT_OPENAPI)
    openapi.add_argument("--check", action="store_true", help="fail if the file is stale")
    openapi.set_defaults(func=_openapi)

    from auth.cli import register
    from connectors.simulate import register as register_simulate

    register(commands)
    register_simulate(commands)
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(
        level=settings.log_level, fmt=settings.log_format, access_lines=settings.access_log
    )
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
