#!/usr/bin/env python3
"""A target's paused server is a stopped process, and no stopped process outlives the run.

    pause_cleanup.py HERDSIM TARGET HELD_SCENARIO AT_END_SCENARIO OUT

HELD_SCENARIO pauses Hamilton and waits a minute: once every server is up and Hamilton's process is
in state T (stopped; /proc/PID/stat field 3) while the others are not, herdsim is interrupted
(SIGINT), and every server's process group must be gone. AT_END_SCENARIO ends while Hamilton is
paused: herdsim must exit 0 and leave no process group behind. The Python fixture writes its pid
to {log_dir}/pid.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys

from procs import state, wait_for


def group_alive(pgid):
    """Whether a process of the group is alive: kill -0 on the group, with zombies not counted (a
    process herdsim did not reap after its SIGINT waits for init)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def server_pids(out):
    found = {}
    for path in glob.glob(f"{out}/*/*/target/*-logs/pid"):
        text = open(path).read()
        if text.endswith("\n"):  # written whole
            found[os.path.basename(os.path.dirname(path))[: -len("-logs")]] = int(text)
    return found


def left_behind(pids):
    wait_for(lambda: not any(group_alive(p) for p in pids.values()), 10)
    left = {name: pid for name, pid in pids.items() if group_alive(pid)}
    for pid in left.values():
        os.killpg(pid, signal.SIGKILL)  # not left for the next test
    return left


def held(herdsim, target, scenario, out):
    shutil.rmtree(out, ignore_errors=True)
    with open(os.devnull, "w") as quiet:
        run = subprocess.Popen([herdsim, "run", scenario, "--target", target, "--out", out], stdout=quiet, stderr=quiet)
    pids = {}

    def hamilton_stopped():
        pids.update(server_pids(out))
        if len(pids) < 5 or run.poll() is not None:
            return run.poll() is not None
        return state(pids["Hamilton"]) == "T"

    wait_for(hamilton_stopped, 60)
    states = {name: state(pid) for name, pid in pids.items()}
    print(f"while paused: {states}")
    if run.poll() is not None or states.get("Hamilton") != "T" or any(s == "T" for n, s in states.items() if n != "Hamilton"):
        run.kill()
        left_behind(pids)
        print(f"herdsim exited with {run.wait()}; Hamilton was not the one stopped process")
        return False
    run.send_signal(signal.SIGINT)
    code = run.wait(timeout=30)
    left = left_behind(pids)
    print(f"herdsim exited with {code} after SIGINT; process groups left: {left}")
    return not left


def at_end(herdsim, target, scenario, out):
    shutil.rmtree(out, ignore_errors=True)
    run = subprocess.run([herdsim, "run", scenario, "--target", target, "--out", out], capture_output=True, text=True,
                         timeout=120)
    pids = server_pids(out)
    left = left_behind(pids)
    print(f"herdsim exited with {run.returncode} ending with Hamilton paused; servers {sorted(pids)}; "
          f"process groups left: {left}")
    if run.returncode != 0:
        print(run.stdout + run.stderr)
    return run.returncode == 0 and len(pids) == 5 and not left


def main():
    herdsim, target, held_scenario, end_scenario, out = sys.argv[1:6]
    ok = held(herdsim, target, held_scenario, f"{out}/held")
    ok = at_end(herdsim, target, end_scenario, f"{out}/at-end") and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
