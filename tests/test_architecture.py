"""Which package may import which (docs/architecture.md), checked over the real import graph.

Each rule names the modules of *other* top-level packages that a package's modules may import
(by dotted prefix). The composition roots (the app factory and the CLI) may import everything.
"""

import ast
import dataclasses
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("broker", "auth", "connectors", "catalog", "console", "migrations")
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
        # the interface and frozen data of the calls to context sources (connectors/sources)
        "broker.registrations.forwarding",
        "broker.registrations.sources",
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
    # the console's pages call services (and declare auth as the API does); nothing imports it
    "console": (
        "broker.core",
        "broker.entities.service",
        "broker.entities.query.service",
        "broker.temporal.service",
        "broker.subscriptions.service",
        "broker.subscriptions.dependencies",  # the subscriptions service, as a typed dependency
        "auth.principals",
        "auth.dependencies",
        "auth.scopes",
        "auth.cookies",
        "auth.grants.service",
        "auth.clients.service",
        "auth.clients.schemas",
        "auth.tenants.service",
        "auth.tenants.schemas",
        "auth.tokens.dependencies",
        "auth.users.service",
        "auth.users.roles",
        "auth.users.schemas",
        "auth.audit.service",
        "auth.audit.filters",
        "auth.keys.dependencies",
        "auth",
    ),
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


# -- the repository shape (docs/architecture.md, "A request") ---------------------------------

# What modules other than repositories may import from sqlalchemy: sessions to pass on, error
# classes to catch, URL parsing. Statement builders (select, insert, text, func ...) are the
# repositories'.
SQL_ANYWHERE = ("sqlalchemy.ext.asyncio:AsyncSession", "sqlalchemy.exc", "sqlalchemy:exc")
SQL_ALSO_IN = {
    "broker.core.db",  # the engine, sessions, column types, the upsert helper
    "broker.core.migrate",  # make_url, to find the SQLite file
    "broker.core.schema_check",  # reads the schema revision before the app (and a session) exists
    "broker.entities.query.sql",  # the q/scopeQ compiler the query repository runs
}


def _modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        if package == "migrations":
            continue
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[module] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _is_repository(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("repository")


def _sqlalchemy_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("sqlalchemy")
        ):
            names |= {f"{node.module}:{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"}
    return names


def test_sql_is_built_only_in_repositories() -> None:
    builders = {
        module: sorted(n for n in _sqlalchemy_names(tree) if not n.startswith(SQL_ANYWHERE))
        for module, tree in _modules().items()
        if not _is_repository(module)
        and module.rsplit(".", 1)[-1] != "models"
        and module not in SQL_ALSO_IN
    }
    assert {m: n for m, n in builders.items() if n} == {}


def test_the_query_compiler_serves_only_repositories() -> None:
    users = {
        module
        for module, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "broker.entities.query.sql"
    }
    assert users and all(_is_repository(m) for m in users)


def test_every_repository_is_built_on_the_one_base() -> None:
    """Repository modules hold classes on broker.core.repository's bases (and the plain
    records they return); no module-level functions run SQL."""
    from broker.core.repository import Repository

    broken = []
    for module in sorted(
        m for m in _modules() if _is_repository(m) and m != "broker.core.repository"
    ):
        loaded = importlib.import_module(module)
        for name, value in vars(loaded).items():
            if getattr(value, "__module__", None) != module or name.startswith("_"):
                continue
            if inspect.isclass(value):
                if not (issubclass(value, Repository) or dataclasses.is_dataclass(value)):
                    broken.append(f"{module}.{name}")
            elif inspect.iscoroutinefunction(value):
                broken.append(f"{module}.{name}()")
    assert broken == []


def test_the_shape_rules_catch_what_they_forbid() -> None:
    """Positive controls for the three rules above."""
    tree = ast.parse(
        "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
    )
    assert _sqlalchemy_names(tree) == {"sqlalchemy:select", "sqlalchemy.ext.asyncio:AsyncSession"}
    assert _is_repository("auth.clients.repository")
    assert _is_repository("broker.core.tenant_repository")
    assert not _is_repository("broker.entities.service")


def test_routers_take_components_through_typed_dependencies() -> None:
    """No router reads `app.state`: each component has an Annotated dependency in its
    package's dependencies.py, so the attribute names stay in one place."""
    readers = sorted(
        module
        for module, tree in _modules().items()
        if module.endswith("router")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "app"
    )
    assert readers == []


def test_no_router_imports_another_router() -> None:
    imports = {
        (module, node.module)
        for module, tree in _modules().items()
        if module.endswith("router")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("router")
    }
    assert imports == set()


def test_only_the_processor_module_imports_pyld() -> None:
    """JSON-LD processing goes through broker/jsonld/processor.py (its tests pin what Renkei
    relies on), so a pyld upgrade or replacement touches one module."""
    importers = {module for module, name in _all_imports() if name.split(".")[0] == "pyld"}
    assert importers == {"broker.jsonld.processor"}
