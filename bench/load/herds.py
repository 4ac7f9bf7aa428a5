"""The two herds compare_herds.py puts load on, and the Places mock both ask.

herdsim's herd is one `herdsim serve` process serving all five servers; the Python fixture's is
five `python3 server.py NAME CONFIG LOG_DIR` processes. Both serve the fall17 herd (names and
links) on free loopback ports, from a herd config file in the format `herdsim serve --config`
reads. Every process is started with PR_SET_PDEATHSIG, so none outlives this script, however it
ends; `Processes.stop` kills and reaps them on every other ending.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench" / "soak"))
from soak import accepts, free_port  # noqa: E402 (the soak's socket helpers, found through the path above)

PLACES_MOCK = ROOT / "bench" / "soak" / "places_mock.py"
PLACES_SAMPLE = ROOT / "tests" / "data" / "places" / "nearbysearch_ok_ucla_2022_bound5.json"
FIXTURE = ROOT / "tests" / "fixtures" / "python_herd" / "server.py"
NAMES = ("Alford", "Hamilton", "Welsh", "Ball", "Holiday")
LINKS = (("Alford", "Hamilton"), ("Alford", "Welsh"), ("Ball", "Holiday"), ("Ball", "Welsh"), ("Hamilton", "Holiday"))
UP_LIMIT_S = 30
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}  # compare_herds.py's handlers end it by SystemExit


class NotUp(Exception):
    """A process did not come up: the message says which and what it wrote to stderr."""


def _child_setup(parent):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphans
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


class Processes:
    """Every process started, so that all of them are killed and reaped at the end."""

    def __init__(self, work):
        self.work = work
        self.started = []

    def spawn(self, command, stderr_name, **kwargs):
        # A stop signal is held until the process is in `started`: one that came during the fork would
        # raise its SystemExit in an at-fork hook (logging has one), where Python ignores exceptions.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        parent = os.getpid()
        try:
            with open(self.work / stderr_name, "wb") as err:
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=err,
                                           preexec_fn=lambda: _child_setup(parent), **kwargs)
            self.started.append(process)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        return process

    def stop(self):
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait()


class Herd:
    """One herd, up: its label, its servers (name -> port) and the pids whose CPU time is the herd's.
    names[i] names processes[i], whose stderr is <name>.stderr in the work folder."""

    def __init__(self, label, ports, processes, names, work):
        self.label, self.ports = label, ports
        self.pids = [p.pid for p in processes]
        deadline = time.monotonic() + UP_LIMIT_S
        for name, port in ports.items():
            while not accepts(port):
                ended = [n for p, n in zip(processes, names) if p.poll() is not None]
                if ended or time.monotonic() > deadline:
                    why = f"{ended[0]} exited" if ended else f"{name} not accepting on port {port} within {UP_LIMIT_S} s"
                    stderr = "".join(f"\n{n}.stderr:\n{(work / f'{n}.stderr').read_text(errors='replace')}"
                                     for n in ended[:1] or names)
                    raise NotUp(f"the {label} herd did not come up: {why}{stderr}")
                time.sleep(0.05)

    def servers_flag(self):
        return ",".join(f"{name}=127.0.0.1:{port}" for name, port in self.ports.items())


def _config(ports, places_url):
    return {"servers": {name: {"host": "127.0.0.1", "port": port} for name, port in ports.items()},
            "links": [list(link) for link in LINKS],
            "places": {"api": "legacy", "url": places_url, "timeout_ms": 5000}}


def places_mock(processes):
    """Starts the Places mock; its base URL."""
    mock = processes.spawn([sys.executable, str(PLACES_MOCK), str(PLACES_SAMPLE)], "places.stderr",
                           stdout=subprocess.PIPE)
    return f"http://127.0.0.1:{int(mock.stdout.readline())}"


def herdsim_herd(processes, herdsim, places_url):
    """`herdsim serve`, all five servers in one process. Its Places rate bound and cache are off so
    that, like the fixture, it asks Places once for every WHATSAT."""
    work = processes.work
    ports = {name: free_port() for name in NAMES}
    (work / "herdsim.json").write_text(json.dumps(_config(ports, places_url)))
    serve = processes.spawn([herdsim, "serve", "--config", str(work / "herdsim.json"), "--log-dir",
                             str(work / "herdsim-logs"), "--places-rate", "0", "--places-cache-ttl-ms", "0"],
                            "herdsim.stderr", stdout=subprocess.DEVNULL)
    return Herd("herdsim", ports, [serve], ["herdsim"], work)


def python_herd(processes, places_url, env):
    """The course-style fixture, one process per server; env is added to each one's environment."""
    work = processes.work
    ports = {name: free_port() for name in NAMES}
    (work / "python.json").write_text(json.dumps(_config(ports, places_url)))
    servers = [processes.spawn([sys.executable, str(FIXTURE), name, str(work / "python.json"),
                                str(work / "python-logs")], f"{name}.stderr", stdout=subprocess.DEVNULL,
                               env=env, cwd=FIXTURE.parent)
               for name in NAMES]
    return Herd("python", ports, servers, NAMES, work)
