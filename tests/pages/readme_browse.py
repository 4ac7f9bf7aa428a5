#!/usr/bin/env python3
"""Runs the README's "Browsing results" commands exactly as a user types them.

From the repository root, with the default flags: first the run those commands look at
(`herdsim run scenarios/w18-holiday-dead.json`, which the README's main job also runs), then each
command of the section's sh block as written (only `./build/release/sim/herdsim` is replaced by
--herdsim, the binary under test). `herdsim results` must print its address, serve the runs list
and the run's page on it, and end on Ctrl-C (SIGINT) with exit code 0; `herdsim draw` must exit 0
and draw messages.svg with only the lanes it names. The checks are tried where they must fail too:
a draw of a folder that is not a run exits 2.

  tests/pages/readme_browse.py --herdsim build/release/sim/herdsim

Exit 0 when every check holds, 1 naming each one that does not, 77 when port 8080 is taken by
another program (the command as typed cannot run here), 2 when it cannot run.
"""
import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET

from checklist import check, outcome

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPED_BINARY = "./build/release/sim/herdsim"
SKIP = 77


def readme_commands():
    text = open(os.path.join(ROOT, "README.md")).read()
    section = re.search(r"\n## Browsing results\n(.*?)\n## ", text, re.S)
    block = re.search(r"```sh\n(.*?)```", section.group(1), re.S) if section else None
    if block is None:
        sys.exit("readme_browse.py: README.md has no sh block under \"## Browsing results\"")
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def port_taken(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as reply:
        return reply.status, reply.read().decode("utf-8", "replace")


def serve_and_look(argv, run_id):
    server = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = server.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:8080/", said)
        check(address is not None, "herdsim results says it serves http://127.0.0.1:8080/: " + repr(said))
        if address is None:
            return
        # A browser's speculative connection that sends nothing must not hold up the next request.
        idle = socket.create_connection(("127.0.0.1", 8080))
        try:
            status, page = fetch(address.group(0))
        except OSError as e:
            status, page = None, str(e)
        idle.close()
        check(status == 200 and "w18-holiday-dead" in page, "with an idle connection open, the runs list names w18-holiday-dead")
        check(re.search(r">(PASS|FAIL|UNCHECKED)</span>", page) is not None, "the runs list shows a verdict")
        status, page = fetch(address.group(0) + "w18-holiday-dead/%s/" % run_id)
        check(status == 200 and 'id="verdict"' in page, "the run's page shows its verdict")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
        check(code == 0, "herdsim results ends on Ctrl-C with exit code 0 (%s)" % code)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herdsim", required=True)
    args = parser.parse_args()
    herdsim = os.path.abspath(args.herdsim)
    commands = readme_commands()
    check(len(commands) == 2, "the section shows two commands: %s" % commands)

    ran = subprocess.run([herdsim, "run", "scenarios/w18-holiday-dead.json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    if ran.returncode != 0:
        print(ran.stdout + ran.stderr)
        print("readme_browse.py: the run the commands look at did not pass (exit %d)" % ran.returncode)
        return 2
    run_id = os.readlink(os.path.join(ROOT, "results", "w18-holiday-dead", "latest"))

    for command in commands:
        argv = shlex.split(command)
        check(argv[0] == TYPED_BINARY, "the command starts with %s: %s" % (TYPED_BINARY, command))
        argv[0] = herdsim
        if argv[1] == "results":
            if port_taken(8080):
                print("readme_browse.py: port 8080 is taken by another program; `%s` cannot run here" % command)
                return SKIP
            serve_and_look(argv, run_id)
        elif argv[1] == "draw":
            svg = os.path.join(ROOT, argv[2], "messages.svg")
            os.remove(svg)
            drew = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
            check(drew.returncode == 0, "`%s` exits 0 (%d): %s" % (command, drew.returncode, drew.stderr.strip()))
            check("messages.svg" in drew.stdout and os.path.exists(svg), "it draws messages.svg: " + repr(drew.stdout))
            if os.path.exists(svg):
                root = ET.parse(svg).getroot()
                lanes = [line.get("data-node") for line in root.iter("{http://www.w3.org/2000/svg}line")
                         if line.get("class") == "lane"]
                named = argv[argv.index("--nodes") + 1].split(",")
                check(lanes == named, "messages.svg has the lanes named, no others: %s" % lanes)
                arrows = [e for e in root.iter() if (e.get("class") or "").startswith("msg")]
                check(len(arrows) > 0, "messages.svg draws messages in the window (%d)" % len(arrows))
        else:
            check(False, "a command this test does not know how to check: " + command)

    not_a_run = subprocess.run([herdsim, "draw", "results"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    check(not_a_run.returncode == 2, "draw of a folder that is not a run exits 2 (%d)" % not_a_run.returncode)

    return outcome()


if __name__ == "__main__":
    sys.exit(main())
