"""The catalog keeps SQL in its repositories: any other module of the package may take an
AsyncSession (and SQLAlchemy's exceptions) from sqlalchemy, nothing else."""

import ast
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
ALLOWED = {"sqlalchemy.ext.asyncio": {"AsyncSession"}}


def _sqlalchemy_imports(path: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(a.name, "*") for a in node.names if a.name.startswith("sqlalchemy")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {(node.module or "", alias.name) for alias in node.names}
    return found


def _allowed(module: str, name: str) -> bool:
    return module == "sqlalchemy.exc" or name in ALLOWED.get(module, set())


def test_only_repositories_and_models_use_sqlalchemy_beyond_the_session() -> None:
    checked = 0
    broken = []
    for path in CATALOG.rglob("*.py"):
        if path.stem.endswith("repository") or path.stem == "models":
            continue
        checked += 1
        broken += [(str(path), m, n) for m, n in _sqlalchemy_imports(path) if not _allowed(m, n)]
    assert checked > 10
    assert broken == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text("from sqlalchemy import select\nfrom sqlalchemy.exc import IntegrityError\n")
    assert _sqlalchemy_imports(module) == {
        ("sqlalchemy", "select"),
        ("sqlalchemy.exc", "IntegrityError"),
    }
    assert not _allowed("sqlalchemy", "select") and _allowed("sqlalchemy.exc", "IntegrityError")
