"""The hostile clients, one coroutine each: those that abuse a server as a client, then those that
pretend to be, or abuse, the herd itself (a neighbour's keepalive lock-out, the catch-up amplifier, forged and pinned
records, blank lines against the log).

`attack(port, scale, mock)` returns an Outcome: what it did and saw, the Places requests it caused
and the bytes it sent (None where they say nothing). The herd attacks (HERD_ATTACKS) take one more
argument, the node's neighbours (herd.Herd).

`scale` is FULL or QUICK (each attack a few seconds). Every attack closes what it opened before it
returns, so the soak can measure what the server gives back afterwards.
"""
import asyncio
import random
import resource
import time
from dataclasses import dataclass
from typing import Optional

ATTACKER_LATITUDE = 10  # the Places mock counts and poisons searches at this latitude only


@dataclass(frozen=True)
class Scale:
    baseline_s: float
    idle_connections: int
    idle_hold_s: float
    drip_connections: int
    drip_interval_s: float
    drip_duration_s: float
    junk_bytes: int
    unfinished_lines: int
    iamats: int
    whatsat_clients: int
    whatsat_duration_s: float
    big_ids: int
    nested_depth: int
    nested_duration_s: float
    deep_depth: int
    blank_bytes: int
    keepalive_connections: int
    keepalive_catch_up: int
    keepalive_s: float
    amplifier_records: int
    amplifier_requests: int
    amplifier_s: float


@dataclass(frozen=True)
class Outcome:
    detail: str
    places_requests: Optional[int] = None
    sent_bytes: Optional[int] = None


FULL = Scale(10, 21_000, 20, 100, 2, 50, 10 * 1024 * 1024, 2_000, 1_000_000, 200, 30, 3_000, 10_000, 20, 1_000_000,
             10 * 1024 * 1024, 1_024, 66, 20, 100_000, 186, 20)
QUICK = Scale(1, 1_000, 2, 20, 0.5, 3, 1024 * 1024, 200, 5_000, 20, 3, 300, 10_000, 2, 1_000_000,
              1024 * 1024, 1_024, 66, 3, 2_000, 30, 3)
KEEPALIVE_PERIOD_S = 0.5
CONNECT_AT_ONCE = 500
CONNECT_LIMIT_S = 30  # a server that stops accepting leaves connects hanging: give up on them by then
FD_SPARE = 100  # descriptors the soak itself keeps open beside an attack's connections


async def _open_many(port, n, opened):
    """Opens up to n connections, CONNECT_AT_ONCE in flight, each (reader, writer) appended to
    `opened` (so the caller closes them however this ends); how many could not connect."""
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    deadline = time.monotonic() + CONNECT_LIMIT_S

    async def one():
        async with gate:
            left = deadline - time.monotonic()
            if left <= 0:
                return 1
            try:
                opened.append(await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), left))
                return 0
            except (OSError, asyncio.TimeoutError):
                return 1

    return sum(await asyncio.gather(*(one() for _ in range(n))))


def _still_open(connections):
    """How many the server has not closed: a closed one has seen EOF (or a reset) by now, read or not."""
    return sum(1 for r, w in connections if not r.at_eof() and not w.is_closing())


def _close_all(connections):
    for _, w in connections:
        w.transport.abort()


async def _drain_replies(reader):
    """Reads replies until EOF; the bytes and lines read."""
    total = lines = 0
    while True:
        chunk = await reader.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        lines += chunk.count(b"\n")
    return total, lines


async def _read_whatsat(reader):
    """One WHATSAT reply, read up to its closing empty line (or the end of a `? ` line); its size
    (0 if the connection closed first)."""
    size, head, tail = 0, b"", b""
    while not tail.endswith(b"\n\n") and not (head == b"?" and tail.endswith(b"\n")):
        chunk = await reader.read(1 << 20)
        if not chunk:
            return 0
        head = head or chunk[:1]
        size += len(chunk)
        tail = (tail + chunk)[-2:]
    return size


async def baseline(port, scale, mock):
    await asyncio.sleep(scale.baseline_s)
    return Outcome(f"no attack for {scale.baseline_s:g} s: the bystander's round trips on this machine as loaded now")


