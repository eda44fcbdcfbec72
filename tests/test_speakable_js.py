"""The read-aloud text rule (static/js/speakable.js), run under node when it is installed."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "js" / "speakable.js"
NODE = shutil.which("node")


def _run(expression: str):
    program = (
        f"const s = require({json.dumps(str(SCRIPT))}); console.log(JSON.stringify({expression}));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_numbers_are_said_the_vietnamese_way():
    said = _run("[5, 15, 21, 25, 105, 342, 1005, 2025].map(s.numberWords)")
    assert said == [
        "năm",
        "mười lăm",
        "hai mươi mốt",
        "hai mươi lăm",
        "một trăm linh năm",
        "ba trăm bốn mươi hai",
        "một nghìn không trăm linh năm",
        "hai nghìn không trăm hai mươi lăm",
    ]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_document_numbers_are_read_as_words():
    said = _run(
        '["căn cứ 342-QĐ/TW.", "Hướng dẫn số 42-HD/BTCTW ngày 28/10/2025", '
        '"Chỉ thị 50-CT/TW", "mã 7-XY/ZZ"].map(s.speakable)'
    )
    assert said == [
        "căn cứ ba trăm bốn mươi hai, quy định Trung ương.",
        "Hướng dẫn số bốn mươi hai của Ban Tổ chức Trung ương ngày 28/10/2025",
        "Chỉ thị số năm mươi của Trung ương",
        "mã bảy XY ZZ",  # unknown letters: the number in words, the letters as they are
    ]
