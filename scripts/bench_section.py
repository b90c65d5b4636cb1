#!/usr/bin/env python3
"""Replaces the section NAME of a Markdown file (between marker comments)
with standard input, appending the section if it is not there yet."""
import sys

path, name = sys.argv[1], sys.argv[2]
begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
body = sys.stdin.read().rstrip("\n")
try:
    text = open(path, encoding="utf-8").read()
except FileNotFoundError:
    text = ""
block = f"{begin}\n{body}\n{end}"
if begin in text and end in text:
    text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
