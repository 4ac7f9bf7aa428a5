#!/usr/bin/env python3
"""compare_herds.py ended by SIGNAL while its load runs must leave none of its processes behind.

    cleanup_check.py HERDSIM SIGNAL    (INT, TERM, HUP; or KILL, which only PR_SET_PDEATHSIG survives)

Waits until both herds are up and the first `herdsim load` runs, takes every child of the script
(the Places mock, herdsim serve, the five Python servers, herdsim load), sends the signal, and
checks that each of them is gone, and but for KILL that the script's temporary folder is too.
Exit 0 if so, 1 if not.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
COMPARE = ROOT / "bench" / "load" / "compare_herds.py"
sys.path.insert(0, str(ROOT / "tests" / "target"))
from sigint_cleanup import alive  # noqa: E402 (the same test for `herdsim run --target`)

UP_LIMIT_S = 120
GONE_LIMIT_S = 10


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:  # the script has ended
        return []


def main():
    herdsim, name = sys.argv[1:3]
    number = getattr(signal, f"SIG{name}")
    tmp = tempfile.mkdtemp(prefix="herdsim-cleanup-")  # a SIGKILL leaves the script's folder: it is made in here
    try:
        script = subprocess.Popen([sys.executable, str(COMPARE), "--herdsim", herdsim, "--duration", "600"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=dict(os.environ, TMPDIR=tmp))
        deadline = time.monotonic() + UP_LIMIT_S
        for line in script.stderr:
            if "herdsim, C=1, iamat:1 ..." in line or time.monotonic() > deadline:
                break
        # The load starts just after that line: wait for its process, the eighth child.
        while len(children(script.pid)) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        started = children(script.pid)
        if len(started) != 8:
            script.kill()
            print(f"the herds and the load did not all start within {UP_LIMIT_S} s: children {started}")
            return 1
        script.send_signal(number)
        try:
            code = script.wait(timeout=30)
        except subprocess.TimeoutExpired:
            script.kill()  # its children die with it (PR_SET_PDEATHSIG)
            print(f"compare_herds.py did not end within 30 s of SIG{name}")
            return 1
        deadline = time.monotonic() + GONE_LIMIT_S
        while any(alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in started if alive(p)]
        print(f"compare_herds.py ended by SIG{name} (exit {code}); {len(left)} of its {len(started)} processes "
              f"are alive: {left}")
        for p in left:
            os.kill(p, signal.SIGKILL)
        kept = os.listdir(tmp) if number != signal.SIGKILL else []
        if kept:
            print(f"its temporary folder is still there: {kept}")
        return 1 if left or kept else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
