"""`readydocs serve` driven in a real browser: Debian's headless Chromium through Playwright.

Each test runs against a real server process started as a person would start
it (`readydocs serve --no-browser`), with its temporary folder pointed at the
test's own, so what it leaves behind can be checked. A screenshot of every
page state is saved under the test's tmp folder (pytest's basetemp).

Without Chromium these tests skip on a developer's machine, and fail in CI
(CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from readydocs.catalogue import PLACE_DOCUMENTS
from readydocs.form import indicator_name
from readydocs.workbook import set_named_cells

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # only ever the system's Chromium
CHROMIUM = os.environ.get("READYDOCS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# Left out on a machine without Chromium (and by `make test-fast`); in CI a missing browser fails instead.
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file() and not os.environ.get("CI"),
                                reason=f"Chromium (a browser) is not installed at {CHROMIUM}")
DOCS = [d.filename for d in PLACE_DOCUMENTS]


def _unavailable(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{why}: the browser tests must run in CI (.ci/run installs chromium).")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def start_server(tmpdir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen([sys.executable, "-m", "readydocs", "serve", "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not m:
        proc.kill()
        raise AssertionError(f"no address printed: {line!r} {proc.stderr.read()}")
    return proc, m.group(0)


def stop_server(proc: subprocess.Popen, sig=signal.SIGTERM) -> tuple[int, str]:
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmpdir = tmp_path_factory.mktemp("server-tmp")
    proc, url = start_server(tmpdir)
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    p = context.new_page()
    p.set_default_timeout(90_000)  # a first build on a busy machine
    outside: list[str] = []
    p.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1:", "data:")) else None)
    yield p
    context.close()
    assert not outside, f"the page asked for something outside the app: {outside}"


def shoot(page, shots: Path, name: str) -> Path:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


@pytest.fixture
def bad_xlsx(sample_xlsx, framework, tmp_path) -> Path:
    ids = [i.id for i in framework.indicators]
    return set_named_cells(sample_xlsx, {indicator_name("rating", ids[0]): None, indicator_name("rating", ids[4]): "seven",
                                   "profile.municipality_name": None}, target=tmp_path / "bad.xlsx")


def _cell_of(path: Path, name: str) -> str:
    import openpyxl

    (sheet, ref), = openpyxl.load_workbook(path).defined_names[name].destinations
    return ref.replace("$", "")


def submit(page, files: list[Path]) -> None:
    page.set_input_files("#workbooks", [str(f) for f in files])
    with page.expect_navigation():
        page.get_by_role("button", name="Check and build").click()


def test_blank_workbook_downloads_from_the_page(page, server, shots, tmp_path, framework):
    from readydocs.assessment import assess

    page.goto(server)
    assert page.title() == "Check a readiness workbook – readydocs"
    shoot(page, shots, "1-start")
    with page.expect_download() as d:
        page.get_by_role("link", name="Download a blank workbook").click()
    assert d.value.suggested_filename == "readiness-intake.xlsx"
    path = tmp_path / "blank.xlsx"
    d.value.save_as(path)
    report = assess([path], framework).report
    assert {p.code for p in report.errors} >= {"missing-rating"}  # blank: every rating still to fill


def test_problems_table_names_the_right_cells_and_nothing_is_built(page, server, shots, bad_xlsx, sample_xlsx):
    page.goto(server)
    submit(page, [bad_xlsx, sample_xlsx])
    assert page.title() == "Problems to fix – readydocs"
    shoot(page, shots, "2-problems")
    # bad.xlsx comes first, so its tables come before sample.xlsx's.
    table = page.locator("table:has(caption:text-is('Sheet Ratings'))").first
    rows = [[c.strip() for c in r.locator("td").all_inner_texts()] for r in table.locator("tbody tr").all()]
    assert ["Error", "D4"] == rows[0][:2] and rows[0][3] == "missing-rating"
    assert ["Error", "D8"] == rows[1][:2] and rows[1][3] == "invalid-rating" and "'seven'" in rows[1][2]
    profile = page.locator("table:has(caption:text-is('Sheet Profile'))")
    assert profile.count() == 1  # only bad.xlsx has a Profile problem
    (cell,) = profile.locator("td.cell").all_inner_texts()
    assert cell == _cell_of(bad_xlsx, "profile.municipality_name")
    assert "Municipality name" in profile.inner_text()
    assert page.get_by_role("link", name="Download everything as one .zip").count() == 0


def test_sample_builds_and_the_zip_opens_in_python_docx(page, server, shots, sample_xlsx, tmp_path):
    page.goto(server)
    submit(page, [sample_xlsx])
    assert page.title() == "Documents ready – readydocs"
    assert page.get_by_role("heading", name="City of Riverbend: documents ready").is_visible()
    rows = page.locator("table.scores tbody tr")
    assert rows.count() == 9
    shoot(page, shots, "3-documents-ready")
    with page.expect_download() as d:
        page.get_by_role("link", name="Download everything as one .zip").click()
    assert d.value.suggested_filename == "city-of-riverbend.zip"
    z = zipfile.ZipFile(d.value.path())
    for name in DOCS:
        document = docx.Document(io.BytesIO(z.read(f"city-of-riverbend/{name}")))
        assert "City of Riverbend" in "\n".join(p.text for p in document.paragraphs) + document.core_properties.title
    with page.expect_download() as one:
        page.get_by_role("link", name="Talking points (Word)").click()
    assert Path(one.value.path()).read_bytes() == z.read("city-of-riverbend/talking-points.docx")


def test_workbooks_dropped_on_the_page_are_checked_together(page, server, shots, sample_xlsx, bad_xlsx):
    import base64

    page.goto(server)
    files = [(p.name, base64.b64encode(p.read_bytes()).decode()) for p in (bad_xlsx, sample_xlsx)]
    # What the browser hands the page when a person drops two files from their file manager on the heading.
    page.evaluate("""files => {
        const dt = new DataTransfer();
        for (const [name, b64] of files) {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            dt.items.add(new File([bytes], name));
        }
        const h1 = document.querySelector('h1');
        h1.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        h1.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", files)
    assert page.url == server  # still on the page, not showing the dropped file
    assert page.inner_text("#chosen") == "2 workbooks chosen: bad.xlsx, sample.xlsx"
    assert page.evaluate("document.activeElement.id") == "workbooks"
    shoot(page, shots, "8-dropped")
    with page.expect_navigation():
        page.get_by_role("button", name="Check and build").click()
    assert page.title() == "Problems to fix – readydocs"
    assert page.locator("h3").all_inner_texts()[:2] == ["bad.xlsx", "sample.xlsx"]


FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"


def tab_through(page) -> list[str]:
    """Press Tab until focus comes back round; the controls reached, in order."""
    seen: list[str] = []
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        key = page.evaluate("""() => { const e = document.activeElement;
            if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 'NO-FOCUS-RING:' + e.outerHTML.slice(0, 80);
            return e.tagName + '|' + (e.id || e.getAttribute('href') || e.textContent.trim()); }""")
        if key is None or (seen and key == seen[0]):
            break
        seen.append(key)
    return seen


def all_controls(page) -> list[str]:
    return page.evaluate(f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
        .filter(e => e.offsetParent !== null || e.getClientRects().length)
        .map(e => e.tagName + '|' + (e.id || e.getAttribute('href') || e.textContent.trim()))""")


def test_keyboard_alone_reaches_every_control_and_submits(page, server, shots, sample_xlsx):
    page.goto(server)
    reached = tab_through(page)
    assert not [k for k in reached if k.startswith("NO-FOCUS-RING")], reached
    assert reached[0] == "A|#main"  # the skip link comes first
    assert set(all_controls(page)) <= set(reached), set(all_controls(page)) - set(reached)
    for field in ("workbooks", "logo", "templates"):  # every input has a label that names it
        assert page.get_by_label(re.compile({"workbooks": "Filled workbooks", "logo": "Logo", "templates": "templates"}[field])).first.get_attribute("id") == field
    # Choose the file (the one step a test cannot do by keyboard: the system's file dialog), then only keys.
    page.set_input_files("#workbooks", str(sample_xlsx))
    page.locator("#workbooks").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Check and build":
            break
    shoot(page, shots, "4-keyboard-focus-on-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title() == "Documents ready – readydocs"
    reached = tab_through(page)
    assert set(all_controls(page)) <= set(reached), set(all_controls(page)) - set(reached)
    assert any("everything.zip" in k for k in reached)


LOW_CONTRAST = """() => {
    const rgb = s => s.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
    const low = [];
    for (const e of document.querySelectorAll('body *')) {
        if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || !e.getClientRects().length) continue;
        const s = getComputedStyle(e);
        const [a, b] = [lum(rgb(s.color).slice(0, 3)), lum(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) low.push(e.tagName + ' ' + ratio.toFixed(2) + ' ' + e.textContent.trim().slice(0, 40));
    }
    return low;
}"""


def test_all_text_meets_contrast_on_every_page_state(page, server, sample_xlsx, bad_xlsx):
    page.goto(server)
    assert page.evaluate(LOW_CONTRAST) == []
    submit(page, [bad_xlsx])
    assert page.evaluate(LOW_CONTRAST) == []
    submit(page, [sample_xlsx])
    assert page.evaluate(LOW_CONTRAST) == []


def test_page_reflows_at_200_percent_zoom(browser, server, shots, sample_xlsx, bad_xlsx):
    # 200% zoom of a 1280-pixel window is a 640-pixel-wide page at twice the pixel density.
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    p = context.new_page()
    try:
        p.goto(server)
        assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        submit(p, [bad_xlsx])
        assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(p, shots, "5-problems-at-200-percent")
        submit(p, [sample_xlsx])
        assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(p, shots, "6-documents-at-200-percent")
    finally:
        context.close()


def test_oversized_upload_is_refused_with_a_clear_message_in_the_browser(page, server, shots, tmp_path):
    from readydocs.web.uploads import MAX_REQUEST_BYTES

    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as f:
        f.truncate(MAX_REQUEST_BYTES + 1024 * 1024)
    page.goto(server)
    submit(page, [huge])
    assert page.title() == "Not done – readydocs"
    alert = page.get_by_role("alert").inner_text()
    assert "this page takes at most 64 MB at once" in alert and "Nothing was kept" in alert
    shoot(page, shots, "7-too-large")


def test_a_form_posted_from_another_page_is_refused(page, server, sample_xlsx):
    token = re.search(r'name="token" value="([^"]+)"', __import__("urllib.request").request.urlopen(server).read().decode()).group(1)
    # A page with no origin of ours (as a file or another site would be) posting with the right token.
    page.goto("data:text/html," + f'<form method="post" action="{server}check"><input name="token" value="{token}">'
              '<button>go</button></form>')
    with page.expect_navigation():
        page.click("button")
    assert "other web sites are refused" in page.inner_text("body")


def test_foreign_host_and_missing_token_refused_by_the_live_server(server, sample_xlsx):
    import httpx2 as httpx

    assert httpx.get(server, headers={"host": "rebound.example"}).status_code == 403
    r = httpx.post(server + "check", files={"workbooks": ("a.xlsx", sample_xlsx.read_bytes())})
    assert r.status_code == 403 and "This form has expired" in r.text


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "terminate", "window-closed"])
def test_temp_folder_is_gone_after_shutdown(tmp_path, sample_xlsx, sig):
    import httpx2 as httpx

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc, url = start_server(tmpdir)
    try:
        token = re.search(r'name="token" value="([^"]+)"', httpx.get(url).text).group(1)
        r = httpx.post(url + "check", data={"token": token}, files={"workbooks": ("a.xlsx", sample_xlsx.read_bytes())},
                       timeout=120)
        assert r.status_code == 303
        (run_folder,) = tmpdir.glob("readydocs-web-*")
        assert any(p.name == "readiness-report.docx" for p in run_folder.rglob("*"))
    finally:
        code, out = stop_server(proc, sig)
    assert code == 0, out
    assert "the files added to the page were deleted" in out
    assert not list(tmpdir.iterdir())


def test_stopping_in_the_middle_of_a_build_leaves_no_files(tmp_path, sample_xlsx):
    import threading
    import time

    import httpx2 as httpx

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc, url = start_server(tmpdir)
    try:
        token = re.search(r'name="token" value="([^"]+)"', httpx.get(url).text).group(1)
        data = sample_xlsx.read_bytes()
        post = threading.Thread(target=lambda: _quietly(lambda: httpx.post(
            url + "check", data={"token": token}, files=[("workbooks", (f"w{n}.xlsx", data)) for n in range(3)], timeout=120)))
        post.start()
        for _ in range(400):  # until the upload is stored and the build under way (bounded: 4 s)
            if list(tmpdir.glob("readydocs-web-*/s-*/in/03.xlsx")):
                break
            time.sleep(0.01)
    finally:
        code, out = stop_server(proc, signal.SIGINT)
    post.join(timeout=120)
    assert code == 0, out
    assert not list(tmpdir.iterdir())


def _quietly(call):
    try:
        call()
    except Exception:  # the server went away mid-request, as intended
        pass
