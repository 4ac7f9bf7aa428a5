"""Put the same `herdsim load` on herdsim's herd and on the course-style Python fixture, side by side.

Both herds serve fall17's five servers on free loopback ports and ask the same Places mock. Each
row is one closed-loop `herdsim load --json --check-known --pids ...` run, against one herd and
then the other: C = 1, 10, 100 with IAMATs only, and C = 10 with one WHATSAT in ten. Prints one
table (herd, C, mix, requests/s, reply p50/p99/max, errors, wrong replies, (client, server) pairs
known afterwards, herd CPU per request). Exit 0 if every row had every reply right, no error and
every pair known; 1 if not; 2 for bad flags or a run that could not be made.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import herds

MIX_ROW = (10, "iamat:0.9,whatsat:0.1")
CLIENTS_PER_CONNECTION = 10  # keeps --check-known short: C x 10 clients, each asked at 5 servers


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herdsim", required=True, help="the herdsim binary (serve and load)")
    parser.add_argument("--connections", default="1,10,100", metavar="C,...",
                        help="the IAMAT-only rows' connection counts (default 1,10,100)")
    parser.add_argument("--duration", type=float, default=10, metavar="S", help="seconds of load per row (default 10)")
    parser.add_argument("--requests", type=int, metavar="N", help="at most N requests per row (default: no bound)")
    parser.add_argument("--timeout", type=float, default=10, metavar="S",
                        help="herdsim load's --timeout: for a reply, and for a --check-known pass to see more (default 10)")
    parser.add_argument("--python-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the Python herd's processes (repeatable), "
                             "e.g. HERD_NO_FLOOD=1 for a broken herd")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON array, not a table")
    args = parser.parse_args()
    if not Path(args.herdsim).is_file():
        parser.error(f"--herdsim: no such file: {args.herdsim}")
    try:
        args.connections = [int(c) for c in args.connections.split(",")]
    except ValueError:
        parser.error(f"--connections: not a list of whole numbers: {args.connections}")
    if not all(1 <= c <= 100000 for c in args.connections):
        parser.error(f"--connections: each must be 1 to 100000: {args.connections}")
    if not 0 < args.duration <= 10**6:
        parser.error(f"--duration: must be greater than 0 and at most 1e6: {args.duration}")
    if args.requests is not None and args.requests < 1:
        parser.error(f"--requests: must be 1 or more: {args.requests}")
    if not 0 < args.timeout <= 86400:
        parser.error(f"--timeout: must be greater than 0 and at most 86400: {args.timeout}")
    bad = [e for e in args.python_env if "=" not in e or not e.partition("=")[0]]
    if bad:
        parser.error(f"--python-env: not NAME=VALUE: {bad[0]}")
    return args


class CouldNotRun(Exception):
    """herdsim load exited 2: its message."""


def load(args, herd, connections, mix, processes):
    """One `herdsim load` run against one herd: its JSON report and exit code."""
    command = [args.herdsim, "load", "--servers", herd.servers_flag(), "--connections", str(connections),
               "--closed-loop", "--duration", str(args.duration), "--mix", mix,
               "--clients", str(CLIENTS_PER_CONNECTION), "--timeout", str(args.timeout), "--check-known",
               "--pids", ",".join(map(str, herd.pids)), "--json"]
    if args.requests is not None:
        command += ["--requests", str(args.requests)]
    run = processes.spawn(command, "load.stderr", stdout=subprocess.PIPE)
    out = run.communicate()[0]
    if run.returncode not in (0, 1):
        raise CouldNotRun(f"herdsim load against the {herd.label} herd exited {run.returncode}:\n"
                          + (processes.work / "load.stderr").read_text(errors="replace"))
    return json.loads(out), run.returncode


def row(herd, connections, mix, report, code):
    latency, known, cpu = report["latency_ms"] or {}, report["known"], report["cpu"]
    return {"herd": herd.label, "connections": connections, "mix": mix, "replied": report["replied"],
            "throughput": report["throughput"], "p50_ms": latency.get("p50"), "p99_ms": latency.get("p99"),
            "max_ms": latency.get("max"), "errors": report["errors"]["total"], "wrong": report["wrong"]["total"],
            "known": known["known"], "pairs": known["pairs"], "cpu_us_per_request": cpu["herd_us_per_request"],
            "generator_cpu_s": cpu["generator_s"], "seconds": report["seconds"], "exit": code,
            "examples": report["errors"]["examples"] + report["wrong"]["examples"] + known["examples"]}


def show(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(rows):
    head = ("herd", "C", "mix", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "wrong", "known", "CPU us/req")
    lines = [head] + [(r["herd"], str(r["connections"]), r["mix"], show(r["throughput"], 0), show(r["p50_ms"], 3),
                       show(r["p99_ms"], 3), show(r["max_ms"], 3), str(r["errors"]), str(r["wrong"]),
                       f"{r['known']}/{r['pairs']}", show(r["cpu_us_per_request"], 1)) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(cell.rjust(w) if i in range(3, len(head)) else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    for r in rows:
        for example in r["examples"]:
            print(f"{r['herd']} C={r['connections']} {r['mix']}: {json.dumps(example)}")


def main():
    args = parse_args()
    # CTest's timeout and Ctrl-C unwind through the finally below like any other ending.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda number, frame: sys.exit(128 + number))
    work = Path(tempfile.mkdtemp(prefix="herdsim-compare-"))
    processes = herds.Processes(work)
    rows = []
    try:
        places_url = herds.places_mock(processes)
        env = dict(os.environ, **dict(e.partition("=")[::2] for e in args.python_env))
        both = [herds.herdsim_herd(processes, args.herdsim, places_url), herds.python_herd(processes, places_url, env)]
        for herd in both:
            print(f"compare_herds: {herd.label} herd up, pids {','.join(map(str, herd.pids))}", file=sys.stderr)
        for connections, mix in [(c, "iamat:1") for c in args.connections] + [MIX_ROW]:
            for herd in both:
                print(f"compare_herds: {herd.label}, C={connections}, {mix} ...", file=sys.stderr)
                rows.append(row(herd, connections, mix, *load(args, herd, connections, mix, processes)))
    except (herds.NotUp, CouldNotRun) as e:
        print(f"compare_herds: {e}", file=sys.stderr)
        return 2
    finally:
        processes.stop()
        shutil.rmtree(work)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print_table(rows)
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
