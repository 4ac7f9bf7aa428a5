"""Soak one `herdsim serve` node with hostile inputs, one attack after another.

For each attack: the server's RSS before, the most during, and after (VmRSS), how much its log
grew, and what an honest bystander client saw meanwhile (IAMAT + WHATSAT round trips every 50 ms:
p99, max, errors). WHATSAT is answered by a Places mock of our own (places_mock.py), which counts
the attacker's Places requests and serves the deeply nested body. The herd attacks run after the
others, against a fresh node X with two neighbours: Y, a second `herdsim serve` process, and S, a
sink in this process (herd.py). Exit 0 if the server survived every attack, 1 if not, 2 for bad
flags.
"""
import argparse
import asyncio
import ctypes
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import attacks
from herd import Herd, Sink

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent.parent / "tests" / "data" / "places" / "nearbysearch_ok_ucla_2022_bound5.json"
ATTACK_LIMIT_S = 180
SAMPLE_EVERY_S = 0.1
UP_LIMIT_S = 10
# A server that does not bound what it parses (herdsim at d8f1373) grows to about 8 GB on
# nested-deep: the bound keeps it from taking a shared machine down with it.
SERVER_MEMORY_BYTES = 16 << 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herdsim", required=True, help="the herdsim binary to soak")
    parser.add_argument("--quick", action="store_true", help="each attack scaled down to a few seconds")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON array, not a table")
    parser.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for herdsim serve (repeatable), e.g. a limit to try; "
                             "write a flag as --serve-arg=--flag")
    parser.add_argument("--attack", action="append", choices=list(attacks.ATTACKS) + list(attacks.HERD_ATTACKS),
                        help="run only this attack (repeatable, run in the order given, the herd attacks last; "
                             "default: all, in the order listed)")
    parser.add_argument("--peer-secret", metavar="SECRET",
                        help="serve with this peer secret (HERDSIM_PEER_SECRET), so flood lines need a MAC")
    args = parser.parse_args()
    if not Path(args.herdsim).is_file():
        parser.error(f"--herdsim: no such file: {args.herdsim}")
    return args


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphans


def _bounded_server():
    _die_with_parent()
    resource.setrlimit(resource.RLIMIT_AS, (SERVER_MEMORY_BYTES, SERVER_MEMORY_BYTES))


def spawn(command, preexec_fn=_die_with_parent, **kwargs):
    return subprocess.Popen(command, preexec_fn=preexec_fn, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mock:
    """The Places mock process, asked over HTTP."""

    def __init__(self):
        self.process = spawn([sys.executable, str(HERE / "places_mock.py"), str(SAMPLE)], stdout=subprocess.PIPE)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def _get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as reply:
            return reply.read()

    def count(self):
        """The attacker's Places requests since the last call."""
        return int(self._get("/soak/count"))

    def nested(self, depth):
        self._get(f"/soak/nested?depth={depth}")


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def log_sizes(folder):
    """Each log file's size, by inode: a rotated file keeps its inode under its new name."""
    sizes = {}
    for path in folder.iterdir():
        try:
            st = path.stat()
        except FileNotFoundError:
            continue  # rotated away meanwhile
        sizes[st.st_ino] = st.st_size
    return sizes


class Watch(threading.Thread):
    """The server's peak RSS and what it wrote to its logs, rotated files included, sampled every
    SAMPLE_EVERY_S on a thread of its own (an attack that builds its input blocks the event loop).
    A file deleted by rotation counts with the size it last showed: it is deleted only after four
    more files of 16 MiB were written, far more than the log takes between two samples. A log file
    only grows, so an inode whose file shrank is a new file that reused a deleted one's inode."""

    def __init__(self, pid, folder):
        super().__init__(daemon=True)
        self.pid, self.folder = pid, folder
        self.start_sizes = log_sizes(folder)
        self.last = dict(self.start_sizes)
        self.earlier = 0  # the sizes of files whose inode a newer file took
        self.peak_rss_mb = rss_mb(pid) or 0
        self.done = threading.Event()

    def run(self):
        while True:
            self.peak_rss_mb = max(self.peak_rss_mb, rss_mb(self.pid) or 0)
            for inode, size in log_sizes(self.folder).items():
                if size < self.last.get(inode, 0):
                    self.earlier += self.last[inode]
                self.last[inode] = size
            if self.done.wait(SAMPLE_EVERY_S):
                return

    def stop(self):
        self.done.set()
        self.join()

    def log_written(self):
        return self.earlier + sum(self.last.values()) - sum(self.start_sizes.values())

    def log_growth(self):
        return sum(log_sizes(self.folder).values()) - sum(self.start_sizes.values())


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError):
        return None


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_until_up(server, port):
    deadline = time.monotonic() + UP_LIMIT_S
    while time.monotonic() < deadline and server.poll() is None:
        if accepts(port):
            return True
        time.sleep(0.05)
    return False


