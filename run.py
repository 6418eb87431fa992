#!/usr/bin/env python3
"""Set-up and the two everyday commands, for a fresh machine with only Python 3.11+.

    python3 run.py serve   # install, build the graph, serve it on http://127.0.0.1:8000/
    python3 run.py test    # install (with test tools), run the whole test suite (in parallel)
    python3 run.py test -m "not slow"   # only the fast tier

Installation goes into .venv/ in this folder and is redone only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def sh(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def ensure_venv(extras: str) -> None:
    stamp = VENV / f".installed-{extras or 'base'}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want and PYTHON.exists():
        return
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    sh(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    sh(PYTHON, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(want)


def serve(args: list[str]) -> int:
    ensure_venv("")
    sh(BIN / "andts", "build")
    os.execv(str(BIN / "andts"), [str(BIN / "andts"), "serve", *args])


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """The browser test drives Debian's headless Chromium; install it when it is missing and we can."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        sys.exit(f"the browser test needs Chromium at {CHROMIUM}; this machine cannot install it here "
                 "(no apt-get, or not root): install Debian's 'chromium' package and run the tests again")
    print(f"{CHROMIUM} is missing: installing Debian's chromium package for the browser test", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        sh(apt, "update", "-qq", env=env)
        sh(apt, "install", "-y", "-qq", "chromium", env=env)
    except subprocess.CalledProcessError as exc:
        sys.exit(f"installing chromium failed ({exc}); the browser test needs it at {CHROMIUM}")
    if not CHROMIUM.exists():
        sys.exit(f"the chromium package was installed but {CHROMIUM} is still missing")


#: pytest-xdist: a worker process per core, each test file whole in one worker (a file's module fixtures are
#: made once, and its tests keep their order). `-n 0` (or any -n/--dist of one's own) overrides it.
PARALLEL = ["-n", "auto", "--dist", "loadfile"]


def test(args: list[str]) -> int:
    ensure_venv("test")
    ensure_chromium()
    own = any(a.startswith(("-n", "--numprocesses", "--dist")) for a in args)
    return subprocess.run([str(PYTHON), "-m", "pytest", *([] if own else PARALLEL), *args], cwd=ROOT).returncode


def main() -> int:
    if sys.version_info < (3, 11):
        sys.exit("andts-kg needs Python 3.11 or newer")
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    return {"serve": serve, "test": test}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
