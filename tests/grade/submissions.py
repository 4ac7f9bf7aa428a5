"""herdsim grade --submissions DIR --jobs 2: every folder graded at once, one CSV, the worst exit code.

    submissions.py HERDSIM SUBMISSIONS_DIR OUT_DIR

The two submissions hard-code the same w22 ports; each is graded in a network namespace of its
own, so both get their real scores. Exit 0 if the CSV holds alice's full marks and bob's 35/85
and herdsim exited 1, else 1."""
import csv
import subprocess
import sys
from pathlib import Path

herdsim, submissions, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
done = subprocess.run([herdsim, "grade", "--server", "python3 server.py {name}", "--submissions", submissions,
                       "--jobs", "2", "--out", str(out)], capture_output=True, text=True)
print(done.stdout, done.stderr)
rows = {row["submission"]: row for row in csv.DictReader((out / "scores.csv").open())}
print(rows)
ok = (done.returncode == 1 and rows["alice"]["course"] == "85" and rows["alice"]["exit"] == "0"
      and rows["bob"]["course"] == "35" and rows["bob"]["course_max"] == "85" and rows["bob"]["exit"] == "1"
      and (out / "alice" / "report.html").is_file() and (out / "bob" / "results.json").is_file())
sys.exit(0 if ok else 1)
