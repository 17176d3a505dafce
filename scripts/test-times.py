#!/usr/bin/env python3
"""Prints each test binary's wall time from nextest's JUnit reports, slowest first, then the
totals as the last line, so that a reader (or CI) sees what really ran.

wall: from the binary's first test starting to its last one ending (its tests may run beside
other binaries' tests); test time: its tests' times added up. Timings are printed, never
asserted (docs/testing.md).
  scripts/test-times.py JUNIT_XML...
"""
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

rows = []
passed = failed = 0
for path in sys.argv[1:]:
    run = ET.parse(path).getroot()
    failed += int(run.get("failures")) + int(run.get("errors"))
    passed += int(run.get("tests")) - int(run.get("failures")) - int(run.get("errors"))
    for suite in run.iter("testsuite"):
        spans = []
        for case in suite.iter("testcase"):
            start = datetime.fromisoformat(case.get("timestamp"))
            spans.append((start, start + timedelta(seconds=float(case.get("time")))))
        if not spans:
            continue
        wall = (max(e for _, e in spans) - min(s for s, _ in spans)).total_seconds()
        total = sum((e - s).total_seconds() for s, e in spans)
        rows.append((wall, total, len(spans), suite.get("name")))

rows.sort(reverse=True)
print(f"{'test binary':<58} {'tests':>5} {'wall s':>8} {'test time s':>12}")
for wall, total, count, name in rows:
    print(f"{name:<58} {count:>5} {wall:>8.1f} {total:>12.1f}")
print(f"{passed} passed, {failed} failed")
