"""Regenerate the two committed broken files that need outside tools to make.

    pip install msoffcrypto-tool   # not a readydocs dependency; only for this script
    python tests/corpus/make_corpus.py

encrypted.xlsx: the sample workbook encrypted with the password "readydocs" the
way Excel does it (an OLE compound file holding EncryptionInfo and
EncryptedPackage streams). legacy.xls: the sample workbook saved by LibreOffice
as Excel 97-2003. Every other file in the corpus is made by the test fixtures.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[1] / "inputs" / "sample-intake.xlsx"


def main() -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with SAMPLE.open("rb") as src, (HERE / "encrypted.xlsx").open("wb") as out:
        OOXMLFile(src).encrypt("readydocs", out)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "xls", "--outdir", tmp, str(SAMPLE)], check=True, capture_output=True)
        shutil.copyfile(Path(tmp) / "sample-intake.xls", HERE / "legacy.xls")
    print("wrote", HERE / "encrypted.xlsx", HERE / "legacy.xls", file=sys.stderr)


if __name__ == "__main__":
    main()
