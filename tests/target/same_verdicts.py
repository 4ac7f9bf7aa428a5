#!/usr/bin/env python3
"""Plays one scenario in herdsim's own process and against a target, and checks that every
expectation got the same verdict in both, and that both saw the same number of updates and of lost
updates: the target is observed and judged exactly as the herd in-process.

    same_verdicts.py HERDSIM TARGET OUT SCENARIO

Exit 0 when they agree (whatever the verdicts are), 1 when they differ, 2 when a run could not be
made. A run that came back UNCHECKED (nothing judged) is made again, up to 3 times. Prints both
verdict lists.
"""
import json
import subprocess
import sys


def verdicts(herdsim, scenario, out, *extra):
    run = subprocess.run([herdsim, "run", scenario, "--json", "--out", out, *extra],
                         capture_output=True, text=True, timeout=300)
    if run.returncode == 2:
        sys.stderr.write(run.stderr)
        sys.exit(2)
    [summary] = json.loads(run.stdout)
    counts = {"updates": summary["updates"], "lost": summary["lost"]}
    return summary["verdict"], [(v["step"], v["passed"], v["description"]) for v in summary["verdicts"]], counts


# An UNCHECKED run judged nothing (it fell behind on a busy machine, say): there is nothing to compare,
# so it is made again, a few times at most.
ATTEMPTS = 3


def judged(herdsim, scenario, out, *extra):
    for _ in range(ATTEMPTS):
        result = verdicts(herdsim, scenario, out, *extra)
        if result[0] != "unchecked":
            return result
        print(f"{' '.join(extra) or 'in-process'}: UNCHECKED, run again", flush=True)
    return result


def main():
    herdsim, target, out, scenario = sys.argv[1:5]
    here = judged(herdsim, scenario, out)
    there = judged(herdsim, scenario, out, "--target", target)
    for name, (verdict, steps, counts) in (("in-process", here), ("target", there)):
        print(f"{name}: {verdict.upper()}, {counts['updates']} updates, {counts['lost']} lost")
        for step, passed, description in steps:
            print(f"  steps[{step}] {'held' if passed else 'FAILED'}: {description}")
    if [(s, p) for s, p, _ in here[1]] != [(s, p) for s, p, _ in there[1]] or here[0] != there[0]:
        print("the verdicts differ")
        return 1
    if here[2] != there[2]:
        print("the counts differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
