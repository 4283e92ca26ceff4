"""A real `renkei serve` process the hardening tests start, SIGKILL and start again."""

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.hardening.cli import start


class ServeProcess:
    """`renkei serve` on one store; every start appends its output to the same log."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.base = f"http://127.0.0.1:{env['RENKEI_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    async def start(self, within: float = 40.0) -> None:
        """Start the server and return once /ready answers 200."""
        self.process = start("serve", env=self.env, log=self.log)
        self.starts += 1
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=1) as http:
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(f"renkei serve exited:\n{self.output()}")
                try:
                    if (await http.get(f"{self.base}/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"renkei serve not ready in {within} s:\n{self.output()}")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is cut off."""
        assert self.process is not None and self.process.poll() is None, self.output()
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> int:
        """SIGTERM and wait for the graceful shutdown; the exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""
