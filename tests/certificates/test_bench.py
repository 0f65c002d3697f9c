"""The benchmark runs and prints its two medians (the numbers themselves are not asserted)."""

import re
import subprocess
import sys

from config import ROOT


def test_the_benchmark_prints_render_and_seal_medians(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "certificates.py"), "--runs", "3"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^render median: \d+\.\d ms$", result.stdout, re.M)
    assert re.search(r"^render\+seal median: \d+\.\d ms$", result.stdout, re.M)
    assert "runs: 3" in result.stdout
