"""What both course graders share: servers run the way the course runs them, its client, and points.

The course starts each server as `python3 server.py NAME &`, 0.5 s after the one before, and stops
one with `lsof -ti:PORT | xargs kill` followed by 0.3 s of sleep; its client opens a connection per
request, writes one line, half-closes and reads the reply once, with a 20 s timeout. Those sleeps
are the behaviour under test (a herd must cope with exactly that timing), not synchronisation.
On a machine so loaded that a server is not yet accepting connections when its 0.5 s are up, or a
stopped one has not yet exited when its 0.3 s are up, the course's timing cannot be kept: then the
grader waits for that event (and says so) before it goes on, so the herd is graded on the course's
order of events. A flood slowed by a starved CPU can still fail a check: the course's client does
not wait for one, and neither does this one.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "data" / "places" / "nearbysearch_ok_ucla_2022_bound5.json"
START_GAP_S = 0.5
STOP_SLEEP_S = 0.3
READ_TIMEOUT_S = 20
READ_MAX = 1_000_000
LATE_LIMIT_S = 30


def run(description, herd_file, title, grade):
    """A grader's whole run: its herd started as the course starts it, `grade(score, servers, links)`,
    the score printed; the exit code."""
    sys.stdout.reconfigure(line_buffering=True)  # each check shows at once, also if the run is killed
    args = parse_args(description, herd_file)
    ports, links = load_herd(HERE / herd_file)
    score = Score(title)
    with Servers(args.herdsim, args.server_config, ports) as servers:
        for name in ports:
            servers.start(name)
        grade(score, servers, links)
    return score.finish(servers, args.discard_logs)


def parse_args(description, default_config):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--herdsim", required=True, help="the herdsim binary the servers run")
    parser.add_argument("--server-config", default=str(HERE / default_config),
                        help="the herd config the servers are given (default: the grader's own herd); "
                             "a different one shows that the grader fails a broken herd")
    parser.add_argument("--discard-logs", action="store_true",
                        help="delete the servers' logs also when the grade is not full (they are kept then by default)")
    args = parser.parse_args()
    for flag, path in (("--herdsim", args.herdsim), ("--server-config", args.server_config)):
        if not Path(path).is_file():
            print(f"{Path(sys.argv[0]).name}: {flag}: no such file: {path}", file=sys.stderr)
            sys.exit(2)
    return args


def load_herd(path):
    """The servers (name -> port, in file order) and the links of a herd config."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ports = {name: server["port"] for name, server in doc["servers"].items()}
    return ports, [tuple(link) for link in doc["links"]]


def connected(links, alive, a, b):
    """Whether a flood from a reaches b through servers in `alive` only."""
    seen, todo = {a}, [a]
    while todo:
        node = todo.pop()
        for x, y in links:
            for here, there in ((x, y), (y, x)):
                if here == node and there in alive and there not in seen:
                    seen.add(there)
                    todo.append(there)
    return b in seen


