"""The operators' documentation keeps up with the code: every setting of every settings class
is in docs/operations.md (or docs/configuration.md) with its default."""

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "operations.md", ROOT / "docs" / "configuration.md"]
PACKAGES = ["broker", "auth", "connectors", "catalog", "bench"]
ROW = re.compile(r"^\|\s*`(RENKEI_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|", re.MULTILINE)


def settings_classes() -> list[type[BaseSettings]]:
    """Every BaseSettings subclass defined in the project's packages, found by importing them."""
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if info.name.rsplit(".", 1)[-1].startswith("__"):
                continue
            importlib.import_module(info.name)
    found: list[type[BaseSettings]] = []
    pending = list(BaseSettings.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PACKAGES:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def documented() -> dict[str, list[str]]:
    """Default cells of every `RENKEI_...` table row, by variable."""
    rows: dict[str, list[str]] = {}
    for path in DOCS:
        for name, default in ROW.findall(path.read_text(encoding="utf-8")):
            rows.setdefault(name, []).append(default)
    return rows


def shown(default: Any) -> set[str] | None:
    """How a default may be written in the docs; None: any description will do."""
    if isinstance(default, bool):
        return {"`1`", "`true`"} if default else {"`0`", "`false`"}
    if isinstance(default, float) and default.is_integer():
        return {f"`{int(default)}`", f"`{default}`"}
    if isinstance(default, int | float | str | Path):
        return {f"`{default}`", f"`./{default}`"}
    return None


SETTINGS = [(cls, name) for cls in settings_classes() for name in cls.model_fields]


def test_the_scan_finds_the_known_settings_classes() -> None:
    names = {cls.__name__ for cls in settings_classes()}
    assert {"BrokerSettings", "AuthSettings", "ConnectorSettings"} <= names


@pytest.mark.parametrize(("cls", "field"), SETTINGS, ids=[f"{c.__name__}.{f}" for c, f in SETTINGS])
def test_every_setting_is_documented_with_its_default(cls: type[BaseSettings], field: str) -> None:
    prefix = cls.model_config.get("env_prefix", "")
    variable = f"{prefix}{field}".upper()
    rows = documented().get(variable)
    assert rows, f"{variable} ({cls.__name__}) is not in a table of docs/operations.md"
    info = cls.model_fields[field]
    default = None if info.default is PydanticUndefined else info.default
    if isinstance(default, SecretStr):
        default = None
    expected = shown(default)
    for cell in rows:
        assert cell, f"{variable} has an empty default cell"
        if expected is not None:
            assert any(cell.startswith(form) for form in expected), (
                f"{variable}: documented default {cell!r}, the code says {default!r}"
            )
