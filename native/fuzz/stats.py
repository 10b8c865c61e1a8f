#!/usr/bin/env python3
"""Sums the fuzzing runs recorded in native/fuzz/build/logs/: executions and
wall time per harness, and the corpus sizes now.

    python3 native/fuzz/stats.py
"""
import glob, os, re, datetime

here = os.path.dirname(os.path.abspath(__file__))
tot = {}
for log in sorted(glob.glob(os.path.join(here, "build/logs/*.log"))):
    name = os.path.basename(log)
    harness, stamp = name[:-4].split("-", 1)
    text = open(log, errors="replace").read()
    execs = [int(m) for m in re.findall(r"^#(\d+)\s", text, re.M)]
    n = max(execs) if execs else 0
    m = re.search(r"Done (\d+) runs in (\d+) second", text)
    start = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S").timestamp()
    secs = int(m.group(2)) if m else int(os.path.getmtime(log) - start)
    if m:
        n = max(n, int(m.group(1)))
    crashed = bool(re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error|deadly signal", text))
    t = tot.setdefault(harness, [0, 0, 0, 0])
    t[0] += n; t[1] += secs; t[2] += 1; t[3] += crashed
    print(f"{name:40s} {n:>12,d} execs {secs:>6d} s{'  FINDING' if crashed else ''}")
for h, (n, secs, runs, crashes) in tot.items():
    files = glob.glob(os.path.join(here, "corpus", h, "*"))
    size = sum(os.path.getsize(f) for f in files)
    print(f"{h}: {runs} runs, {n:,d} execs, {secs/3600:.2f} h wall, {crashes} with a finding; "
          f"corpus {len(files)} inputs, {size/1024/1024:.1f} MiB")
