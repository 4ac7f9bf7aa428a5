"""herdsim grade names exactly a fixture herd's defects, and no others (docs/grade.md).

    defects.py HERDSIM OUT_DIR STYLE [DEFECT]

Grades tests/fixtures/course_herd/server.py (the w22 herd, hard-coded as the course teaches) in
client STYLE with DEFECT (none: the reference herd; late-flood: the reference herd flooding each
update 300 ms late, as on a loaded machine, which loses no point), then checks results.json: the tests that
failed are exactly those DEFECT and STYLE must fail, the course score is full exactly when no
course test must fail, the exit code says so, the last line printed is "course S/M  extras S/M",
every test's name begins "course: " or "extra: ", junit.xml fails the same tests, and report.html
is one page with no script, style sheet or picture of its own and shows the scores, a timeline with
every check and the stops, kills and the pause as bands, and why there is no flood diagram. Exit 0
if all holds, 1 if not.
"""
import json
import re
import xml.etree.ElementTree as ElementTree
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "course_herd" / "server.py"
FIXTURE_ARGS = {"none": "", "late-flood": " --flood-delay-ms 300"}
WHATSAT = re.compile(r"^(course|extra): Test (1|2 [^:]*): WHATSAT at (\w+):")


def must_fail(name, style, defect):
    """Whether the test `name` fails against a herd in `style` with `defect`."""
    if "on one connection, without a half-close" in name:  # a persistent client's framing
        return style != "persistent" or defect == "no-newline"
    if name.startswith("extra: faults: "):  # each asks other servers whether an update reached them
        return defect == "no-flood" or (defect == "serial-flood" and "paused (SIGSTOP)" in name)
    if defect == "no-flood":
        m = WHATSAT.match(name)
        return bool(m) and (m[2] != "1" or m[3] != "Juzang")  # only Test 1's origin knows without a flood
    if defect == "no-newline":
        return "byte for byte" in name
    if defect == "short-diff":
        return "IAMAT at" in name and "byte for byte" in name
    if defect == "json-indent-2":
        return "WHATSAT at" in name and "byte for byte" in name
    if defect == "bad-invalid":
        return "with \"? \" and the line" in name or (" answers \"" in name and "byte for byte" in name)
    return False


def main():
    herdsim, out, style = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    defect = sys.argv[4] if len(sys.argv) > 4 else "none"
    command = f"python3 {FIXTURE} {{name}} --style {style}" + (FIXTURE_ARGS[defect] if defect in FIXTURE_ARGS else f" --defect {defect}")
    folder = out / f"{style}-{defect}"
    done = subprocess.run([herdsim, "grade", "--server", command, "--out", str(folder)], capture_output=True, text=True)
    print(done.stdout[-6000:], done.stderr[-3000:])
    results = json.loads((folder / "results.json").read_text())
    problems = []
    tests = results["tests"]
    for t in tests:
        if not t["name"].startswith(("course: ", "extra: ")):
            problems.append(f"a test named neither course nor extra: {t['name']}")
        failed, expected = t["status"] == "failed", must_fail(t["name"], style, defect)
        if failed != expected:
            problems.append(f"{'failed' if failed else 'passed'} but should have {'failed' if expected else 'passed'}: "
                            f"{t['name']}: {t['output']}")
        for key in ("name", "score", "max_score", "status", "output"):
            if key not in t:
                problems.append(f"{t.get('name')}: no {key}")
    course_lost = any(t["name"].startswith("course: ") and must_fail(t["name"], style, defect) for t in tests)
    if done.returncode != (1 if course_lost else 0):
        problems.append(f"exit code {done.returncode}, expected {1 if course_lost else 0}")
    last = done.stdout.rstrip("\n").split("\n")[-1]
    if not re.fullmatch(r"course [0-9.]+/[0-9.]+  extras [0-9.]+/[0-9.]+", last):
        problems.append(f"last line {last!r}")
    # junit.xml: one test case per check, a failure for each failed one; report.html stands alone.
    cases = ElementTree.parse(folder / "junit.xml").getroot().iter("testcase")
    junit_failed = {c.get("name") for c in cases if c.find("failure") is not None}
    if junit_failed != {t["name"] for t in tests if t["status"] == "failed"}:
        problems.append("junit.xml's failures are not results.json's")
    page = (folder / "report.html").read_text()
    if re.search(r"<script|<link|src=|href=", page) or last not in page.replace("</b> &nbsp; ", "  ").replace("<b>", ""):
        problems.append("report.html is not one self-contained page with the scores")
    # The timeline: a track per server, the stops and faults as bands, every check; no flood diagram.
    bands = re.findall(r'<rect class="fault"[^>]*><title>[^<]*(crash|pause) (\w+)', page)
    if "<svg" not in page or not any(kind == "crash" for kind, _ in bands) or not any(kind == "pause" for kind, _ in bands):
        problems.append(f"report.html has no timeline with the stops and the pause as bands: {bands[:3]}")
    checks_drawn = page.count('class="mark check"')
    if checks_drawn != len(tests):
        problems.append(f"report.html's timeline shows {checks_drawn} checks, not {len(tests)}")
    if "links not relayed: no diagram" not in page:
        problems.append("report.html does not say why there is no flood diagram")
    # A flood that is late is waited for, and the output says when it came; one that never came is
    # waited for once, 20 s, and later checks say they were not asked again.
    firsts = [t["output"] for t in tests if WHATSAT.match(t["name"]) and t["name"].endswith(": first line")]
    if defect == "late-flood" and not any(re.match(r"the flood came late: \w+ knew it at ask [0-9]+, ", o) for o in firsts):
        problems.append("no WHATSAT says the flood came late")
    if defect == "no-flood" and (sum(" (asked " in o for o in firsts) != 1 or not any("(not asked again: an earlier update "
                                                                                   "never reached" in o for o in firsts)):
        problems.append("a flood that never came was not waited for exactly once")
    failed_count = sum(t["status"] == "failed" for t in tests)
    print(f"{style} {defect}: {len(tests)} tests, {failed_count} failed; {last}")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
