"""What the target scripts read of a process: its state, and a bounded wait for a condition."""
import time


def state(pid):
    """The process's state letter (/proc/PID/stat field 3: R, S, T stopped, Z zombie...), or None
    when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def alive(pid):
    """A process that is there and not a zombie."""
    return state(pid) not in (None, "Z")


def wait_for(condition, limit):
    """Polls `condition` until it holds or `limit` seconds passed; whether it held."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