async def run_attack(name, server, port, logs, scale, mock, herd=None):
    """One attack beside the bystander, the server's RSS sampled meanwhile: its row of the table."""
    row = {"attack": name, "rss_before_mb": rss_mb(server.pid)}
    watch = Watch(server.pid, logs)
    cpu_before = cpu_seconds(server.pid)
    bystander = spawn([sys.executable, str(HERE / "bystander.py"), str(port)], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True)
    bystander.stdout.readline()  # its first round trip, before the attack
    watch.start()
    started = time.monotonic()
    try:
        attack = attacks.HERD_ATTACKS[name](port, scale, mock, herd) if herd else attacks.ATTACKS[name](port, scale, mock)
        outcome = await asyncio.wait_for(attack, ATTACK_LIMIT_S)
    except (OSError, asyncio.TimeoutError) as e:
        outcome = attacks.Outcome(f"attack failed: {type(e).__name__}: {e}")
    row["detail"], row["places_requests"] = outcome.detail, outcome.places_requests
    row["seconds"] = round(time.monotonic() - started, 1)
    await asyncio.sleep(1)  # what the server gives back once the attacker is gone
    watch.stop()
    row["rss_max_mb"], row["rss_after_mb"] = watch.peak_rss_mb, rss_mb(server.pid)
    cpu_after = cpu_seconds(server.pid)
    # What the machine gave the server, which its bystander's round trips depend on as much as on the attack.
    row["server_cpu_s"] = None if cpu_before is None or cpu_after is None else round(cpu_after - cpu_before, 2)
    row["log_written_mb"] = watch.log_written() / 2**20
    row["log_growth_mb"] = watch.log_growth() / 2**20  # on disk: rotation deletes the oldest file
    row["sent_mb"] = outcome.sent_bytes / 2**20 if outcome.sent_bytes else None
    row["log_per_sent"] = row["log_written_mb"] / row["sent_mb"] if row["sent_mb"] else None
    bystander.stdin.close()
    row["bystander"] = json.loads(bystander.stdout.read() or "{}")
    bystander.wait()
    row["survived"] = server.poll() is None and accepts(port)
    row["load_average_1m"] = os.getloadavg()[0]  # the machine's, which a bystander's figures depend on
    row["server_exit"] = server.poll()  # a negative number is the signal that ended it
    return row


