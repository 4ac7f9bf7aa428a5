"""The Spring 2020 TA grading script (w20 herd): kill two of five servers, ten ways.

Five servers (w20.json, ports 8000-8004) started through server.py 0.5 s apart. Then for each of
the ten pairs: stop both (lsof, 0.3 s after each), IAMAT at the surviving server with the lowest
port (the origin), WHATSAT at the origin, then WHATSAT at each other survivor: its reply must be the
origin's whole reply when a path of surviving servers joins it to the origin, and `? ` and the line
when none does (w20 falls apart in three of the ten cases); then start the pair again.
Every check is byte for byte: a whole reply, or a WHATSAT reply's first line and its rest.

Points, 35 in all, as the issue describes the checks: a survivor joined to the origin is worth 2,
one for its first line being the origin's (it got the flood, the AT line unchanged) and one for the
rest being the Places answer; a survivor cut off is worth 1, for `? ` and the line. The ten cases
have 15 joined survivors and 5 cut off: 15 * 2 + 5 * 1 = 35. The origin's own IAMAT and WHATSAT
replies are what the others are compared with: if either is wrong, no joined survivor can score.
Exit 0 only with full marks.
"""
import itertools
import sys

import course

BOUND = 10
COORDS = "+37.551379+126.993287"


def run_case(score, servers, links, number, pair):
    alive = [name for name in servers.ports if name not in pair]
    origin = min(alive, key=servers.ports.get)
    client = f"client{number}.cs.ucla.edu"
    line = f"WHATSAT {client} 20 {BOUND}\n"
    at_line, ok = course.iamat(servers.ports[origin], origin, client, COORDS)
    reply = course.request(servers.ports[origin], line)
    if not ok or reply != course.whatsat_reply(at_line, BOUND):
        print(f"  origin {origin} answered wrong: IAMAT {course.show(at_line)}, WHATSAT {course.show(reply)}")
        at_line = None
    for name in alive:
        if name == origin:
            continue
        reply = course.request(servers.ports[name], line)
        if course.connected(links, alive, origin, name):
            course.check_whatsat(score, f"{name}, joined to {origin}", reply, at_line, BOUND, 1)
        else:
            score.check(f"{name}, cut off from {origin}: does not know {client}", 1,
                        reply == course.invalid(line.rstrip("\n")), reply)


def grade(score, servers, links):
    for number, pair in enumerate(itertools.combinations(servers.ports, 2), start=1):
        print(f"Case {number}: {pair[0]} and {pair[1]} stopped")
        for name in pair:
            servers.stop(name)
        run_case(score, servers, links, number, pair)
        for name in pair:
            servers.start(name)


if __name__ == "__main__":
    sys.exit(course.run(__doc__.splitlines()[0], "w20.json", "w20 TA script", grade))
