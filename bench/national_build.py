"""One size's data for bench/national.py: the synthetic sources generated, built and validated, each step
timed with its peak RSS, and the figures kept in build.json so that `--reuse` can skip them."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from andts import store as layout

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GENERATE = ROOT / "bench" / "generate.py"


def timed(argv: list[str], log: Path, timeout: float) -> tuple[float, float, int]:
    """Run a command under /usr/bin/time: (wall seconds, peak RSS in MB, exit status)."""
    tfile = log.with_suffix(".time")
    with log.open("w") as out:
        try:
            rc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(tfile), *argv], stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return timeout, float("nan"), -1
    wall, kb = tfile.read_text().split()[-2:]
    return float(wall), int(kb) / 1024, rc


def build_figures(n: int, work: Path, store_link: Path, args: argparse.Namespace) -> dict:
    """n, generate_s, build_s, build_mb, validate_s, validate_mb and validate_rc of this size: measured now,
    or with --reuse those of an earlier run (or of a build timed by hand) when its store is still there."""
    work.mkdir(parents=True, exist_ok=True)
    if args.reuse and not (work / "build.json").exists() and (work / "build.time").exists():
        adopt_hand_timed_build(n, work)
    if args.reuse and (work / "build.json").exists() and layout.current_build_dir(store_link) is not None:
        print("  reusing the build measured before", file=sys.stderr)
        return json.loads((work / "build.json").read_text())
    figures = generate_build_validate(n, work, store_link, args)
    (work / "build.json").write_text(json.dumps(figures))
    return figures


def adopt_hand_timed_build(n: int, work: Path) -> None:
    """build.json from build.time, validate.time and validate.rc, written by the commands of bench/README.md;
    waits for the validation when it is still running."""
    while not (work / "validate.rc").exists():
        time.sleep(5)
    (wall, kb), (vwall, vkb) = (
        (work / name).read_text().split()[-2:] for name in ("build.time", "validate.time"))
    (work / "build.json").write_text(json.dumps({
        "n": n, "generate_s": float("nan"), "build_s": float(wall), "build_mb": int(kb) / 1024, "validate_s": float(vwall),
        "validate_mb": int(vkb) / 1024, "validate_rc": int((work / "validate.rc").read_text())}))


def generate_build_validate(n: int, work: Path, store_link: Path, args: argparse.Namespace) -> dict:
    """The n−2 synthetic municipalities generated (none at 2), built with the real ones, and the dump validated."""
    figures: dict = {"n": n}
    t = time.perf_counter()
    if n > 2:
        src = work / "src"
        subprocess.run([sys.executable, str(GENERATE), "--municipalities", str(n - 2),
                        "--seed", str(args.seed), "--out", str(src)], check=True)
        build_argv = [sys.executable, str(GENERATE), "--out", str(src), "--no-generate",
                      "--build", str(store_link), "--with-real"]
    else:
        build_argv = [str(BIN / "andts"), "build", "--store", str(store_link)]
    figures["generate_s"] = time.perf_counter() - t
    figures["build_s"], figures["build_mb"], rc = timed(build_argv, work / "build.log", args.build_timeout)
    if rc != 0:
        raise SystemExit(f"the build of {n} failed or timed out; see {work / 'build.log'}")
    dump = layout.current_build_dir(store_link) / "dump.trig"
    figures["validate_s"], figures["validate_mb"], figures["validate_rc"] = timed(
        [str(BIN / "andts"), "validate", str(dump)], work / "validate.log", args.build_timeout)
    return figures