def _die_with_parent():
    # The kernel kills a server if the grader dies by any means, SIGKILL from a CTest timeout too.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Servers:
    """The herd's server processes, each started through server.py as the course does."""

    def __init__(self, herdsim, config, ports):
        busy = [f"{name} ({port})" for name, port in ports.items() if not _port_free(port)]
        if busy:
            print(f"{Path(sys.argv[0]).name}: ports in use, not started: {', '.join(busy)}", file=sys.stderr)
            sys.exit(2)
        self.ports = ports
        self.logs = Path(tempfile.mkdtemp(prefix="herdsim-course-"))
        self.env = dict(os.environ, HERDSIM_COURSE_BINARY=str(Path(herdsim).resolve()),
                        HERDSIM_COURSE_CONFIG=str(Path(config).resolve()), HERDSIM_COURSE_LOGS=str(self.logs))
        self.processes = []  # every server process started, restarts too
        self.latest = {}     # name -> its latest process

    def start(self, name):
        with open(self.logs / f"{name}.stderr", "ab") as err:
            self.latest[name] = subprocess.Popen(
                # -S: the wrapper needs no site packages, whose set-up alone can take most of 0.5 s.
                [sys.executable, "-S", str(HERE / "server.py"), name], env=self.env, stdin=subprocess.DEVNULL,
                stdout=err, stderr=err, preexec_fn=_die_with_parent)
        self.processes.append(self.latest[name])
        time.sleep(START_GAP_S)
        _late(f"{name} accepting connections", lambda: request(self.ports[name], "") is not None)

    def stop(self, name):
        subprocess.run(f"lsof -ti:{self.ports[name]} | xargs kill", shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(STOP_SLEEP_S)
        _late(f"{name} exited", lambda: self.latest[name].poll() is not None)

    def kill_all(self):
        for child in self.processes:
            if child.poll() is None:
                child.kill()
            child.wait()

    def __enter__(self):
        # SIGTERM and SIGINT (CTest, Ctrl-C) unwind through __exit__ like any other ending.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda number, frame: sys.exit(128 + number))
        return self

    def __exit__(self, *exc):
        self.kill_all()
        return False


def _late(event, happened):
    """Waits (up to LATE_LIMIT_S) for an event the course's timing expected to have happened by now."""
    if happened():
        return
    started = time.monotonic()
    while not happened() and time.monotonic() - started < LATE_LIMIT_S:
        time.sleep(0.01)
    print(f"  (machine too slow for the course's timing: waited {time.monotonic() - started:.2f} s more for {event})")


def _port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def request(port, line):
    """One request as the course's client makes it; the reply (bytes), or None if none came in time."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S) as s:
            s.sendall(line.encode())
            s.shutdown(socket.SHUT_WR)
            return s.recv(READ_MAX)
    except OSError:
        return None


def now_text():
    ns = time.time_ns()
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def iamat(port, server, client, coords):
    """IAMAT at `port`: (the reply, whether it is byte for byte the AT line `server` must make)."""
    client_time = now_text()
    sent = time.time()
    reply = request(port, f"IAMAT {client} {coords} {client_time}\n")
    received = time.time()
    pattern = rb"AT %s ([+-][0-9]+\.[0-9]{9}) %s\n" % (re.escape(server.encode()),
                                                       re.escape(f"{client} {coords} {client_time}".encode()))
    match = re.fullmatch(pattern, reply or b"")
    # The difference is the server's receive time minus the client's: between sending and the reply.
    ok = bool(match) and sent - float(client_time) - 0.01 <= float(match[1]) <= received - float(client_time) + 0.01
    return reply, ok


def whatsat_reply(at_line, bound):
    """The exact WHATSAT reply for a stored AT line: the bundled sample's results cut to `bound`."""
    with open(SAMPLE, encoding="utf-8") as f:
        body = json.load(f)
    body["results"] = body["results"][:bound]
    return at_line + json.dumps(body, indent=3, ensure_ascii=False).encode() + b"\n\n"


def check_whatsat(score, what, reply, at_line, bound, points):
    """A WHATSAT reply as the course counts it, two checks of `points` each: its first line is the
    AT line `at_line`, and the rest is the Places answer. With no `at_line` (the IAMAT that should
    have made it went wrong) neither can hold."""
    first, _, rest = (reply or b"").partition(b"\n")
    ok = at_line is not None
    score.check(f"{what}: first line", points, ok and first + b"\n" == at_line, reply)
    score.check(f"{what}: then the Places answer", points,
                ok and rest == whatsat_reply(at_line, bound).partition(b"\n")[2], reply)


def invalid(line):
    return b"? " + line.encode() + b"\n"


class Score:
    """Points as the course's script counts them: each check's points if it holds, else none."""

    def __init__(self, title):
        self.title, self.got, self.total = title, 0, 0

    def check(self, what, points, ok, reply=None):
        self.total += points
        self.got += points if ok else 0
        print(f"  {points if ok else 0}/{points}  {what}" + ("" if ok else f"   got: {show(reply)}"))

    def finish(self, servers, discard_logs):
        """Prints the score; exit code 0 with full marks, else 1. The servers' logs are deleted with full
        marks or when asked to, else named."""
        print(f"{self.title}: {self.got}/{self.total}")
        full = self.got == self.total
        if full or discard_logs:
            shutil.rmtree(servers.logs)
        else:
            print(f"server logs kept in {servers.logs}")
        return 0 if full else 1


def show(reply):
    if reply is None:
        return "no reply (refused, reset or timed out)"
    text = reply.decode(errors="replace")
    return repr(text if len(text) <= 160 else text[:160] + "...")
