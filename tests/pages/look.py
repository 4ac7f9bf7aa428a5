#!/usr/bin/env python3
"""Looks at a run's pictures and pages as a person would, with the tools a user has.

A real `herdsim run` of a small herd whose flood is known line by line (one link delayed, one cut,
so one line is dropped), then `herdsim results` serving the folder on 127.0.0.1, then headless
Chromium loading every page (no console error, no resource that fails to load, the verdict shown)
and taking screenshots, Python's XML parser reading messages.svg (it parses; an arrowhead only on
the lane that received; a dropped line ends in a cross by its sender) and the PNGs' own headers
(sizes within bounds). The checks are tried on a page with a broken script and a missing image
too, and must catch them.

  tests/pages/look.py --herdsim build/release/sim/herdsim [--chromium chromium] [--keep DIR]

Exit 0 when every check holds, 1 naming each one that does not, 2 when it cannot run.
"""
import argparse
import html
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from checklist import check, outcome

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

SCENARIO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "scenarios", "triangle.json")

SVG = "{http://www.w3.org/2000/svg}"


class Chromium:
    def __init__(self, program, scratch):
        self.program = program
        self.scratch = scratch
        self.runs = 0

    def run(self, url, *extra):
        """Loads `url` in a new empty profile; returns (stdout, console messages)."""
        self.runs += 1
        profile = os.path.join(self.scratch, "profile-%d" % self.runs)
        os.makedirs(profile)
        done = subprocess.run([self.program] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile,
                              "--enable-logging=stderr", "--v=0"] + list(extra) + [url],
                              capture_output=True, text=True, timeout=120)
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        return done.stdout, console

    def dom(self, url):
        return self.run(url, "--dump-dom")

    def screenshot(self, url, path, width, height):
        return self.run(url, "--screenshot=" + path, "--window-size=%d,%d" % (width, height), "--hide-scrollbars")


def broken_links(page_url, dom):
    """Every image, object and link of a page fetched: those that do not answer 200."""
    broken = []
    for target in sorted(set(re.findall(r'(?:src|data|href)="([^"#]+)"', dom))):
        url = urllib.parse.urljoin(page_url, html.unescape(target))
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                if answer.status != 200:
                    broken.append("%s (%d)" % (target, answer.status))
        except urllib.error.HTTPError as e:
            broken.append("%s (%d)" % (target, e.code))
    return broken


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def svg_checks(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, "messages.svg parses as XML: %s" % e)
        return
    check(True, "messages.svg parses as XML")
    lanes = {e.get("data-node"): float(e.get("x1")) for e in root.iter(SVG + "line") if e.get("class") == "lane"}
    check(sorted(lanes) == ["N0", "N1", "N2"], "messages.svg has a lane per node: %s" % sorted(lanes))
    gap = min(abs(a - b) for a in lanes.values() for b in lanes.values() if a != b)
    heads, dropped = 0, 0
    for e in root.iter():
        cls = e.get("class") or ""
        if not cls.startswith("msg "):
            continue
        to = e.get("data-to")
        if e.tag == SVG + "line":
            heads += 1
            check(e.get("marker-end") is not None and abs(float(e.get("x2")) - lanes[to]) < 0.5,
                  "the arrow %s -> %s has its head on %s's lane" % (e.get("data-from"), to, to))
        else:
            dropped += 1
            stub = e.find(SVG + "line")
            x1, x2 = float(stub.get("x1")), float(stub.get("x2"))
            check(stub.get("marker-end") is None and e.find(SVG + "path") is not None,
                  "the dropped line %s -> %s has no arrowhead and ends in a cross" % (e.get("data-from"), to))
            check(all(abs(x2 - x) > gap / 2 for n, x in lanes.items() if n != e.get("data-from")) and abs(x2 - x1) < gap / 2,
                  "the dropped line stays on its sender's side, near no other lane")
    check(heads == 3 and dropped == 1, "messages.svg: 3 delivered arrows and 1 dropped line (%d, %d)" % (heads, dropped))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herdsim", required=True)
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--keep", help="leave the results and screenshots in this folder")
    args = parser.parse_args()
    if shutil.which(args.chromium) is None:
        print("look.py: %s not found (scripts/install-deps.sh installs chromium)" % args.chromium, file=sys.stderr)
        return 2
    scratch = args.keep or tempfile.mkdtemp(prefix="herdsim-look-")
    os.makedirs(scratch, exist_ok=True)
    server = None
    try:
        results = os.path.join(scratch, "results")
        ran = subprocess.run([args.herdsim, "run", SCENARIO, "--out", results], capture_output=True, text=True, timeout=300)
        check(ran.returncode == 0, "herdsim run exits 0" + ("" if ran.returncode == 0 else "\n" + ran.stdout + ran.stderr))
        run_id = os.readlink(os.path.join(results, "triangle", "latest"))
        run_dir = os.path.join(results, "triangle", run_id)

        for stem in ["latency_per_node", "coverage_cdf", "throughput", "rolling_quantiles"]:
            size = png_size(os.path.join(run_dir, stem + ".png"))
            check(size == (1400, 800), "%s.png is a 1400 x 800 PNG (%s)" % (stem, size))
        svg_checks(os.path.join(run_dir, "messages.svg"))
        svg_height = int(float(ET.parse(os.path.join(run_dir, "messages.svg")).getroot().get("height")))
        check(0 < svg_height <= 16000, "messages.svg is at most 16000 px tall (%d)" % svg_height)

        server = subprocess.Popen([args.herdsim, "results", results, "--port", "0"], stdout=subprocess.PIPE, text=True)
        said = server.stdout.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", said)
        check(port is not None, "herdsim results says where it serves: " + said.strip())
        if port is None:
            return 1
        base = "http://127.0.0.1:%s/" % port.group(1)
        chromium = Chromium(args.chromium, scratch)

        pages = [("results/index.html", base, ">PASS</span>"),
                 ("the run's index.html", base + "triangle/%s/" % run_id, 'id="verdict">PASS</span>'),
                 ("timeline.html", base + "triangle/%s/timeline.html" % run_id, 'class="track node"'),
                 ("messages.svg", base + "triangle/%s/messages.svg" % run_id, 'class="msg dropped"')]
        for name, url, shown in pages:
            dom, console = chromium.dom(url)
            check(not console, "%s loads in Chromium without a console message %s" % (name, console))
            check(shown in dom, "%s shows %s" % (name, shown))
            broken = broken_links(url, dom)
            check(not broken, "every image, object and link of %s loads %s" % (name, broken))
        for name, url, width in [("results", base, 1400), ("run", base + "triangle/%s/" % run_id, 1400),
                                 ("timeline", base + "triangle/%s/timeline.html" % run_id, 1700),
                                 ("messages", base + "triangle/%s/messages.svg" % run_id, 1000)]:
            shot = os.path.join(scratch, "screenshot-%s.png" % name)
            chromium.screenshot(url, shot, width, 1000)
            size = png_size(shot) if os.path.exists(shot) else None
            check(size == (width, 1000), "Chromium's screenshot of %s is %s (%s)" % (name, (width, 1000), size))

        # The checks can fail: a broken script and a missing image are caught.
        bad = os.path.join(results, "broken.html")
        with open(bad, "w") as f:
            f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head>'
                    '<body><img src="missing.png"><script>nosuch();</script></body></html>\n')
        dom, console = chromium.dom(base + "broken.html")
        check(len(console) == 1, "a page with a broken script shows a console message (%d)" % len(console))
        check(broken_links(base + "broken.html", dom) == ["missing.png (404)"], "a page's missing image is found")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return outcome()


if __name__ == "__main__":
    sys.exit(main())
