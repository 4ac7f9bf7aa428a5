#!/usr/bin/env python3
"""`herdsim load --client` against the course-style fixture's herd, real processes on the w22 ports.

    load_styles.py HERDSIM FIXTURE_SERVER_PY STYLE CLIENT EXPECT_CODE [EXPECT_TEXT]

Starts the five servers with `--style STYLE`, a Places stand-in for their WHATSATs, then
`herdsim load --preset w22 --client CLIENT --connections 4 --requests 200 --check-known`; passes when
load exits EXPECT_CODE and its report contains EXPECT_TEXT.
"""
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time

W22 = {"Juzang": 12200, "Bernard": 12201, "Jaquez": 12202, "Johnson": 12203, "Clark": 12204}


class Places(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"results": [], "status": "ZERO_RESULTS"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def main():
    herdsim, server_py, style, client, expect_code = sys.argv[1:6]
    expect_text = sys.argv[6] if len(sys.argv) > 6 else ""
    places = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Places)
    threading.Thread(target=places.serve_forever, daemon=True).start()
    env = dict(os.environ, PLACES_URL=f"http://127.0.0.1:{places.server_port}")
    servers = [subprocess.Popen([sys.executable, server_py, name, "--style", style], env=env) for name in W22]
    try:
        deadline = time.monotonic() + 30
        for port in W22.values():
            while not accepts(port):  # polled until each listens
                if time.monotonic() > deadline or any(s.poll() is not None for s in servers):
                    print(f"the fixture's server on port {port} did not come up")
                    return 1
                time.sleep(0.05)
        load = subprocess.run([herdsim, "load", "--preset", "w22", "--client", client, "--connections", "4",
                               "--requests", "200", "--check-known", "--timeout", "5"],
                              capture_output=True, text=True, timeout=120)
        print(load.stdout + load.stderr)
        if load.returncode != int(expect_code) or expect_text not in load.stdout:
            print(f"expected exit {expect_code} and {expect_text!r}; got exit {load.returncode}")
            return 1
        return 0
    finally:
        for s in servers:
            s.kill()
            s.wait()
        places.shutdown()


if __name__ == "__main__":
    sys.exit(main())
