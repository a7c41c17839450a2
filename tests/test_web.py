"""The local page's rules, through Starlette's test client: what it builds, what it refuses, what it keeps.

The browser tests (test_web_browser.py) drive the same page in Chromium.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from readydocs.catalogue import DOCUMENTS, PLACE_DOCUMENTS  # noqa: E402
from readydocs.form import indicator_name  # noqa: E402
from readydocs.render import default_templates_dir  # noqa: E402
from readydocs.web import sessions, uploads  # noqa: E402
from readydocs.web.app import create_app  # noqa: E402
from readydocs.workbook import rate_every_indicator, set_named_cells  # noqa: E402

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
DOCS = [d.filename for d in PLACE_DOCUMENTS]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Every temporary folder the app makes goes under tmp_path/tmp, where the tests can watch it."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def app(framework, private_tmp):
    return create_app(framework, PORT, office=False)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE) as c:
        yield c


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def post_check(client, files, token=None, **data):
    token = token if token is not None else token_of(client.get("/").text)
    form = {"token": token, **data} if token else dict(data)
    return client.post("/check", data=form, files=files, follow_redirects=True)


def workbook(path: Path, name: str | None = None):
    return ("workbooks", (name or path.name, path.read_bytes(), "application/octet-stream"))


def problem_rows(html: str) -> list[tuple[str, str, str]]:
    """(kind, cell, code) for each row of the problems tables."""
    rows = re.findall(r'<tr class="(error|warning)">\s*<td>.*?</td>\s*<td class="cell">(.*?)</td>.*?<code>(.*?)</code>', html, re.S)
    return [(kind, cell, code) for kind, cell, code in rows]


def _cell_of(path: Path, name: str) -> str:
    import openpyxl

    (sheet, ref), = openpyxl.load_workbook(path).defined_names[name].destinations
    return ref.replace("$", "")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------
# What the page does


def test_blank_and_example_workbooks_download_and_validate(client, tmp_path, framework):
    from readydocs.assessment import assess

    for name, valid in (("readiness-intake.xlsx", False), ("example-intake.xlsx", True)):
        r = client.get(f"/download/{name}")
        assert r.status_code == 200
        assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
        path = tmp_path / name
        path.write_bytes(r.content)
        assert assess([path], framework).valid is valid


def test_sample_is_built_and_the_zip_holds_every_document(client, sample_xlsx, framework):
    r = post_check(client, [workbook(sample_xlsx)])
    assert r.status_code == 200
    assert "City of Riverbend: documents ready" in r.text
    assert "Ready while strengthening named conditions" in r.text
    sid = re.search(r'/s/([\w-]+)/everything\.zip', r.text).group(1)
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/s/{sid}/everything.zip").content))
    names = sorted(z.namelist())
    assert names == sorted(f"city-of-riverbend/{n}" for n in DOCS + ["readiness-action-plan.xlsx", "scores.json"])
    for n in DOCS:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(z.read(f"city-of-riverbend/{n}"))).paragraphs)
        assert "Riverbend" in text
    scores = json.loads(z.read("city-of-riverbend/scores.json"))
    # The page shows each condition's score and band as scores.json holds them.
    labels = {b.id: b.label for b in framework.bands}
    shown = re.findall(r'<th scope="row">(.*?)(?: <span class="mark">\(essential\)</span>)?</th>\s*'
                       r'<td class="num">(\d+)</td>\s*<td><span class="band [\w-]+">([^<]+)</span>', r.text)
    assert shown == [(html.escape(c["name"]), str(round(c["score"])), labels[c["status"]]) for c in scores["conditions"]]
    # One by one, the same bytes as in the zip.
    one = client.get(f"/s/{sid}/files/0/readiness-report.docx")
    assert one.content == z.read("city-of-riverbend/readiness-report.docx")


def test_page_shows_scores_computed_by_hand(client, sample_xlsx, framework):
    # Every indicator rated 3 (Partly in place) is 66.7 -> 67 for every condition, band Developing.
    rate_every_indicator(sample_xlsx, framework, 3)
    r = post_check(client, [workbook(sample_xlsx)])
    scores = re.findall(r'<td class="num">(\d+)</td>\s*<td><span class="band [\w-]+">([^<]+)</span>', r.text)
    assert scores == [("67", "Developing")] * len(framework.conditions)
    assert "None: every indicator was rated." in r.text


def test_errors_are_shown_by_sheet_and_cell_and_nothing_is_built(client, sample_xlsx, framework, tmp_path, app):
    ids = [i.id for i in framework.indicators]
    bad = set_named_cells(sample_xlsx, {indicator_name("rating", ids[0]): None, indicator_name("rating", ids[4]): "seven"},
                          target=tmp_path / "bad.xlsx")
    r = post_check(client, [workbook(bad), workbook(sample_xlsx, "colleague.xlsx")])
    assert r.status_code == 200
    assert "<title>Problems to fix" in r.text
    assert "Correct the cells named below, save, and add the workbooks again." in r.text
    rows = problem_rows(r.text.split("<h3>colleague.xlsx</h3>")[0])
    assert ("error", "D4", "missing-rating") in rows
    assert ("error", "D8", "invalid-rating") in rows
    assert "Sheet Ratings" in r.text
    assert "everything.zip" not in r.text and "/files/" not in r.text
    session = next(iter(app.store._sessions.values()))
    assert not (session.folder / "out").exists()
    # The text version reads as the command line prints it, with the file's own name.
    assert f"error: bad.xlsx, sheet Ratings, cell D4: {ids[0]} has no rating." in r.text


def test_two_respondents_of_one_place_make_one_report_and_two_places_two(client, sample_xlsx, tmp_path):
    second = set_named_cells(sample_xlsx, {"profile.advocate_name": "Another Person"}, target=tmp_path / "second.xlsx")
    other = set_named_cells(sample_xlsx, {"profile.municipality_name": "Town of Elsewhere"}, target=tmp_path / "other.xlsx")
    r = post_check(client, [workbook(sample_xlsx), workbook(second), workbook(other)])
    assert "City of Riverbend: documents ready" in r.text
    assert "Town of Elsewhere: documents ready" in r.text
    assert "From sample.xlsx and second.xlsx (2 respondents)." in r.text
    assert "From other.xlsx (1 respondent)." in r.text
    sid = re.search(r'/s/([\w-]+)/everything\.zip', r.text).group(1)
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/s/{sid}/everything.zip").content)).namelist()
    assert {n.split("/")[0] for n in names} == {"city-of-riverbend", "town-of-elsewhere", "cohort-summary.xlsx"}
    scores = json.loads(client.get(f"/s/{sid}/files/0/scores.json").content)
    assert len(scores["respondents"]) == 2
    # Several places: the cohort summary, as `readydocs batch` writes it, one row per place.
    assert "cohort-summary.xlsx" in names
    summary = client.get(f"/s/{sid}/cohort/cohort-summary.xlsx")
    assert summary.status_code == 200
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(summary.content))["Places"]
    places = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(places) == ["City of Riverbend", "Town of Elsewhere"]
    assert client.get(f"/s/{sid}/cohort/scores.json").status_code == 404


def test_unreadable_file_is_one_problem_under_its_own_name(client, tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("name,rating\n")
    r = post_check(client, [workbook(fake)])
    assert "<h3>notes.xlsx</h3>" in r.text
    assert "is not an Excel .xlsx workbook" in r.text
    assert str(tmp_path) not in r.text and "/tmp" not in r.text.split("<pre>")[0]


def test_template_zip_is_checked_first_and_problems_name_the_paragraph(client, sample_xlsx, tmp_path):
    d = docx.Document(str(default_templates_dir() / "readiness-report.docx"))
    d.add_paragraph("Prepared for {{ plaec.name }}")
    broken = io.BytesIO()
    d.save(broken)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("my-templates/readiness-report.docx", broken.getvalue())
    r = post_check(client, [workbook(sample_xlsx), ("templates", ("mine.zip", zbuf.getvalue(), "application/zip"))])
    assert "Problems to fix" in r.text
    assert "Correct the problems below and add the files again." in r.text and "Correct the cells" not in r.text
    assert "<td>readiness-report.docx</td>" in r.text
    assert "unknown-variable" in r.text and "Did you mean \u201cplace\u201d?" in r.text
    assert "Prepared for {{ plaec.name }}" in r.text  # the paragraph, shown as text (autoescaped, not run)
    assert "everything.zip" not in r.text


def test_good_template_zip_and_logo_are_used(client, sample_xlsx, tmp_path):
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.write(default_templates_dir() / "talking-points.docx", "talking-points.docx")
        z.writestr("notes.txt", "not a template")
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (400, 100), "#0b4f5c").save(png, format="PNG")
    logo_bytes = png.getvalue()
    r = post_check(client, [workbook(sample_xlsx), ("templates", ("set.zip", zbuf.getvalue(), "application/zip")),
                            ("logo", ("logo.png", logo_bytes, "image/png"))])
    assert "documents ready" in r.text, problem_rows(r.text)
    assert "readiness-report.docx: not in your templates zip; the default template is used." in r.text
    sid = re.search(r'/s/([\w-]+)/everything\.zip', r.text).group(1)
    report = docx.Document(io.BytesIO(client.get(f"/s/{sid}/files/0/readiness-report.docx").content))
    from docx.oxml.ns import qn

    header = report.sections[0].header
    assert list(header._element.iter(qn("wp:docPr"))), "the uploaded logo is in the header"
    assert any(rel.target_part.blob == logo_bytes for rel in header.part.rels.values() if "image" in rel.reltype)


def test_logo_that_is_not_an_image_is_a_problem(client, sample_xlsx):
    r = post_check(client, [workbook(sample_xlsx), ("logo", ("logo.png", b"GIF89a....", "image/png"))])
    assert "logo.png is not a PNG or JPEG image." in r.text
    assert "everything.zip" not in r.text


def test_logo_named_by_the_workbook_points_to_the_upload_field(client, sample_xlsx, tmp_path):
    set_named_cells(sample_xlsx, {"profile.logo_file": "brand/logo.png"})
    r = post_check(client, [workbook(sample_xlsx)])
    assert ("error", _cell_of(sample_xlsx, "profile.logo_file"), "logo-not-found") in problem_rows(r.text)
    assert "Logo file 'brand/logo.png' was not found (looked for brand/logo.png)." in html.unescape(r.text)
    assert "add the logo under \u201cOptional\u201d instead" in r.text
    assert str(tmp_path) not in r.text and "readydocs-web-" not in r.text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_copies_when_libreoffice_is_present(framework, private_tmp, sample_xlsx):
    with TestClient(create_app(framework, PORT, office=True), base_url=BASE) as c:
        page = c.get("/").text
        assert 'id="pdf"' in page
        r = post_check(c, [workbook(sample_xlsx)], pdf="1")
        for name in DOCS:
            assert f"/files/0/{name[:-5]}.pdf" in r.text
        sid = re.search(r'/s/([\w-]+)/everything\.zip', r.text).group(1)
        pdf = c.get(f"/s/{sid}/files/0/readiness-report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"


def test_without_libreoffice_the_page_says_so_and_offers_no_pdf(client, sample_xlsx):
    page = client.get("/").text
    assert 'id="pdf"' not in page
    assert "PDF copies need LibreOffice, which is not installed on this computer." in page
    r = post_check(client, [workbook(sample_xlsx)], pdf="1")  # asked for anyway: the documents, no PDFs
    assert "documents ready" in r.text and ".pdf" not in r.text


# --------------------------------------------------------------------------
# Safety


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:1", f"192.168.1.5:{PORT}"])
def test_foreign_host_is_refused(app, host):
    with TestClient(app, base_url=BASE) as c:
        r = c.get("/", headers={"host": host})
    assert r.status_code == 403
    assert f"answers only at its own address, {BASE}/" in r.text


@pytest.mark.parametrize("origin", ["http://evil.example", "null", f"http://127.0.0.1:{PORT + 1}", f"https://127.0.0.1:{PORT}"])
def test_foreign_origin_is_refused_even_with_the_token(client, app, sample_xlsx, origin):
    r = client.post("/check", data={"token": app.token}, files=[workbook(sample_xlsx)], headers={"origin": origin})
    assert r.status_code == 403
    assert "other web sites are refused" in r.text
    assert len(app.store) == 0


def test_own_origin_is_accepted(client, app, sample_xlsx):
    r = client.post("/check", data={"token": app.token}, files=[workbook(sample_xlsx)], headers={"origin": BASE},
                    follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("token", ["", "wrong"])
def test_missing_or_wrong_token_is_refused(client, app, sample_xlsx, token):
    r = client.post("/check", data={"token": token} if token else {}, files=[workbook(sample_xlsx)])
    assert r.status_code == 403
    assert "This form has expired" in r.text
    assert len(app.store) == 0
    first = post_check(client, [workbook(sample_xlsx)])
    sid = re.search(r'/s/([\w-]+)/end', first.text).group(1)
    r = client.post(f"/s/{sid}/end", data={"token": token})
    assert r.status_code == 403
    assert client.get(f"/s/{sid}").status_code == 200  # still there


def test_page_carries_a_token_and_a_strict_content_security_policy(client, app):
    r = client.get("/")
    assert token_of(r.text) == app.token and len(app.token) >= 40
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    # Nothing from elsewhere: every src and href on the page is the app's own.
    for url in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert url.startswith(("/", "#")), url


def test_oversized_request_is_refused_with_a_clear_message(client, app, tmp_path):
    big = b"0" * (uploads.MAX_REQUEST_BYTES + 1)
    r = client.post("/check", data={"token": app.token}, files=[("workbooks", ("huge.xlsx", big, "application/octet-stream"))])
    assert r.status_code == 413
    assert "this page takes at most 64 MB at once" in r.text
    assert "Nothing was kept" in r.text
    assert len(app.store) == 0


def test_oversized_workbook_is_refused_with_its_name(client, app):
    big = b"PK" + b"0" * uploads.MAX_WORKBOOK_BYTES
    r = client.post("/check", data={"token": app.token}, files=[("workbooks", ("budget.xlsx", big, "application/octet-stream"))])
    assert r.status_code == 413
    assert "budget.xlsx is larger than 10 MB, the most this page takes for a workbook." in r.text
    assert len(app.store) == 0 and not list(app.store.root.iterdir())


def test_too_many_workbooks_are_refused(client, app, sample_xlsx):
    files = [workbook(sample_xlsx, f"w{n}.xlsx") for n in range(uploads.MAX_WORKBOOKS + 1)]
    r = client.post("/check", data={"token": app.token}, files=files)
    assert r.status_code == 413
    assert f"this page takes at most {uploads.MAX_WORKBOOKS} at once" in r.text


def test_path_traversal_names_change_nothing_outside_the_session(client, app, sample_xlsx, tmp_path, private_tmp):
    outside = tmp_path / "outside"
    outside.mkdir()
    before = files_under(tmp_path)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.write(default_templates_dir() / "talking-points.docx", "../../../outside/talking-points.docx")
        z.write(default_templates_dir() / "talking-points.docx", "/etc/x/../readiness-report.docx")
    evil = f"../../../{outside.relative_to(Path('/'))}/sample.xlsx"
    r = post_check(client, [("workbooks", (evil, sample_xlsx.read_bytes(), "application/octet-stream")),
                            ("workbooks", ("..\\..\\windows\\evil.xlsx", sample_xlsx.read_bytes(), "application/octet-stream")),
                            ("templates", ("../../t.zip", zbuf.getvalue(), "application/zip"))])
    assert "documents ready" in r.text
    assert "<h3>sample.xlsx</h3>" in r.text and "<h3>evil.xlsx</h3>" in r.text
    new = files_under(tmp_path) - before
    (session,) = app.store._sessions.values()
    assert new and all(session.folder in p.parents for p in new), sorted(map(str, new))
    assert not list(outside.iterdir())
    stored = sorted(p.relative_to(session.folder).as_posix() for p in new if "out" not in p.relative_to(session.folder).parts)
    assert stored == ["in/01.xlsx", "in/02.xlsx", "templates/readiness-report.docx", "templates/talking-points.docx"]


def test_downloads_accept_only_files_the_build_wrote(client, sample_xlsx):
    r = post_check(client, [workbook(sample_xlsx)])
    sid = re.search(r'/s/([\w-]+)/everything\.zip', r.text).group(1)
    for bad in ["..%2F..%2Fin%2F01.xlsx", ".readydocs-manifest.json", "%2Fetc%2Fpasswd", "in"]:
        assert client.get(f"/s/{sid}/files/0/{bad}").status_code == 404
    assert client.get(f"/s/{sid}/files/1/scores.json").status_code == 404
    assert client.get("/s/not-a-session/files/0/scores.json").status_code == 404


def test_start_again_deletes_the_session_folder(client, app, sample_xlsx):
    r = post_check(client, [workbook(sample_xlsx)])
    (session,) = app.store._sessions.values()
    assert (session.folder / "in" / "01.xlsx").is_file()
    r = client.post(f"/s/{session.id}/end", data={"token": app.token}, follow_redirects=True)
    assert r.status_code == 200 and "2. Add the filled workbooks" in r.text
    assert not session.folder.exists()
    assert client.get(f"/s/{session.id}").status_code == 404


def test_checking_again_from_a_result_ends_that_session(client, app, sample_xlsx):
    post_check(client, [workbook(sample_xlsx)])
    (first,) = app.store._sessions.values()
    post_check(client, [workbook(sample_xlsx)], replaces=first.id)
    assert not first.folder.exists()
    assert len(app.store) == 1


def test_idle_and_surplus_sessions_are_deleted(private_tmp):
    now = [0.0]
    store = sessions.SessionStore(clock=lambda: now[0])
    made = [store.new() for _ in range(sessions.MAX_SESSIONS)]
    assert len(store) == sessions.MAX_SESSIONS
    store.new()  # one over the limit: the least recently used goes
    assert not made[0].folder.exists() and len(store) == sessions.MAX_SESSIONS
    now[0] += sessions.SESSION_IDLE_SECONDS / 2
    kept = store.get(made[-1].id)
    now[0] += sessions.SESSION_IDLE_SECONDS / 2 + 1
    assert store.get(made[1].id) is None and not made[1].folder.exists()  # idle too long: gone when next asked for
    assert store.get(kept.id) is kept  # used half an hour ago
    now[0] += sessions.SESSION_IDLE_SECONDS + 1
    last = store.new()
    assert len(store) == 1 and all(not s.folder.exists() for s in made)
    store.close()
    assert not last.folder.exists() and not store.root.exists()


def test_temp_folder_is_gone_after_shutdown(app, sample_xlsx, private_tmp):
    with TestClient(app, base_url=BASE) as c:
        post_check(c, [workbook(sample_xlsx)])
        assert files_under(private_tmp)
    assert not app.store.root.exists()
    assert not files_under(private_tmp)


def test_an_unexpected_failure_is_one_message_and_keeps_nothing(client, app, sample_xlsx, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("readydocs.web.app.check_uploads", broken)
    r = post_check(client, [workbook(sample_xlsx)])
    assert r.status_code == 500
    assert "readydocs could not finish this check (KeyError: &#39;surprise&#39;). Nothing was kept." in r.text
    assert "Traceback" not in r.text
    assert len(app.store) == 0 and not list(app.store.root.iterdir())


def test_display_names_are_printable_and_bounded():
    assert uploads.display_name("C:\\Users\\me\\Desktop\\budget.xlsx", "x") == "budget.xlsx"
    assert uploads.display_name("../../etc/passwd", "x") == "passwd"
    assert uploads.display_name("a\x00b\u202ec.xlsx", "x") == "abc.xlsx"
    assert uploads.display_name("", "workbook 1") == "workbook 1"
    assert len(uploads.display_name("x" * 500 + ".xlsx", "x")) == uploads.MAX_NAME_CHARS


def test_serve_help_does_not_load_the_web_or_rendering_libraries():
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "readydocs", "serve", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--no-browser" in run.stdout
    loaded = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    heavy = {"starlette", "uvicorn", "multipart", "python_multipart", "docxtpl", "docx", "matplotlib"}
    assert loaded and not loaded & heavy, sorted(loaded & heavy)


@pytest.mark.slow  # runs pytest itself in a subprocess, twice
@pytest.mark.parametrize("ci, outcome", [("true", "1 error"), ("", "1 skipped")])
def test_browser_tests_fail_in_ci_without_chromium_and_skip_elsewhere(tmp_path, ci, outcome):
    import os

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"READYDOCS_CHROMIUM": str(tmp_path / "no-chromium"), **({"CI": ci} if ci else {})})
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "bt"),
                          str(Path(__file__).with_name("test_web_browser.py")), "-k", "blank_workbook"],
                         env=env, capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert outcome in run.stdout, run.stdout[-2000:]
    assert (run.returncode != 0) == bool(ci)
    if ci:
        assert "the browser tests must run in CI" in run.stdout


def test_no_text_browser_is_started_in_the_terminal_without_a_display(monkeypatch):
    from readydocs.web import server

    monkeypatch.setattr(server.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert server.graphical() is False
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert server.graphical() is True
    monkeypatch.setattr(server.sys, "platform", "win32")
    monkeypatch.delenv("WAYLAND_DISPLAY")
    assert server.graphical() is True


def test_a_port_in_use_is_one_line_with_exit_code_2():
    from readydocs.web.server import listen

    taken = listen(0)
    try:
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "readydocs", "serve", "--no-browser", "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"Error: Port {port} on 127.0.0.1 cannot be used (Address already in use). "
        "Choose another with --port, or leave --port out to use a free one."]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data, problem", [
    (b"not a zip at all", "set.zip is not a .zip file."),
    (_zip({"readme.txt": b"x"}), "set.zip holds none of the templates. Name them internal-launch-memo.docx, readiness-report.docx, talking-points.docx."),
    (_zip({"a/talking-points.docx": b"x", "b/talking-points.docx": b"y"}), "set.zip holds more than one talking-points.docx. Keep one of them."),
    (_zip({f"f{n}.txt": b"" for n in range(uploads.MAX_ZIP_MEMBERS + 1)}), f"set.zip holds {uploads.MAX_ZIP_MEMBERS + 1} files; a template set is three."),
])
def test_template_zips_that_cannot_be_used_say_why(tmp_path, data, problem):
    folder, problems, notes = uploads.unpack_templates(uploads.Incoming("set.zip", io.BytesIO(data)), tmp_path / "t",
                                                       {f for f, _ in DOCUMENTS})
    assert folder is None
    assert problems[0].startswith(problem)
    assert not (tmp_path / "t").exists()


def test_a_template_declared_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_TEMPLATE_BYTES", 1000)
    data = _zip({"readiness-report.docx": b"0" * 5000, "other.docx": b"x"})
    folder, problems, notes = uploads.unpack_templates(uploads.Incoming("set.zip", io.BytesIO(data)), tmp_path / "t",
                                                       {"readiness-report.docx"})
    assert folder is None
    assert problems == ["readiness-report.docx in set.zip is 5 KB unpacked, past the 1 KB limit for a template."]
    assert notes == ["other.docx in set.zip is not used. Templates must be named readiness-report.docx."]


def test_two_uploads_with_one_name_are_told_apart(tmp_path):
    stored = uploads.save_workbooks([uploads.Incoming("a/intake.xlsx", io.BytesIO(b"1")),
                                     uploads.Incoming("b/intake.xlsx", io.BytesIO(b"2"))], tmp_path / "in")
    assert [(p.name, n) for p, n in stored] == [("01.xlsx", "intake.xlsx"), ("02.xlsx", "intake.xlsx (2)")]
    assert (tmp_path / "in" / "02.xlsx").read_bytes() == b"2"


def test_more_files_than_the_form_takes_is_one_clear_message(client, app, sample_xlsx):
    files = [workbook(sample_xlsx, f"w{n}.xlsx") for n in range(uploads.MAX_WORKBOOKS + 5)]
    r = client.post("/check", data={"token": app.token}, files=files)
    assert r.status_code == 413
    assert f"Add at most {uploads.MAX_WORKBOOKS} workbooks, one logo and one templates zip at a time." in r.text
    assert len(app.store) == 0


def test_excel_owner_files_are_skipped_with_a_note(client, sample_xlsx):
    owner = ("workbooks", ("~$sample.xlsx", b"\x0bsomeone   ", "application/octet-stream"))
    r = post_check(client, [workbook(sample_xlsx), owner])
    assert "documents ready" in r.text
    assert "Skipped ~$sample.xlsx, the owner file Excel keeps while a workbook is open." in r.text
    assert "<h3>~$sample.xlsx</h3>" not in r.text
    r = post_check(client, [owner])
    assert "Only Excel owner files (~$...) were added. Add the workbook itself." in r.text
    assert "everything.zip" not in r.text


def test_a_run_killed_outright_leaves_nothing_behind_once_the_next_starts(private_tmp):
    """The folders of runs whose process has gone (kill -9, power loss) are removed when the page next starts."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    abandoned = private_tmp / f"readydocs-web-{ended.pid}-ab12cd_3"
    (abandoned / "s-x" / "in").mkdir(parents=True)
    (abandoned / "s-x" / "in" / "01.xlsx").write_bytes(b"someone's answers")
    alive = private_tmp / f"readydocs-web-{os.getpid()}-zz99yy00"  # a run still going: left alone
    alive.mkdir()
    other = private_tmp / "readydocs-web-notes"  # not a name readydocs gives
    other.mkdir()
    store = sessions.SessionStore()
    try:
        assert not abandoned.exists()
        assert alive.exists() and other.exists()
        assert store.root.name.startswith(f"readydocs-web-{os.getpid()}-")
    finally:
        store.close()
    assert not store.root.exists()
