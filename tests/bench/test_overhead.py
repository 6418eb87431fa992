"""bench/overhead.py with a few requests a row over the real sources: every layer is measured and printed
(it starts uvicorn with the bare app, `andts serve` and Oxigraph's server). Behaviour only, never timing:
the script imports the server's internals, so this is what tells when they change under it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from andts import paths

pytestmark = pytest.mark.slow  # starts uvicorn, `andts serve` and Oxigraph's server and measures every layer

ROOT = Path(paths.__file__).resolve().parents[1]
ROWS = ("1. pyoxigraph", "2. + job checks", "3. + worker process IPC", "4. HTTP alone", "5. GET /health",
        "6. GET /sparql lookup", "Oxigraph's server")


def test_every_layer_is_measured_with_both_clients(real_build) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "overhead.py"), "--store", str(real_build.store),
                          "--requests", "5"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = {row: next((line for line in out.stdout.splitlines() if line.startswith(f"| {row}")), None) for row in ROWS}
    assert all(lines.values()), out.stdout
    for row, line in lines.items():
        figures = [float(x) for x in re.findall(r"\| (-?\d+\.\d+) ", line + " ")]
        assert len(figures) == (1 if row[0] in "123" else 4), line  # p50; or p50 and gap with each client
        assert all(f > 0 for f in figures[::2]), line  # latencies (the gaps may be anything)
