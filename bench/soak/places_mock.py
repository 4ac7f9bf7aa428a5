"""A Places service for the soak: `python3 places_mock.py SAMPLE` serves on a free loopback port.

It prints the port on its first line. Every Nearby Search is answered with SAMPLE, except, after
`GET /soak/nested?depth=N`, a search for the attacker's location (latitude 10) gets a body nested N
deep. `GET /soak/count` answers how many searches for the attacker's location it has served (the
Places bill an attacker runs up), and since when it was last asked, so each attack is counted alone.
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ATTACKER_LATITUDE = "10"
sample = open(sys.argv[1], "rb").read()
lock = threading.Lock()
state = {"count": 0, "nested": None}


def nested(depth):
    return b'{"results":[],"status":"OK","x":' + b"[" * depth + b"]" * depth + b"}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/soak/count":
            with lock:
                body, state["count"] = str(state["count"]).encode(), 0
        elif url.path == "/soak/nested":
            depth = int(query.get("depth", ["0"])[0])
            state["nested"] = nested(depth) if depth else None
            body = b"ok"
        else:
            attacker = query.get("location", [""])[0].lstrip("+").split(".")[0] == ATTACKER_LATITUDE
            with lock:
                state["count"] += attacker
            body = state["nested"] if attacker and state["nested"] else sample
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # herdsim gave up on the request (its Places timeout): nothing to report


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
