"""Running the page: a loopback socket, uvicorn, and the browser opened on it.

The socket is bound and listening before the app starts, so the address can
be printed at once and a browser that connects early simply waits.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import webbrowser
from typing import Callable

from ..errors import ReadydocsError
from ..framework import Framework

HOST = "127.0.0.1"  # loopback only: the page is never reachable from another machine


class ServeError(ReadydocsError):
    """The page cannot listen on the port asked for."""

    exit_code = 2
    code = "port-unavailable"


def listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform != "win32":  # on Windows this option would let another program share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"Port {port} on {HOST} cannot be used ({exc.strerror or exc}).",
                         "Choose another with --port, or leave --port out to use a free one.") from exc
    sock.listen(64)
    return sock


def graphical() -> bool:
    """Whether a browser window can open. Without a display, Python's webbrowser would start a
    text browser (lynx, w3m) inside this very terminal, so the page is only printed then."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def serve(framework: Framework, port: int = 0, open_browser: bool = True, echo: Callable[[str], None] = print) -> None:
    """Serve the page until interrupted (Ctrl+C); every uploaded file is deleted on the way out."""
    # The server and the page's libraries (uvicorn, Starlette) load only when `readydocs serve` runs.
    import uvicorn

    from .app import create_app

    sock = listen(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"

    def ready() -> None:
        echo(f"readydocs is running at {url}")
        echo("Open that address in a browser if it did not open by itself. Press Ctrl+C here to stop.")
        if open_browser and graphical():
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    app = create_app(framework, sock.getsockname()[1], on_ready=ready)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", http="h11", ws="none",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down cleanly on SIGTERM and then raises it again; end with exit code 0, not a kill.
        signal.signal(signal.SIGTERM, _exit_quietly)
        if hasattr(signal, "SIGHUP"):  # the terminal window was closed: shut down the same way
            signal.signal(signal.SIGHUP, lambda signum, frame: server.handle_exit(signal.SIGTERM, frame))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C, raised again by uvicorn after its clean shutdown
        pass
    finally:
        app.store.close()
        sock.close()
        try:
            echo("readydocs stopped; the files added to the page were deleted.")
        except OSError:  # the terminal is gone
            pass


def _exit_quietly(signum, frame) -> None:
    raise SystemExit(0)
