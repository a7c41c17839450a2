"""The page's routes and the guards every request passes.

Guards (``Guard``), before any route sees a request:

* the Host header must be the app's own address (127.0.0.1 or localhost with
  its port), which defeats DNS rebinding; an Origin header, when sent, must be
  the app's own origin, which stops other sites' pages posting to it;
* a POST must say how long it is (Content-Length) and be at most
  uploads.MAX_REQUEST_BYTES;
* every response carries a Content-Security-Policy that lets the page load
  only the app's own files, and no page may be framed.

Every state-changing request (a check, ending a session) is a POST carrying
the per-run random token the page was given. Building runs in a worker thread,
one build at a time (matplotlib and the template caches are not thread-safe).
Pages are Jinja2 templates with HTML autoescaping.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import threading
import zipfile
from pathlib import Path
from typing import Any, Callable, TypeGuard

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from ..catalogue import DOCUMENTS
from ..errors import ReadydocsError
from ..framework import Framework
from ..office import find_soffice
from ..version import __version__
from ..wording import join as join_names
from ..workbook import write_intake
from . import uploads
from .results import check_uploads, zip_bytes
from .sessions import SessionStore

HERE = Path(__file__).parent
SHUTDOWN_WAIT_SECONDS = 60  # for a build in progress when the server stops
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".zip": "application/zip",
}


class Guard:
    """ASGI middleware: refuse foreign hosts and origins and oversized posts; add security headers."""

    store: SessionStore
    token: str

    def __init__(self, app, port: int, too_large: Callable[[int], bytes]):
        self.app = app
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.own = f"http://127.0.0.1:{port}/"
        self.too_large = too_large

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        origin = headers.get("origin")
        if host not in self.hosts:
            return await self._refuse(send, 403, f"This page answers only at its own address, {self.own} Open that address instead.")
        if origin is not None and origin not in self.origins:
            return await self._refuse(send, 403, "Requests from other web sites are refused. Use the page at " + self.own)
        if scope["method"] == "POST":
            length = headers.get("content-length", "")
            if not length.isdigit():
                return await self._refuse(send, 411, "The upload did not say how large it is. Use the form on " + self.own)
            if int(length) > uploads.MAX_REQUEST_BYTES:
                await _drain(receive, int(length))
                return await self._send(send, 413, "text/html; charset=utf-8", self.too_large(int(length)))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                         (b"cross-origin-resource-policy", b"same-origin")]
                if not scope["path"].startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    async def _refuse(self, send, status: int, text: str):
        await self._send(send, status, "text/plain; charset=utf-8", (text + "\n").encode())

    async def _send(self, send, status: int, media_type: str, body: bytes):
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode()),
                                (b"content-security-policy", CSP.encode()), (b"cache-control", b"no-store"),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


async def _drain(receive, length: int) -> None:
    """Read and drop an oversized body (kept nowhere) so the browser sees the answer instead of a reset connection."""
    left = min(length, 4 * uploads.MAX_REQUEST_BYTES)
    while left > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        left -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


def create_app(framework: Framework, port: int, *, on_ready: Callable[[], None] | None = None,
               office: bool | None = None) -> Guard:
    """The app for one run on ``port``. ``office``: whether PDFs can be offered (default: LibreOffice is found)."""
    if office is None:
        office = find_soffice() is not None
    store = SessionStore()
    token = secrets.token_urlsafe(32)
    build_lock = threading.Lock()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["count"] = lambda n, word: f"{n} {word if n == 1 else word + 's'}"
    env.filters["names"] = join_names
    env.filters["size"] = uploads.size_text
    env.globals["version"] = __version__
    downloads: dict[str, bytes] = {}
    limits = {"workbooks": uploads.MAX_WORKBOOKS, "workbook": uploads.size_text(uploads.MAX_WORKBOOK_BYTES),
              "logo": uploads.size_text(uploads.MAX_LOGO_BYTES), "zip": uploads.size_text(uploads.MAX_TEMPLATES_ZIP_BYTES),
              "total": uploads.size_text(uploads.MAX_REQUEST_BYTES)}

    def render(status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("outcome", None)
        values.setdefault("session", None)
        values.setdefault("alert", None)
        html = env.get_template("page.html").render(token=token, office=office, limits=limits, **values)
        return HTMLResponse(html, status_code=status)

    def too_large(length: int) -> bytes:
        alert = (f"The upload was {uploads.size_text(length)}; this page takes at most {limits['total']} at once "
                 f"(each workbook up to {limits['workbook']}). Nothing was kept. Check that these are the right files, "
                 "or add fewer at a time.")
        return bytes(render(413, alert=alert).body)

    warming: list[threading.Thread] = []

    def warm_once() -> None:
        if not warming:
            warming.append(threading.Thread(target=_warm, args=(build_lock,), daemon=True))
            warming[0].start()

    async def home(request: Request):
        response = render()
        # Load the rendering libraries once the first page is out, not while it is being sent.
        response.background = BackgroundTask(warm_once)
        return response

    def download_bytes(kind: str) -> bytes:
        if kind not in downloads:
            if kind == "templates.zip":
                downloads[kind] = _default_templates_zip()
            else:
                path = store.root / "downloads" / kind
                path.parent.mkdir(exist_ok=True)
                with build_lock:
                    write_intake(path, framework, sample=kind == "example-intake.xlsx")
                downloads[kind] = path.read_bytes()
        return downloads[kind]

    async def download(request: Request):
        kind = request.path_params["kind"]
        if kind not in ("readiness-intake.xlsx", "example-intake.xlsx", "templates.zip"):
            return render(404, alert="There is no such download on this page.")
        data = await run_in_threadpool(download_bytes, kind)
        return Response(data, media_type=MEDIA_TYPES[Path(kind).suffix],
                        headers={"content-disposition": f'attachment; filename="{kind}"'})

    async def check(request: Request):
        try:
            form = await request.form(max_files=uploads.MAX_WORKBOOKS + 2, max_fields=10, max_part_size=64 * 1024)
        except HTTPException as exc:
            return render(413, alert=f"The upload could not be taken ({exc.detail}). Add at most {limits['workbooks']} "
                                     "workbooks, one logo and one templates zip at a time.")
        try:
            if not secrets.compare_digest(str(form.get("token", "")), token):
                return render(403, alert="This form has expired: readydocs was restarted since the page was opened. "
                                         "Add your files again on this fresh page.")
            workbooks = [_incoming(f) for f in form.getlist("workbooks") if _chosen(f)]
            if not workbooks:
                return render(400, alert="Choose at least one filled workbook (.xlsx) to check.")
            logo, zipped = form.get("logo"), form.get("templates")
            want_pdf = office and form.get("pdf") == "1"
            previous = str(form.get("replaces", ""))
            try:
                session = await run_in_threadpool(
                    _run_check, store, build_lock, framework, previous, workbooks,
                    _incoming(logo) if _chosen(logo) else None, _incoming(zipped) if _chosen(zipped) else None, want_pdf)
            except uploads.UploadError as exc:
                return render(exc.status, alert=str(exc))
            except ReadydocsError as exc:  # e.g. the temporary folder cannot be written
                return render(500, alert=str(exc))
            except Exception as exc:  # a bug must cost one check, not the page
                return render(500, alert=f"readydocs could not finish this check ({type(exc).__name__}: {exc}). "
                                         "Nothing was kept. Please report this, with the workbook if you can.")
        finally:
            await form.close()
        return RedirectResponse(f"/s/{session.id}", status_code=303)

    def session_or_none(request: Request):
        return store.get(request.path_params["sid"])

    def gone() -> HTMLResponse:
        return render(404, alert="This check has ended and its files were deleted. Add your workbooks again.")

    async def show(request: Request):
        session = session_or_none(request)
        if session is None or session.outcome is None:
            return gone()
        return render(session=session, outcome=session.outcome)

    async def file(request: Request):
        session = session_or_none(request)
        if session is None or session.outcome is None:
            return gone()
        path = session.outcome.file(request.path_params.get("place", -1), request.path_params["name"])
        if path is None or not path.is_file():
            return render(404, alert="There is no such file in this check.")
        return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"), filename=path.name)

    async def everything(request: Request):
        session = session_or_none(request)
        if session is None or session.outcome is None:
            return gone()
        if not session.outcome.built:
            return render(404, session=session, outcome=session.outcome, alert="Nothing was built in this check.")
        data = await run_in_threadpool(zip_bytes, session.outcome)
        name = session.outcome.places[0].slug if len(session.outcome.places) == 1 else "readydocs-places"
        return Response(data, media_type=MEDIA_TYPES[".zip"],
                        headers={"content-disposition": f'attachment; filename="{name}.zip"'})

    async def end(request: Request):
        form = await request.form(max_files=0, max_fields=5, max_part_size=1024)
        if not secrets.compare_digest(str(form.get("token", "")), token):
            return render(403, alert="This form has expired: readydocs was restarted since the page was opened.")
        store.end(request.path_params["sid"])
        return RedirectResponse("/", status_code=303)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if on_ready:
            on_ready()
        try:
            yield
        finally:
            # A build still running (stopped mid-build) finishes writing before its folder is deleted,
            # or the folder could be made again behind the deletion.
            await run_in_threadpool(build_lock.acquire, True, SHUTDOWN_WAIT_SECONDS)
            store.close()

    routes = [
        Route("/", home),
        Route("/download/{kind}", download),
        Route("/check", check, methods=["POST"]),
        Route("/s/{sid}", show),
        Route("/s/{sid}/files/{place:int}/{name}", file),
        Route("/s/{sid}/cohort/{name}", file),
        Route("/s/{sid}/everything.zip", everything),
        Route("/s/{sid}/end", end, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    guard = Guard(Starlette(routes=routes, lifespan=lifespan), port, too_large)
    guard.store, guard.token = store, token  # for the server's shutdown and for tests
    return guard


def _chosen(value: Any) -> TypeGuard[UploadFile]:
    return isinstance(value, UploadFile) and bool(value.filename)


def _incoming(f: UploadFile) -> uploads.Incoming:
    return uploads.Incoming(f.filename or "", f.file)


def _run_check(store: SessionStore, lock: threading.Lock, framework: Framework, previous: str,
               workbooks: list[uploads.Incoming], logo: uploads.Incoming | None, zipped: uploads.Incoming | None,
               want_pdf: bool):
    """A new session holding the uploads and what came of them; one at a time."""
    with lock:
        session = store.new()
        try:
            session.outcome = check_uploads(framework, session.folder, workbooks, logo=logo, zipped=zipped,
                                            want_pdf=want_pdf)
        except BaseException:
            store.end(session.id)
            raise
        if previous and previous != session.id:
            store.end(previous)  # checking new files from a result page ends that page's session
    return session


def _default_templates_zip() -> bytes:
    from ..render import default_templates_dir  # render loads the rendering libraries, warmed in _warm

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for filename, _ in DOCUMENTS:
            zf.write(default_templates_dir() / filename, f"templates/{filename}")
    return buf.getvalue()


def _warm(lock: threading.Lock) -> None:
    """Load the rendering libraries while the page is read, so the first build costs what `readydocs build` does."""
    with lock:
        try:
            import docxtpl  # noqa: F401
            import matplotlib.font_manager  # noqa: F401
            from matplotlib.backends import backend_agg  # noqa: F401

            from .. import actionplan, charts, pipeline, render  # noqa: F401
        except Exception:  # pragma: no cover - a build reports a missing library itself
            pass