async def idle_flood(port, scale, mock):
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    wanted = min(scale.idle_connections, fd_limit - FD_SPARE)  # our own descriptors bound it too
    connections = []
    try:
        failed = await _open_many(port, wanted, connections)
        await asyncio.sleep(scale.idle_hold_s)
        still_open = _still_open(connections)
    finally:
        _close_all(connections)
    return Outcome(f"{wanted} idle connections tried (fd limit {fd_limit}): {len(connections)} connected, "
                   f"{failed} could not connect; {still_open} still open after {scale.idle_hold_s:g} s")


async def drip(port, scale, mock):
    connections = []
    try:
        failed = await _open_many(port, scale.drip_connections, connections)
        end = time.monotonic() + scale.drip_duration_s
        while time.monotonic() < end:
            for _, w in connections:
                w.write(b"x")
            await asyncio.sleep(scale.drip_interval_s)
        still_open = _still_open(connections)
    finally:
        _close_all(connections)
    return Outcome(f"1 byte every {scale.drip_interval_s:g} s of an endless line on {len(connections)} connections "
                   f"for {scale.drip_duration_s:g} s: {still_open} still open ({failed} could not connect)")


async def junk(port, scale, mock):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = random.Random(11).randbytes(scale.junk_bytes)
    drained = asyncio.ensure_future(_drain_replies(reader))
    writer.write(data)
    await writer.drain()
    writer.write_eof()
    replied, lines = await drained
    writer.close()
    return Outcome(f"{len(data) / 2**20:g} MiB of random bytes: {lines} reply lines, {replied / 2**20:.1f} MiB back",
                   sent_bytes=len(data))


async def unfinished_lines(port, scale, mock):
    connections = []
    try:
        failed = await _open_many(port, scale.unfinished_lines, connections)
        for _, w in connections:
            w.write(b"u" * 65_000)
        await asyncio.gather(*(w.drain() for _, w in connections), return_exceptions=True)
    finally:
        for _, w in connections:
            w.close()
    return Outcome(f"{len(connections)} lines of 65,000 bytes with no newline, then closed ({failed} could not "
                   f"connect)", sent_bytes=65_000 * len(connections))


async def _iamats(port, lines, connections):
    """Writes `lines` spread over `connections` pipelined connections; the AT replies read back."""
    per = [lines[i::connections] for i in range(connections)]

    async def one(batch):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        drained = asyncio.ensure_future(_drain_replies(reader))
        writer.write(b"".join(batch))
        writer.write_eof()
        await writer.drain()
        _, got = await drained
        writer.close()
        return got

    return sum(await asyncio.gather(*(one(batch) for batch in per)))


async def iamat_flood(port, scale, mock):
    now = time.time()
    lines = [f"IAMAT flood{i}.soak +34.068930-118.445127 {now:.9f}\n".encode() for i in range(scale.iamats)]
    got = await _iamats(port, lines, 10)
    return Outcome(f"{scale.iamats} IAMATs for different clients on 10 connections: {got} replies",
                   sent_bytes=sum(map(len, lines)))


async def big_ids(port, scale, mock):
    now = time.time()
    lines = [f"IAMAT {i:08d}{'i' * 59_992} +34.068930-118.445127 {now:.9f}\n".encode() for i in range(scale.big_ids)]
    got = await _iamats(port, lines, 10)
    return Outcome(f"{scale.big_ids} IAMATs with 60,000-byte client IDs: {got} replies",
                   sent_bytes=sum(map(len, lines)))


async def _whatsats_until(port, end, client, radii):
    """WHATSATs for `client` on one connection each, the radius cycling through `radii` (km), until
    `end`; (answered, largest)."""
    answered = largest = 0
    sent = 0
    while time.monotonic() < end:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.01)  # refused: try again, without spinning
            continue
        writer.write(f"WHATSAT {client} {radii[sent % len(radii)]} 5\n".encode())
        sent += 1
        size = await _read_whatsat(reader)
        writer.close()
        answered += size > 0
        largest = max(largest, size)
    return answered, largest


