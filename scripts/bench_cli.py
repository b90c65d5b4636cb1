#!/usr/bin/env python3
"""The command line's allocators side by side: two builds of `ghpkg` (named
on the command line, e.g. with mimalloc and with the system allocator) list
the 10,000 packages of one org as JSON, in turns, against one emulator.

Prints a Markdown table of medians: wall time, CPU (user + system of the
child, from wait4) and peak resident memory. Every listing is checked: exit
status 0 and 10,000 distinct packages in the output. Not part of the tests.

The peak memory comes from GNU time (`/usr/bin/time`, Debian's `time`), which
starts the listing: a process started straight from this script inherits
the script's own peak (Linux keeps the larger of the two across exec), which
is larger than the listing's once an output has been parsed here.

  bench_cli.py --emulator PATH [--rounds N] NAME=BINARY NAME=BINARY
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOKEN = "ghp_benchCommandLineAllocator00000000000"
PACKAGES = 10_000


def fixture(n):
    return {
        "users": [{"login": "octocat", "id": 1}],
        "orgs": [{"login": "big", "id": 7, "admins": ["octocat"]}],
        "tokens": [
            {
                "token": TOKEN,
                "user": "octocat",
                "kind": "classic",
                "scopes": ["read:packages"],
                "rate_limit": 100_000_000,
            }
        ],
        "generated": [
            {"owner": "big", "package_type": "container", "count": n, "visibility": "public"}
        ],
    }


TIME = "/usr/bin/time"


def list_once(binary, url, out_path):
    """One listing: (wall s, CPU s, peak RSS KiB), after checking it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    env["GITHUB_TOKEN"] = TOKEN
    peak_path = out_path + ".peak"
    args = [TIME, "-f", "%M", "-o", peak_path]
    args += [binary, "--base-url", url, "packages", "list", "--org", "big"]
    args += ["--type", "container", "--format", "json"]
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=env)
        stderr = child.stderr.read().decode(errors="replace")
        # wait4, not Popen.wait: it gives the CPU time of the child (time)
        # and of the listing it waited for.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = code = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if code != 0:
        sys.exit(f"{binary} exited {code}: {stderr}")
    with open(out_path, encoding="utf-8") as f:
        listed = json.load(f)
    names = {p["name"] for p in listed}
    if len(listed) != PACKAGES or len(names) != PACKAGES:
        sys.exit(f"{binary} listed {len(listed)} packages ({len(names)} distinct)")
    with open(peak_path, encoding="utf-8") as f:
        peak_kib = int(f.read().split()[-1])
    return wall, usage.ru_utime + usage.ru_stime, peak_kib


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("builds", nargs=2, metavar="NAME=BINARY")
    a = ap.parse_args()
    if not os.access(TIME, os.X_OK):
        sys.exit(f"{TIME} is needed for the peak memory (Debian: apt-get install time)")
    builds = [b.split("=", 1) for b in a.builds]

    with tempfile.TemporaryDirectory() as tmp:
        fixture_path = os.path.join(tmp, "fixture.json")
        with open(fixture_path, "w", encoding="utf-8") as f:
            json.dump(fixture(PACKAGES), f)
        emu = subprocess.Popen(
            [a.emulator, "--fixture", fixture_path, "--latency-ms", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = json.loads(emu.stdout.readline())["url"]
            out_path = os.path.join(tmp, "out.json")
            runs = {name: [] for name, _ in builds}
            for name, binary in builds:  # untimed: the emulator's caches warm up
                list_once(binary, url, out_path)
            for r in range(a.rounds):
                order = builds if r % 2 == 0 else builds[::-1]
                for name, binary in order:
                    runs[name].append(list_once(binary, url, out_path))
                print(f"bench: round {r + 1}/{a.rounds}", file=sys.stderr)
        finally:
            emu.terminate()
            emu.wait()

    def med(name, i):
        return statistics.median(run[i] for run in runs[name])

    (first, _), (second, _) = builds
    print(f"`ghpkg packages list --format json`, 10,000 packages, no added latency; "
          f"median of {a.rounds} runs each, in turns.")
    print()
    print(f"| | {first} | {second} | {first} vs {second} |")
    print("|---|---|---|---|")
    for label, i in (("wall time", 0), ("CPU (user + system)", 1)):
        x, y = med(first, i) * 1000, med(second, i) * 1000
        print(f"| {label} | {x:.0f} ms | {y:.0f} ms | {y / x:.2f}x less |")
    x, y = med(first, 2) / 1024, med(second, 2) / 1024
    print(f"| peak resident memory | {x:.0f} MiB | {y:.0f} MiB | {x / y:.2f}x as much |")


if __name__ == "__main__":
    main()
