"""auth's repositories take the one shape (broker/core/repository.py): classes on the two bases,
no SQL in module functions."""

import importlib
import inspect
from pathlib import Path

from broker.core.repository import Repository

AUTH = Path(__file__).resolve().parents[2] / "auth"
MODULES = sorted(
    ".".join(path.relative_to(AUTH.parent).with_suffix("").parts)
    for path in AUTH.rglob("repository.py")
)


def test_every_auth_domain_with_sql_has_a_repository_module() -> None:
    assert {m.split(".")[1] for m in MODULES} >= {
        "audit",
        "clients",
        "grants",
        "keys",
        "tenants",
        "tokens",
    }


def test_auth_repository_modules_define_no_module_level_functions() -> None:
    functions = {
        f"{name}.{fn}"
        for name in MODULES
        for fn, value in vars(importlib.import_module(name)).items()
        if inspect.isfunction(value) and value.__module__ == name and not fn.startswith("_")
    }
    assert functions == set()


def test_auth_repository_classes_are_built_on_the_repository_bases() -> None:
    classes = {
        (name, cls.__name__): issubclass(cls, Repository)
        for name in MODULES
        for cls in vars(importlib.import_module(name)).values()
        if inspect.isclass(cls) and cls.__module__ == name and cls.__name__.endswith("Repository")
    }
    assert len(classes) >= 6
    assert [key for key, based in classes.items() if not based] == []
