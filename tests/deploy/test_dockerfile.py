"""The Dockerfile: linted by hadolint, and the image it describes is slim, non-root, checked."""

import re

from tests.deploy.tools import BIN, ROOT, run

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_dockerfile_passes_hadolint() -> None:
    result = run(BIN / "hadolint", "--no-color", "--failure-threshold", "info", DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_slim_python_and_runs_as_a_non_root_user() -> None:
    stage = final_stage()
    assert stage[0][1].startswith("python:3.11-slim")
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_image_has_a_health_check_and_serves_renkei() -> None:
    stage = dict(final_stage())
    assert "renkei" in stage["HEALTHCHECK"] and "curl" not in stage["HEALTHCHECK"]
    assert stage["CMD"] == '["renkei", "serve"]'


def test_image_copies_every_package_the_project_ships() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {rest.split()[0] for keyword, rest in instructions() if keyword == "COPY"}
    assert packages <= copied
    ignored = (ROOT / ".dockerignore").read_text()
    for package in packages:
        assert f"!{package}/" in ignored


def test_image_installs_no_development_dependencies() -> None:
    installs = [rest for keyword, rest in instructions() if keyword == "RUN" and "pip" in rest]
    assert installs and all("[dev]" not in rest for rest in installs)
