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
os.execv(binary, [binary, "serve", "--config", os.environ["HERDSIM_COURSE_CONFIG"], "--node", sys.argv[1],
                  "--mock-places", "--log-dir", os.environ["HERDSIM_COURSE_LOGS"]])
