"""Memory of a process and its descendants, read from /proc (Linux), and of the machine."""

from __future__ import annotations

from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_by_process(pid: int) -> list[tuple[int, float, float]]:
    """(pid, RSS, PSS) in MB of each process of the tree, the root first. PSS shares each shared page out
    among the processes that map it, so its sum is what the tree takes from the machine."""
    out = []
    for p in process_tree(pid):
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:])
            out.append((p, int(fields["Rss"].split()[0]) / 1024, int(fields["Pss"].split()[0]) / 1024))
        except (OSError, KeyError, ValueError):
            pass
    return out


def rss_mb(pid: int) -> tuple[float, float, int]:
    """(current RSS, sum of each process's peak RSS) in MB over the process tree, and the number of processes."""
    now = peak = 0
    pids = process_tree(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    now += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
    return now / 1024, peak / 1024, len(pids)


def mem_total() -> str:
    """The machine's RAM, for a report's heading ("23.5 GB")."""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        return f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        return "? GB"