async def _register_attackers(port, names, longitude):
    """Attacker clients, each at a place of its own from `longitude` on, at the latitude the mock counts."""
    lines = [f"IAMAT {name} +{ATTACKER_LATITUDE}.000000+{longitude + i / 1000:.6f} {time.time():.9f}\n".encode()
             for i, name in enumerate(names)]
    await _iamats(port, lines, 1)


async def whatsat_flood(port, scale, mock):
    # Every client at a place of its own and every radius from 1 to 50 km: no two WHATSATs of a
    # client within the run ask the same question, so an answer cache saves nothing.
    names = [f"attacker{i}.soak" for i in range(scale.whatsat_clients)]
    await _register_attackers(port, names, 10)
    mock.count()
    end = time.monotonic() + scale.whatsat_duration_s
    results = await asyncio.gather(*(_whatsats_until(port, end, name, range(1, 51)) for name in names))
    requests = mock.count()
    return Outcome(f"{scale.whatsat_clients} clients sending WHATSATs for {scale.whatsat_duration_s:g} s: "
                   f"{sum(a for a, _ in results)} answered, {requests} Places requests", requests)


async def _nested(port, depth, duration_s, mock):
    # A client of its own at a place no other attack asks about: no answer cached before is served.
    name = f"nested{depth}.soak"
    await _register_attackers(port, [name], 20 + depth / 1e7)
    mock.nested(depth)
    try:
        mock.count()
        answered, largest = await _whatsats_until(port, time.monotonic() + duration_s, name, [10])
        requests = mock.count()
    finally:
        mock.nested(0)
    return Outcome(f"Places body nested {depth} deep, WHATSATs one after another for {duration_s:g} s: "
                   f"{answered} answered, largest reply {largest} bytes", requests)


async def nested_body(port, scale, mock):
    return await _nested(port, scale.nested_depth, scale.nested_duration_s, mock)


async def nested_deep(port, scale, mock):
    return await _nested(port, scale.deep_depth, scale.nested_duration_s, mock)


