"""Processes the tests kill from outside (as the kernel's OOM killer would) and wait for."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from support.polling import wait_until


def dead(pid: int) -> bool:
    """Exited and waitable: what a parent's Popen.poll() sees. (/proc showing the process as a zombie is not
    enough: the main thread turns Z before RocksDB's threads have ended, and poll() still says running.)
    WNOWAIT leaves the exit status for the parent (the worker pool, in this process) to collect."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # collected already (or not a child of this process: see `gone`)
        return True


def kill_and_wait(pid: int) -> None:
    """SIGKILL a child process of this one and wait until it has exited."""
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: dead(pid), what=f"worker {pid} dies")


def gone(pid: int) -> bool:
    """No such process any more, or only its zombie (for processes that are not children of this one)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
