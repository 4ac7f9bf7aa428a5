#!/usr/bin/env python3
"""SIGINT to `herdsim run --target` while every server is up must leave no server process behind.

    sigint_cleanup.py HERDSIM TARGET SCENARIO OUT

The Python fixture writes its pid to {log_dir}/pid; the test waits for all of them, interrupts
herdsim, and checks that each of those processes is gone.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys

from procs import alive, wait_for


def main():
    herdsim, target, scenario, out = sys.argv[1:5]
    shutil.rmtree(out, ignore_errors=True)
    with open(os.devnull, "w") as quiet:
        run = subprocess.Popen([herdsim, "run", scenario, "--target", target, "--out", out], stdout=quiet, stderr=quiet)
    pids = []

    def all_up():
        found = set()
        for path in glob.glob(f"{out}/*/*/target/*-logs/pid"):
            text = open(path).read()
            if text.endswith("\n"):  # written whole
                found.add(int(text))
        pids[:] = sorted(found)
        return len(pids) == 5 and all(alive(p) for p in pids)

    if not wait_for(all_up, 60):
        run.kill()
        print(f"the five servers did not come up: {pids}")
        return 1
    run.send_signal(signal.SIGINT)
    code = run.wait(timeout=30)
    wait_for(lambda: not any(alive(p) for p in pids), 10)
    left = [p for p in pids if alive(p)]
    print(f"herdsim exited with {code}; after SIGINT {len(left)} of {len(pids)} server processes are alive: {left}")
    for p in left:
        os.kill(p, signal.SIGKILL)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
