"""A course submission's server.py: `python3 server.py NAME` runs the server NAME of the herd.

The course's graders start each server this way, so this wrapper execs `herdsim serve` for one
node (the same process, so the grader's pid and `lsof` see herdsim itself). The grader says which
binary, herd config and log folder through the environment.
"""
import os
import sys

if len(sys.argv) != 2:
    sys.exit("usage: server.py NAME")
binary = os.environ["HERDSIM_COURSE_BINARY"]
# The mock answers after 100 ms, as Google's Places API does at best: the graders ask the origin its
# WHATSAT and then, at once, a neighbour two hops away; with a real service the flood has arrived by
# then, and an instant mock would make the course's own script race the flood.
os.execv(binary, [binary, "serve", "--config", os.environ["HERDSIM_COURSE_CONFIG"], "--node", sys.argv[1],
                  "--mock-places", "--mock-places-delay-ms", "100", "--log-dir", os.environ["HERDSIM_COURSE_LOGS"]])
