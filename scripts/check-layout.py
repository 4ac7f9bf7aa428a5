#!/usr/bin/env python3
"""Checks that every #include runs down the house: from a room to one it may use, never back up.

The rooms and what each may include are the table below (docs/design.md draws it). A file belongs
to the room whose folder is the longest prefix of its path; files in no room (tests/, scripts/)
are not checked. A quoted include is looked up beside the file, then under each include root
(core/, sim/, the repository root), as the compiler would; one that names no file of the tree (a
generated header) is passed over.

Exit 0 and a one-line count when every include is allowed; exit 1 listing each one that runs up
to a higher floor ("upward") or across to a room it may not use ("across").

  scripts/check-layout.py [--root DIR] [--rooms FILE.json]

--rooms replaces the table with a JSON object {"room": [floor, ["room it may include", ...]], ...},
to hold another layout (an older one, say) to the same rule.
"""
import argparse
import json
import os
import re
import sys

CORE = ["core/protocol", "core/async", "core/places", "core/config", "core/net"]
SIM_BELOW_PLAY = ["sim/scenario", "sim/client", "sim/record", "sim/report", "sim/herd", "sim/target"]

# room: (floor, the other rooms it may include). Floor 1 is the ground; arrows point down only.
ROOMS = {
    "core/protocol": (1, []),
    "core/async": (1, []),
    "core/places": (2, ["core/protocol", "core/async"]),
    "core/config": (3, ["core/protocol", "core/places"]),
    "core/net": (4, ["core/protocol", "core/async", "core/places", "core/config"]),
    "serve": (5, CORE),
    "sim/scenario": (6, ["serve"] + CORE),
    "sim/client": (6, CORE),
    "sim/record": (6, CORE),
    "sim/report": (7, ["sim/record"] + CORE),
    "sim/herd": (7, ["sim/record", "serve"] + CORE),
    "sim/target": (8, ["sim/herd", "sim/record", "sim/scenario", "sim/client", "serve"] + CORE),
    "sim/play": (9, SIM_BELOW_PLAY + ["serve"] + CORE),
    "sim/grade": (9, ["sim/target", "sim/report", "sim/herd", "sim/record", "serve"] + CORE),
    "load": (10, CORE),
    "bench": (10, ["sim/herd", "sim/scenario", "serve"] + CORE),
    "cli": (11, ["load", "sim/play", "sim/grade"] + SIM_BELOW_PLAY + ["serve"] + CORE),
}

INCLUDE_ROOTS = ["core", "sim", "."]
SOURCE = re.compile(r"\.(c|cc|cpp|h|hh|hpp)(\.in)?$")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def room_of(path, rooms):
    best = None
    for room in rooms:
        if path == room or path.startswith(room + "/"):
            if best is None or len(room) > len(best):
                best = room
    return best


def resolve(root, path, include):
    for base in [os.path.dirname(path)] + INCLUDE_ROOTS:
        candidate = os.path.normpath(os.path.join(base, include))
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def sources(root):
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "build" and not d.startswith("build-"))
        for name in sorted(files):
            if SOURCE.search(name):
                yield os.path.relpath(os.path.join(folder, name), root)


def check(root, rooms):
    """Returns (includes checked, [(file, include, its room, included room, "upward" or "across")])."""
    checked, wrong = 0, []
    for path in sources(root):
        own = room_of(path, rooms)
        if own is None:
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for include in INCLUDE.findall(text):
            target = resolve(root, path, include)
            other = room_of(target, rooms) if target else None
            if other is None:
                continue
            checked += 1
            if other == own or other in rooms[own][1]:
                continue
            how = "upward" if rooms[other][0] > rooms[own][0] else "across"
            wrong.append((path, include, own, other, how))
    return checked, wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--rooms", help="a JSON file with another table of rooms")
    args = parser.parse_args()
    rooms = ROOMS
    if args.rooms:
        with open(args.rooms, encoding="utf-8") as f:
            rooms = {room: (floor, allowed) for room, (floor, allowed) in json.load(f).items()}
    root = os.path.abspath(args.root)
    checked, wrong = check(root, rooms)
    for path, include, own, other, how in wrong:
        print(f'{path}: #include "{include}": {how}, from {own} (floor {rooms[own][0]}) '
              f"to {other} (floor {rooms[other][0]})")
    upward = [w for w in wrong if w[4] == "upward"]
    across = [w for w in wrong if w[4] == "across"]
    pairs = len({(w[2], w[3]) for w in wrong})
    print(f"layout: {checked} includes checked; {len(upward)} upward, {len(across)} across, "
          f"between {pairs} pairs of rooms")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
