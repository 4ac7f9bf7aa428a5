"""herdsim grade relays the links of a herd whose servers read {config} (docs/grade.md).

    relayed.py HERDSIM OUT_DIR

Grades tests/fixtures/course_herd/server.py given `--config {config}` (it then takes its ports and
links from the config): full course marks, the link-cut extra passed, and report.html draws the
flood diagram, every arrow on a link of the herd. Then the same server with `{config}` in a shell
comment (given, never read: it connects to the hard-coded ports): the link-cut extra fails, saying
that no flood line came through the relays, and report.html says why there is no diagram. Exit 0
if all holds, 1 if not.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "course_herd" / "server.py"
W22_LINKS = {frozenset(link) for link in [("Clark", "Jaquez"), ("Clark", "Juzang"), ("Bernard", "Juzang"),
                                          ("Bernard", "Jaquez"), ("Bernard", "Johnson"), ("Juzang", "Johnson")]}
CUT = re.compile(r"^extra: faults: the link \w+-\w+ cut: ")


def grade(herdsim, out, command):
    done = subprocess.run([herdsim, "grade", "--server", command, "--out", str(out)], capture_output=True, text=True)
    print(done.stdout[-4000:], done.stderr[-2000:])
    tests = json.loads((out / "results.json").read_text())["tests"]
    cut = [t for t in tests if CUT.match(t["name"])]
    return done, cut, (out / "report.html").read_text()


def main():
    herdsim, out = sys.argv[1], Path(sys.argv[2])
    problems = []
    done, cut, page = grade(herdsim, out / "relayed", f"python3 {FIXTURE} {{name}} --config {{config}}")
    if done.returncode != 0 or not done.stdout.rstrip().endswith("course 85/85  extras 27/27"):
        problems.append(f"relayed: exit {done.returncode}, last line {done.stdout.rstrip().splitlines()[-1:]}")
    if len(cut) != 1 or cut[0]["status"] != "passed":
        problems.append(f"relayed: the link-cut extra: {cut}")
    arrows = re.findall(r"<title>update [^<]*\n(\w+) -&gt; (\w+): AT ", page)
    if "<marker id=\"head-stored\"" not in page or not arrows:
        problems.append("relayed: report.html draws no flood diagram")
    if any(frozenset(a) not in W22_LINKS for a in arrows) or {frozenset(a) for a in arrows} != W22_LINKS:
        problems.append(f"relayed: the diagram's arrows are not the herd's links: {sorted(set(arrows))}")
    if "links not relayed" in page or "<?xml" in page:
        problems.append("relayed: report.html says the links were not relayed, or embeds an XML prolog")

    done, cut, page = grade(herdsim, out / "unused", f"python3 {FIXTURE} {{name}} # {{config}}")
    if len(cut) != 1 or cut[0]["status"] != "failed" or "no flood line came through herdsim's relays" not in cut[0]["output"]:
        problems.append(f"unused relays: the link-cut extra: {cut}")
    if "links relayed, but no flood line came through them: no diagram" not in page:
        problems.append("unused relays: report.html does not say why there is no diagram")
    if done.returncode != 0:
        problems.append(f"unused relays: exit {done.returncode} (only an extra was lost)")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