def show(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def print_table(rows):
    head = ("attack", "RSS before/max/after MB", "log written MB (× sent)", "log on disk +MB", "bystander p99/max ms",
            "errors", "Places req", "survived", "server CPU s", "load")
    lines = [head]
    for r in rows:
        b = r["bystander"]
        errors = sum(b.get("errors", {}).values())
        lines.append((r["attack"], "/".join(show(r[k]) for k in ("rss_before_mb", "rss_max_mb", "rss_after_mb")),
                      show(r["log_written_mb"], 3) + (f" ({r['log_per_sent']:.3g}×)" if r["log_per_sent"] is not None else ""),
                      show(r["log_growth_mb"], 3),
                      f"{show(b.get('p99_ms'))}/{show(b.get('max_ms'))}",
                      f"{errors} of {errors + b.get('round_trips', 0)}", show(r["places_requests"]),
                      "yes" if r["survived"] else f"NO (exit {show(r['server_exit'])})", show(r["server_cpu_s"]),
                      show(r["load_average_1m"])))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    for r in rows:
        errors = r["bystander"].get("errors") or {}
        print(f"{r['attack']}: {r['detail']} ({r['seconds']} s)" + (f"; bystander errors: {errors}" if errors else ""))


class Node:
    """One `herdsim serve --node NAME` process of the herd in `config`, logging into a folder of its own."""

    def __init__(self, args, work, config, name, port, mock):
        self.port, self.logs = port, work / f"logs-{name}"
        env = dict(os.environ)
        if args.peer_secret:
            env["HERDSIM_PEER_SECRET"] = args.peer_secret
        self.stderr = work / f"serve-{name}.stderr"
        self.process = spawn([args.herdsim, "serve", "--config", str(config), "--node", name, "--places-url", mock.url,
                              "--log-dir", str(self.logs), *args.serve_arg],
                             preexec_fn=_bounded_server, stdout=subprocess.DEVNULL, stderr=self.stderr.open("wb"), env=env)

    def up(self):
        if wait_until_up(self.process, self.port):
            print(f"soak: herdsim serve pid {self.process.pid} on port {self.port}", file=sys.stderr)
            return True
        self.process.kill()
        print(f"soak: herdsim serve did not come up on port {self.port}:\n{self.stderr.read_text()}", file=sys.stderr)
        return False

    def stop(self):
        self.process.kill()
        self.process.wait()


def run_phase(args, names, scale, work, mock, herd_phase):
    """Runs `names` one after another against a fresh X (with its neighbours for the herd attacks);
    the rows, ending at the first attack X did not survive."""
    x_port, y_port = free_port(), free_port()
    servers = {"X": {"host": "127.0.0.1", "port": x_port}}
    links = []
    sink = None
    if herd_phase:
        sink = Sink()
        sink.start()
        servers.update({"Y": {"host": "127.0.0.1", "port": y_port}, "S": {"host": "127.0.0.1", "port": sink.port}})
        links = [["X", "Y"], ["X", "S"]]
    config = work / ("herd.json" if herd_phase else "node.json")
    config.write_text(json.dumps({"servers": servers, "links": links}))
    nodes = [Node(args, work, config, "X", x_port, mock)]
    if herd_phase:
        nodes.append(Node(args, work, config, "Y", y_port, mock))
    x = nodes[0]
    rows = []
    try:
        if not all(node.up() for node in nodes):
            return None
        herd = Herd(y_port, nodes[1].logs, x.logs, sink) if herd_phase else None
        for name in names:
            print(f"soak: {name} ...", file=sys.stderr)
            rows.append(asyncio.run(run_attack(name, x.process, x_port, x.logs, scale, mock, herd)))
            if not rows[-1]["survived"]:
                print(f"soak: the server did not survive {name}; stopping", file=sys.stderr)
                break
    finally:
        for node in nodes:
            node.stop()
        if sink:
            sink.listener.close()
    return rows


def main():
    args = parse_args()
    scale = attacks.QUICK if args.quick else attacks.FULL
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    print(f"soak: fd limit {hard}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="herdsim-soak-"))
    chosen = args.attack or [*attacks.ATTACKS, *attacks.HERD_ATTACKS]
    mock = Mock()
    rows = []
    try:
        for herd_phase in (False, True):
            names = [n for n in chosen if (n in attacks.HERD_ATTACKS) == herd_phase]
            if not names:
                continue
            phase_rows = run_phase(args, names, scale, work, mock, herd_phase)
            if phase_rows is None:
                return 1
            rows += phase_rows
            if len(phase_rows) < len(names):
                break
    finally:
        mock.process.kill()
        mock.process.wait()
        shutil.rmtree(work)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print_table(rows)
    return 0 if rows and all(r["survived"] for r in rows) and len(rows) == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
