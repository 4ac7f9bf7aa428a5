"""The course's published sample grading script (Winter 2022 herd), run against herdsim serve.

Five servers (w22.json) started through server.py 0.5 s apart, then at once:
  Test 1: IAMAT at Juzang, then WHATSAT at Juzang, Bernard, Jaquez, Johnson and Clark, one right
          after the other: each returns Juzang's AT line and the Places answer.
  Test 2: IAMAT at Johnson; stop Juzang, then Bernard; IAMAT at Clark with new coordinates and a
          newer time; WHATSAT at Jaquez shows Clark's record (Clark–Jaquez is still up), and WHATSAT
          at Johnson its own old one (both its neighbours are down).
  Test 3: three invalid lines with no newline to Clark, each answered `? ` and the line.
Every check is byte for byte: a whole reply, or a WHATSAT reply's first line and its rest.

Points, 42 in all: a WHATSAT reply is worth 4 (the course counts its first line and its JSON part
apart: 2 each), an IAMAT reply 2, an invalid line's reply 2. Test 1 is 2 + 5 * 4 = 22, Test 2 is
2 + 2 + 4 + 4 = 12, Test 3 is 3 * 2 = 6, and each stop that leaves the other servers of the herd
running is worth 1 (Test 2 stops two): 22 + 12 + 6 + 2 = 42.
Exit 0 only with full marks.
"""
import sys

import course

WHATSAT_POINTS, IAMAT_POINTS, INVALID_POINTS, STOP_POINTS = 2, 2, 2, 1  # a WHATSAT: twice 2
BOUND = 5


def whatsat(score, servers, name, client, at_line):
    reply = course.request(servers.ports[name], f"WHATSAT {client} 10 {BOUND}\n")
    course.check_whatsat(score, f"WHATSAT at {name}", reply, at_line, BOUND, WHATSAT_POINTS)


def iamat(score, servers, name, client, coords):
    """IAMAT at `name`; its AT line, or None if the reply was wrong."""
    reply, ok = course.iamat(servers.ports[name], name, client, coords)
    score.check(f"IAMAT at {name} answers with its AT line", IAMAT_POINTS, ok, reply)
    return reply if ok else None


def stop(score, servers, name, up):
    servers.stop(name)
    up.remove(name)
    down = [other for other in up if course.request(servers.ports[other], "") is None]
    score.check(f"stopping {name} leaves {', '.join(up)} running", STOP_POINTS, not down,
                f"down: {', '.join(down)}".encode())


def grade(score, servers, links):
    print("Test 1")
    at_line = iamat(score, servers, "Juzang", "kiwi.cs.ucla.edu", "+34.068930-118.445127")
    for name in servers.ports:
        whatsat(score, servers, name, "kiwi.cs.ucla.edu", at_line)

    print("Test 2")
    up = list(servers.ports)
    johnson = iamat(score, servers, "Johnson", "lemon.cs.ucla.edu", "+34.068930-118.445127")
    stop(score, servers, "Juzang", up)
    stop(score, servers, "Bernard", up)
    clark = iamat(score, servers, "Clark", "lemon.cs.ucla.edu", "+40.000000-120.000000")
    whatsat(score, servers, "Jaquez", "lemon.cs.ucla.edu", clark)
    whatsat(score, servers, "Johnson", "lemon.cs.ucla.edu", johnson)

    print("Test 3")
    for line in ("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127", "WHATSAT nobody.cs.ucla.edu 10 5",
                 "WHATSAT kiwi.cs.ucla.edu 51 21"):
        reply = course.request(servers.ports["Clark"], line)
        score.check(f"Clark answers {line!r} with '? ' and the line", INVALID_POINTS,
                    reply == course.invalid(line), reply)


if __name__ == "__main__":
    sys.exit(course.run(__doc__.splitlines()[0], "w22.json", "W22 sample grading script", grade))
