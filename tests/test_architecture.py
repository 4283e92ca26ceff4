"""Which package may import which (docs/architecture.md), checked over the real import graph.

Each rule names the modules of *other* top-level packages that a package's modules may import
(by dotted prefix). The composition roots (the app factory and the CLI) may import everything.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("broker", "auth", "connectors", "catalog", "migrations")
COMPOSITION_ROOTS = {"broker.core.app", "broker.cli"}

# Modules of other packages each package may import: a dotted name covers its submodules; a
# bare package name covers only the package itself (`from auth import scopes`).
ALLOWED: dict[str, tuple[str, ...]] = {
    # auth depends on no domain package: only the shared plumbing
    "auth": ("broker.core",),
    # broker's domains declare auth (principals, scopes as dependencies) and nothing else
    "broker": ("auth.principals", "auth.dependencies", "auth"),
    # the edges call broker's services and shared plumbing, never its repositories or models
    "connectors": (
        "broker.core",
        "broker.jsonld.context",
        "broker.entities.batch.service",
        "broker.entities.service",
        "broker.entities.query.service",
        "broker.subscriptions.service",
        "broker.subscriptions.delivery_service",  # the outbox workers of connectors/notify
        "auth.principals",
        "auth.dependencies",
        "auth.audit",  # the audit log and usage records every edge writes to
        "auth",
    ),
    "catalog": (
        "broker.core",
        "broker.jsonld.context",
        "broker.entities.service",
        "broker.entities.batch.service",
        "broker.entities.query.service",
        "auth.principals",
        "auth.dependencies",
        "auth.guard",
        "auth.scopes",
        "auth",
    ),
    "migrations": ("broker.core",),
}

# Imports that break the rules today, each to be removed when a service replaces it. No new
# entry may be added.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _all_imports() -> Iterator[tuple[str, str]]:
    """(importing module, imported module) for every absolute import in the packages."""
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    yield module, name


def _imports() -> set[tuple[str, str]]:
    """(importing module, imported module) for every absolute import across packages."""
    edges: set[tuple[str, str]] = set()
    for module, name in _all_imports():
        top = name.split(".")[0]
        if top in PACKAGES and top != module.split(".")[0]:
            edges.add((module, name))
    return edges


def _allowed(module: str, imported: str) -> bool:
    if module in COMPOSITION_ROOTS or (module, imported) in KNOWN_EXCEPTIONS:
        return True
    rules = ALLOWED[module.split(".")[0]]
    return any(
        imported == rule or ("." in rule and imported.startswith(rule + ".")) for rule in rules
    )


def test_every_import_across_packages_follows_the_rules() -> None:
    broken = sorted(edge for edge in _imports() if not _allowed(*edge))
    assert broken == [], "imports docs/architecture.md does not allow"


def test_known_exceptions_still_exist() -> None:
    """An exception that was fixed is taken off the list, so it cannot come back unnoticed."""
    assert _imports() >= KNOWN_EXCEPTIONS


def test_a_forbidden_import_is_caught() -> None:
    """Positive controls: a domain module of another package breaks the rules."""
    assert not _allowed("auth.guard", "broker.entities.repository")
    assert not _allowed("broker.entities.service", "auth.tokens.server")
    assert not _allowed("connectors.iot.service", "broker.entities.repository")
    assert _allowed("broker.entities.service", "auth.principals.Principal")


def test_only_the_processor_module_imports_pyld() -> None:
    """JSON-LD processing goes through broker/jsonld/processor.py (its tests pin what Renkei
    relies on), so a pyld upgrade or replacement touches one module."""
    importers = {module for module, name in _all_imports() if name.split(".")[0] == "pyld"}
    assert importers == {"broker.jsonld.processor"}
