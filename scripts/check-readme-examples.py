#!/usr/bin/env python3
"""Fails when a README example has drifted from the file the tests run.

A fenced block preceded by `<!-- example: PATH -->` must appear in PATH line
for line (indentation aside), so every example a reader copies is one a test
builds and runs.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
readme = (root / "README.md").read_text(encoding="utf-8")
pattern = re.compile(r"<!-- example: (\S+) -->\s*\n```[^\n]*\n(.*?)\n```", re.S)


def lines(text):
    return [l.strip() for l in text.splitlines() if l.strip()]


failures, checked = [], 0
for path, block in pattern.findall(readme):
    checked += 1
    source = root / path
    if not source.exists():
        failures.append(f"{path}: file missing")
        continue
    want, have = lines(block), lines(source.read_text(encoding="utf-8"))
    found = any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))
    if not found:
        failures.append(f"{path}: the README block is not in the file")
for f in failures:
    print("README example drift:", f, file=sys.stderr)
print(f"README examples: {checked} checked, {len(failures)} drifted")
sys.exit(1 if failures or checked == 0 else 0)
