"""Real HTTP servers on loopback for tests (identity providers, notification receivers)."""

import asyncio
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(app: ASGIApp, port: int | None = None, *, lifespan: bool = False) -> Iterator[str]:
    """Run `app` with uvicorn in a thread on a loopback port (a free one unless given); yields
    its base URL. With `lifespan`, the app starts up (and shuts down) in the server's own event
    loop, as under `renkei serve`: a Renkei app of its own, with its own database pool."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on" if lifespan else "off"
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_run, args=(server, loop), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("test server did not start: it exited")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"test server did not start within 60 s:\n{_tasks(loop)}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _run(server: uvicorn.Server, loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(server.serve())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _tasks(loop: asyncio.AbstractEventLoop) -> str:
    """Where the tasks of a server's loop wait, to say why it did not start."""
    out = io.StringIO()
    for task in list(asyncio.all_tasks(loop)):
        task.print_stack(file=out)
    return out.getvalue()
