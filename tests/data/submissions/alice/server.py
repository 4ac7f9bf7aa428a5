"""A submission for `herdsim grade --submissions`: the course-style fixture herd, as it is."""
import os
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "course_herd" / "server.py"
os.execv(sys.executable, [sys.executable, str(FIXTURE), *sys.argv[1:]])
