"""Runs one command and prints its cost as JSON: CPU seconds (user, system) from the kernel's resource
usage of that process tree (os.wait4, microsecond resolution), wall seconds, peak memory (KiB).
Usage: python3 bench/measure.py <command> [args...]   (its output goes to /dev/null)"""

import json
import os
import subprocess
import sys
import time

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
stderr = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
print(json.dumps({"user": usage.ru_utime, "sys": usage.ru_stime, "wall": wall, "maxrss_kib": usage.ru_maxrss, "status": os.waitstatus_to_exitcode(status), "stderr": stderr[-2000:]}))
