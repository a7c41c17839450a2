"""The committed default templates are exactly what scripts/make_templates.py generates.

People restyle the templates in Word, but the project keeps them as outlines in
the generator; a template edited by hand (or a generator change without a
regeneration) would drift silently. Zip timestamps differ between runs, so the
parts are compared, not the archive bytes.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_committed_templates_match_the_generator(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_templates.py"), str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    generated = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert generated == sorted(p.name for p in (ROOT / "templates").glob("*.docx"))
    for name in generated:
        with zipfile.ZipFile(ROOT / "templates" / name) as committed, zipfile.ZipFile(tmp_path / name) as fresh:
            assert sorted(committed.namelist()) == sorted(fresh.namelist()), name
            drifted = [part for part in committed.namelist() if committed.read(part) != fresh.read(part)]
            assert not drifted, f"{name}: {drifted} differ; run 'make templates' and commit the result"
