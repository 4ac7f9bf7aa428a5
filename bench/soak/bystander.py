"""The soak's bystander: `python3 bystander.py PORT`, an honest client beside each attack.

Every 50 ms it opens a connection, sends an IAMAT, reads the AT line, sends a WHATSAT and reads the
reply up to its closing empty line: one round trip. After the first one it prints `ready`. When its
stdin closes it prints one JSON object
(round trips, p50, p99, max in ms, and the errors it saw, counted by kind) and exits. A separate
process, so that the attackers' work never delays its clock.
"""
import json
import socket
import sys
import threading
import time

PERIOD_S = 0.05
TIMEOUT_S = 10
port = int(sys.argv[1])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()


def read_until(s, end):
    data = b""
    while not data.endswith(end):
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the reply ended")
        data += chunk
    return data


def round_trip():
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as s:
        s.sendall(f"IAMAT bystander.soak +34.068930-118.445127 {time.time():.9f}\n".encode())
        if not read_until(s, b"\n").startswith(b"AT "):
            raise ValueError("IAMAT not answered with AT")
        s.sendall(b"WHATSAT bystander.soak 10 5\n")
        if not read_until(s, b"\n\n").startswith(b"AT "):
            raise ValueError("WHATSAT not answered with AT")


times, errors = [], {}
while not stop.is_set():
    start = time.monotonic()
    try:
        round_trip()
        times.append((time.monotonic() - start) * 1000)
    except (OSError, ValueError) as e:
        kind = str(e) if isinstance(e, ValueError) else type(e).__name__
        errors[kind] = errors.get(kind, 0) + 1
    if len(times) + sum(errors.values()) == 1:
        print("ready", flush=True)
    stop.wait(max(0.0, PERIOD_S - (time.monotonic() - start)))

times.sort()


def pct(p):
    return round(times[min(len(times) - 1, int(len(times) * p))], 2) if times else None


print(json.dumps({"round_trips": len(times), "p50_ms": pct(0.50), "p99_ms": pct(0.99),
                  "max_ms": round(times[-1], 2) if times else None, "errors": errors}))