async def _first_line(port, lines):
    """Sends `lines` on one connection, then the first line of each reply (the AT line of a
    WHATSAT's), in order."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = []
    try:
        for line in lines:
            writer.write(line.encode())
            first = await reader.readline()
            replies.append(first.decode(errors="replace").rstrip("\n"))
            if first.startswith(b"AT ") and line.startswith("WHATSAT"):
                await reader.readuntil(b"\n\n")
    finally:
        writer.close()
    return replies


async def blank_lines(port, scale, mock):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    drained = asyncio.ensure_future(_drain_replies(reader))
    writer.write(b"\n" * scale.blank_bytes)
    await writer.drain()
    writer.write_eof()
    replied, _ = await drained
    writer.close()
    return Outcome(f"{scale.blank_bytes / 2**20:g} MiB of blank lines: {replied} bytes back", sent_bytes=scale.blank_bytes)


async def forged_flood(port, scale, mock):
    # Any client sending a flood line, under another server's name, for a client it is not.
    now = time.time()
    await _first_line(port, [f"IAMAT victim.soak +34.068930-118.445127 {now:.9f}\n"])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"AT Hamilton +0.000000001 victim.soak +48.858370+002.294481 {now + 1:.9f} Hamilton\n".encode())
    await writer.drain()
    writer.close()
    stored = (await _first_line(port, ["WHATSAT victim.soak 10 1\n"]))[0]
    forged = "+48.858370+002.294481" in stored
    return Outcome(f"a client's flood line moved victim.soak to Paris: {'yes' if forged else 'no'} (WHATSAT: {stored[:80]})")


async def pinned_time(port, scale, mock):
    replies = await _first_line(port, ["IAMAT pinned.soak +1+1 9223372036.854775807\n",
                                       f"IAMAT pinned.soak +2+2 {time.time():.9f}\n", "WHATSAT pinned.soak 10 1\n"])
    pinned = " +1+1 9223372036" in replies[2]
    return Outcome(f"pin to 2262: {replies[0][:60]}; honest report: {replies[1][:60]}; "
                   f"record held: {'pinned to 2262' if pinned else replies[2][:80]}")


async def keepalive_lockout(port, scale, mock, herd):
    """Connections that say nothing but blank lines, and some that first send a catch-up request
    naming no neighbour, every KEEPALIVE_PERIOD_S, while Y floods to X and the bystander connects."""
    failures_before = herd.y_link_failures()
    plain, catch_up = [], []
    try:
        await _open_many(port, scale.keepalive_connections, plain)
        await _open_many(port, scale.keepalive_catch_up, catch_up)
        for _, w in catch_up:
            w.write(b"HERDSIM-CATCHUP x\n")
        # Its answer ("? ...", or none and a close): read, so that a close shows as EOF.
        await asyncio.gather(*(asyncio.wait_for(r.readline(), 1) for r, _ in catch_up), return_exceptions=True)
        connected = len(plain) + len(catch_up)
        probes = 0
        end = time.monotonic() + scale.keepalive_s
        while time.monotonic() < end:
            for r, w in plain + catch_up:
                if not r.at_eof() and not w.is_closing():
                    w.write(b"\n")
            # Y floods to X all along: a client reports to Y every period.
            await _first_line(herd.y_port, [f"IAMAT probe{probes}.soak +1+1 {time.time():.9f}\n"])
            probes += 1
            await asyncio.sleep(KEEPALIVE_PERIOD_S)
        still_open = _still_open(plain) + _still_open(catch_up)
    finally:
        _close_all(plain)
        _close_all(catch_up)
    await asyncio.sleep(1.5)  # Y's log is flushed every 0.5 s
    known = 0
    for i in range(probes):
        known += (await _first_line(port, [f"WHATSAT probe{i}.soak 10 1\n"]))[0].startswith("AT Y ")
    failures = herd.y_link_failures() - failures_before
    return Outcome(f"{len(plain)} + {len(catch_up)} keepalive connections (of {scale.keepalive_connections} + "
                   f"{scale.keepalive_catch_up}) for {scale.keepalive_s:g} s: {connected - still_open} closed by the "
                   f"server; neighbour Y's link to X failed {failures} times; {known} of {probes} of Y's updates "
                   f"reached X")


async def catch_up_amplifier(port, scale, mock, herd):
    now = time.time()
    lines = [f"IAMAT amp{i}.soak +1+1 {now:.9f}\n".encode() for i in range(scale.amplifier_records)]
    await _iamats(port, lines, 1)
    while herd.sink.counts()[1] < scale.amplifier_records:  # the floods to S
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    completed_before = herd.x_catch_ups_completed()
    before, _ = herd.sink.counts()
    table = before  # every record's flood line (and the start-up request): what one walk sends
    request = b"HERDSIM-CATCHUP S\n"
    for _ in range(scale.amplifier_requests):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        writer.close()
        await asyncio.sleep(scale.amplifier_s / scale.amplifier_requests)
    await asyncio.sleep(1.5)
    received = herd.sink.counts()[0] - before
    sent = len(request) * scale.amplifier_requests
    completed = herd.x_catch_ups_completed() - completed_before
    return Outcome(f"{scale.amplifier_requests} requests naming neighbour S ({sent} bytes) over {scale.amplifier_s:g} s, "
                   f"X holding {scale.amplifier_records} records: S received {received / 2**20:.1f} MiB "
                   f"({received / sent:,.0f} bytes per request byte, about {received / table:.1f} tables); "
                   f"{completed} catch-ups completed", sent_bytes=sent)


ATTACKS = {
    "baseline": baseline,
    "idle-flood": idle_flood,
    "drip": drip,
    "junk": junk,
    "unfinished-lines": unfinished_lines,
    "iamat-flood": iamat_flood,
    "whatsat-flood": whatsat_flood,
    "big-ids": big_ids,
    "nested-body": nested_body,
    "nested-deep": nested_deep,  # a server that does not bound nesting does not survive it
    "blank-lines": blank_lines,
    "forged-flood": forged_flood,
    "pinned-time": pinned_time,
}

# Against X with neighbours: Y (a real server) and S (a sink), after the attacks above.
HERD_ATTACKS = {
    "keepalive-lockout": keepalive_lockout,
    "catch-up-amplifier": catch_up_amplifier,
}
