"""The neighbours of the soaked node X in the herd attacks: Y, a real server in a process of its own,
and S, a sink in this process that counts what X sends it (X's floods and catch-ups)."""
import socket
import threading
from dataclasses import dataclass
from pathlib import Path


class Sink(threading.Thread):
    """A neighbour that reads everything X writes on its links and counts bytes and lines."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.bytes = self.lines = 0

    def run(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        with conn:
            while chunk := conn.recv(1 << 20):
                with self.lock:
                    self.bytes += len(chunk)
                    self.lines += chunk.count(b"\n")

    def counts(self):
        with self.lock:
            return self.bytes, self.lines


def _count(folder, name, texts):
    """How often any of `texts` occurs in `name`'s logs in `folder`, rotated files included."""
    total = 0
    for path in folder.glob(f"{name}*.log"):
        try:
            content = path.read_text(errors="replace")
        except OSError:
            continue  # rotated away meanwhile
        total += sum(content.count(t) for t in texts)
    return total


@dataclass
class Herd:
    y_port: int
    y_logs: Path  # Y's log folder
    x_logs: Path  # X's
    sink: Sink

    def y_link_failures(self):
        """How many times Y's log says its link to X failed: lost, or X could not be reached."""
        return _count(self.y_logs, "Y", ["link to peer X lost", "cannot reach peer X"])

    def x_catch_ups_completed(self):
        return _count(self.x_logs, "X", ["catch-up to S complete"])
