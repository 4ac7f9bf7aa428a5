#!/usr/bin/env python3
"""Turns herdsim_bench's Google Benchmark JSON into a short markdown report with the ratios.

usage: report.py RESULT.json [OUT.md]   (prints the report; also writes it to OUT.md if given)
Standard library only.
"""
import json
import sys


def load(path):
    with open(path) as f:
        data = json.load(f)
    by_name = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        by_name[b["name"].split("/manual_time")[0].split("/iterations:")[0]] = b
    return data.get("context", {}), by_name


def num(value, digits=1):
    if value is None:
        return "–"
    if abs(value) >= 100000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.{max(0, digits - 1)}f}" if digits > 1 else f"{value:,.0f}"
    return f"{value:.{digits}f}"


def get(b, key):
    if b is None or b.get("error_occurred"):
        return None
    return b.get(key)


def verdict(ok):
    if ok is None:
        return "not run"
    return "met" if ok else "**missed**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def report(context, b):
    lines = []
    errors = [(n, x.get("error_message", "")) for n, x in b.items() if x.get("error_occurred")]
    lines.append("# herdsim benchmarks")
    lines.append("")
    lines.append(
        f"{context.get('date', '?')} on {context.get('host_name', '?')}: {context.get('num_cpus', '?')} CPUs, "
        f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}; "
        f"Google Benchmark library built as {context.get('library_build_type', '?')} (Debian's package; it times "
        "only the benchmark loop, the code measured is RelWithDebInfo). "
        "Every server and the load client run on one io_context (one thread) over real loopback sockets; "
        "the floor is a bare line-echo server on the same kind of loop, driven by the same client, in the same run. "
        "No log files are written, except in the one row marked *with logs*. "
        "Throughput: every connection keeps 16 requests in flight."
    )
    lines.append("")

    # Floor
    rt = b.get("Floor/RoundTrip")
    lines.append("## Floor (line echo)")
    lines.append("")
    rows = [["round trip, sequential", f"p50 {num(get(rt, 'p50_us'))} µs, p99 {num(get(rt, 'p99_us'))} µs"]]
    for c in (1, 10, 100):
        x = b.get(f"Floor/Throughput/C:{c}")
        rows.append([f"throughput, C = {c}", f"{num(get(x, 'req_per_s'))} req/s"])
    lines.append(table(["", "floor"], rows))
    lines.append("")

    # Parsing
    lines.append("## Parsing and formatting (ns per line)")
    lines.append("")
    rows = []
    for name, what in (("Parse/IAMAT", "IAMAT line parsed"), ("Parse/WHATSAT", "WHATSAT line parsed"),
                       ("Parse/Flood", "flood (7-field AT) line parsed"),
                       ("Format/ATReply", "AT reply formatted (Node::handle on a stale IAMAT: reply only)")):
        x = b.get(name)
        rows.append([what, num(get(x, "real_time"), 1)])
    lines.append(table(["", "ns"], rows))
    lines.append("")

    # IAMAT
    lines.append("## IAMAT against the five-node herd (every IAMAT a new update, flooded to all five)")
    lines.append("")
    x = b.get("Herd/IAMAT/RoundTrip")
    rows = [["round trip p50", f"{num(get(x, 'p50_us'))} µs", f"{num(get(rt, 'p50_us'))} µs",
             num(get(x, "ratio_to_floor"), 2) + "×"],
            ["round trip p99", f"{num(get(x, 'p99_us'))} µs", f"{num(get(rt, 'p99_us'))} µs",
             num(get(x, "ratio_to_floor_p99"), 2) + "×"]]
    for c in (1, 10, 100):
        x = b.get(f"Herd/IAMAT/Throughput/C:{c}")
        rows.append([f"throughput, C = {c} (replies + full flood)", f"{num(get(x, 'req_per_s'))} req/s",
                     f"{num(get(x, 'floor_req_per_s'))} req/s", num(get(x, "ratio_to_floor"), 2)])
    x = b.get("Herd/IAMAT/ThroughputWithLogs/C:100")
    rows.append(["throughput, C = 100, *with logs*", f"{num(get(x, 'req_per_s'))} req/s",
                 f"{num(get(x, 'floor_req_per_s'))} req/s", num(get(x, "ratio_to_floor"), 2)])
    lines.append(table(["", "herd", "floor", "ratio"], rows))
    lines.append("")

    # Flood
    lines.append("## Flood to full coverage, five-node ring (from the origin storing it to the last node storing it)")
    lines.append("")
    rows = []
    for name, what in (("Herd/Flood/Ring5", "no node down"), ("Herd/Flood/Ring5OneDown", "Welsh down")):
        x = b.get(name)
        rows.append([what, num(get(x, "p50_us")), num(get(x, "p99_us")), num(get(x, "hops"), 0),
                     num(get(x, "per_hop_p50_us")), num(get(x, "floor_rtt_p50_us")),
                     num(get(x, "ratio_to_floor_rtt"), 2) + "×",
                     f"{num(get(x, 'msgs_per_update'), 2)} / {num(get(x, 'expected_2E_minus_N_minus_1'), 0)}"])
    lines.append(table(["", "p50 µs", "p99 µs", "hops", "per hop µs (p50)", "floor RTT p50 µs",
                        "p50 / floor RTT", "msgs per update / 2E−(N−1)"], rows))
    lines.append("")

    # Link policies
    lines.append("## Peer-link policies, five-node ring: per_burst (default, course-compatible) beside persistent")
    lines.append("")
    lines.append("Flood: one update at a time from Alford, to full coverage; `idle 10 ms` waits before each update, so "
                 "every per_burst link has closed and each hop connects first. CPU: user + system time of the process "
                 "(getrusage) per IAMAT, herd and clients together.")
    lines.append("")
    rows = []
    for policy in ("per_burst", "persistent"):
        for spacing, what in (("back_to_back", "back to back"), ("idle_10ms", "idle 10 ms")):
            x = b.get(f"Herd/Links/{policy}/Flood/Ring5/{spacing}")
            rows.append([f"{policy}, flood, {what}", num(get(x, "p50_us")), num(get(x, "p99_us")),
                         num(get(x, "ratio_to_floor_rtt"), 2) + "×", num(get(x, "cpu_us_per_iamat"))])
        x = b.get(f"Herd/Links/{policy}/IAMAT/Throughput/C:10")
        rows.append([f"{policy}, throughput C = 10: {num(get(x, 'req_per_s'))} req/s, "
                     f"{num(get(x, 'ratio_to_floor'), 2)} × floor", "", "", "", num(get(x, "cpu_us_per_iamat"))])
    lines.append(table(["", "p50 µs", "p99 µs", "p50 / floor RTT", "CPU µs per IAMAT"], rows))
    lines.append("")

    # Scale
    lines.append("## Scale (generated herds; one update at a time from a different node each time)")
    lines.append("")
    rows = []
    for kind in ("grid", "random"):
        for n in (5, 25, 100, 1000):
            x = b.get(f"Scale/{kind}/N:{n}")
            if x is None:
                continue
            exact = None
            if get(x, "msgs_min") is not None:
                e = get(x, "expected_2E_minus_N_minus_1")
                exact = get(x, "msgs_min") == e and get(x, "msgs_max") == e
            rows.append([kind + (" (degree 4)" if kind == "random" else ""), num(get(x, "nodes"), 0),
                         num(get(x, "edges"), 0), num(get(x, "p50_us")), num(get(x, "p99_us")),
                         num(get(x, "per_hop_p50_us")), num(get(x, "ratio_to_floor_rtt"), 1) + "×",
                         num(get(x, "msgs_per_update"), 2), num(get(x, "expected_2E_minus_N_minus_1"), 0),
                         "yes" if exact else ("no" if exact is not None else "–"),
                         num(get(x, "heap_KiB_per_node"), 1), num(get(x, "rss_MiB_per_node"), 3),
                         num(get(x, "setup_s"), 2)])
    lines.append(table(["topology", "N", "E", "coverage p50 µs", "p99 µs", "per hop µs", "p50 / floor RTT",
                        "msgs per update", "2E−(N−1)", "every update exact", "heap KiB per node",
                        "RSS growth MiB per node", "setup s"], rows))
    lines.append("")
    lines.append("Coverage: from the origin storing the update to the last node storing it. Every node, and the "
                 "client, run on one thread, so a flood's lines are handled one after another: coverage grows with "
                 "the messages per update, not only with the hops. Heap per node: malloc bytes in use after the "
                 "herd is listening (per_burst links connect at the first flood), divided by N (kernel socket "
                 "buffers not included); RSS growth is smaller where malloc reuses memory an earlier benchmark "
                 "freed. Setup: from start() until every node listens.")
    lines.append("")

    # Memory
    x = next((v for k, v in b.items() if k.startswith("Memory/FiveNodeHerd")), None)
    lines.append("## Memory: distinct clients stored in the five-node herd")
    lines.append("")
    lines.append("Filled over real sockets: pipelined IAMATs on 10 connections (two per server), each flooded, "
                 "so every server's own table holds every client.")
    lines.append("")
    lines.append(table(["clients", "records (5 tables)", "fill s", "fill clients/s", "process RSS MiB",
                        "RSS after malloc_trim MiB", "herd growth MiB", "bytes per record"],
                       [[num(get(x, "clients"), 0), num(get(x, "records"), 0), num(get(x, "fill_s"), 1),
                         num(get(x, "fill_clients_per_s"), 0), num(get(x, "rss_MiB"), 0),
                         num(get(x, "rss_MiB_after_trim"), 0), num(get(x, "herd_MiB"), 0),
                         num(get(x, "bytes_per_record"), 0)]]))
    lines.append("")

    # WHATSAT
    lines.append("## WHATSAT throughput (mock Places on the same loop, answering at once with five results)")
    lines.append("")
    rows = []
    for c in (1, 10, 100):
        x = b.get(f"Herd/WHATSAT/Throughput/C:{c}")
        rows.append([f"C = {c}", num(get(x, "req_per_s")), num(get(x, "floor_req_per_s")),
                     num(get(x, "ratio_to_floor"), 3)])
    lines.append(table(["", "req/s", "floor echo req/s", "ratio"], rows))
    lines.append("")
    lines.append("Each WHATSAT costs its node a new HTTP connection to the Places service (connect, request, "
                 "answer, close; the Places client keeps no connection alive), and the mock serves it on the same "
                 "thread; that connection setup is the likely limit here (not profiled), not the herd's line handling.")
    lines.append("")

    # Targets
    lines.append("## Targets")
    lines.append("")
    t = []
    x = b.get("Herd/IAMAT/Throughput/C:100")
    r = get(x, "ratio_to_floor")
    t.append(["IAMAT throughput at C = 100 with the full flood ≥ 0.5 × floor", num(r, 2), verdict(None if r is None else r >= 0.5)])
    x = b.get("Herd/Flood/Ring5")
    r = get(x, "ratio_to_floor_rtt")
    t.append(["flood p50, five-node ring ≤ 3 × floor RTT p50", num(r, 2) + "×", verdict(None if r is None else r <= 3)])
    x = b.get("Herd/Flood/Ring5OneDown")
    r = get(x, "ratio_to_floor_rtt")
    t.append(["flood p50, one node down ≤ 4 × floor RTT p50", num(r, 2) + "×", verdict(None if r is None else r <= 4)])
    exact_all, seen = True, False
    for k, v in b.items():
        if k.startswith("Scale/") or k.startswith("Herd/Flood/"):
            if get(v, "msgs_per_update") is None:
                continue
            seen = True
            e = get(v, "expected_2E_minus_N_minus_1")
            exact_all &= get(v, "msgs_per_update") == e and get(v, "msgs_max") in (None, e) and get(v, "msgs_min") in (None, e)
    t.append(["messages per update exactly 2E − (N − 1), every N", "exact" if exact_all and seen else "not exact",
              verdict(exact_all if seen else None)])
    x = next((v for k, v in b.items() if k.startswith("Memory/FiveNodeHerd")), None)
    r = get(x, "rss_MiB")
    c = get(x, "clients")
    t.append([f"{num(c, 0) if c else '1,000,000'} clients in a five-node herd < 1 GiB resident",
              f"{num(r, 0)} MiB", verdict(None if r is None else r < 1024)])
    x = b.get("Parse/IAMAT")
    r = get(x, "real_time")
    t.append(["parsing an IAMAT line < 200 ns", f"{num(r, 1)} ns", verdict(None if r is None else r < 200)])
    lines.append(table(["target", "measured", ""], t))
    if errors:
        lines.append("")
        lines.append("Benchmarks that reported an error:")
        for n, m in errors:
            lines.append(f"- `{n}`: {m}")
    lines.append("")
    return "\n".join(lines)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    context, benchmarks = load(sys.argv[1])
    text = report(context, benchmarks)
    print(text)
    if len(sys.argv) == 3:
        with open(sys.argv[2], "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
