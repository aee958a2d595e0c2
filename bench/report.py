#!/usr/bin/env python3
"""Turns the oha results of bench/run.sh into the table of docs/PERFORMANCE.md.

usage: report.py RESULTS_DIR DB_KIND SECONDS "SCALES" PERFORMANCE_MD
The table replaces what is between this database's bench markers of
PERFORMANCE_MD (one section for SQLite, one for PostgreSQL).
"""
import datetime
import json
import os
import platform
import sys

results, db_kind, secs, scales, doc = sys.argv[1:6]
scales = scales.split()

PAGES = [
    ("home", "`/`"),
    ("district", "`/districts/tonglu`"),
    ("workshops_filtered", "`/workshops?district=tonglu&category=farming&hiring=1`"),
    ("workshops_search", "`/workshops?q=蜜梨`"),
    ("wall", "`/wishes`"),
    ("wish", "`/wishes/{id}`"),
    ("post_wish", "`POST /wishes` (each its own text)"),
    ("stylesheet", "stylesheet (the ceiling)"),
]
EXPECTED = {"post_wish": "303"}


def load(name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def errors(run, name):
    """Requests that failed or answered anything but the expected status."""
    expected = EXPECTED.get(name, "200")
    codes = run.get("statusCodeDistribution", {})
    wrong = sum(n for code, n in codes.items() if code != expected)
    failed = sum(run.get("errorDistribution", {}).values())
    return wrong + failed


def ms(seconds):
    return seconds * 1000.0


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}"


lines = []
out = lines.append
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
command = "bash bench/run.sh" if db_kind == "sqlite" else "BENCH_DB=postgres bash bench/run.sh"
out(f"Run of {now} on {db_kind}: `{command}` (oha on the same machine, {secs} s per measurement).")
out("")
out(f"Machine: {machine()}.")
out("")
seeds = []
for scale in scales:
    try:
        with open(os.path.join(results, f"seed-{scale}.secs")) as f:
            seeds.append(f"{scale} {int(f.read())} s")
    except OSError:
        pass
if seeds:
    out("Dataset generation (`linli seed --scale …`, release build): " + ", ".join(seeds) + ".")
    out("")

verdicts = []
if "medium" in scales:
    css = load("medium.stylesheet.saturation")
    css_rps = css["summary"]["requestsPerSec"] if css else None
    out("#### Medium dataset (2,000 workshops, 20,000 wishes at 200 stations, 2,000 volunteers)")
    out("")
    out("| Page | req/s, 64 connections | share of the stylesheet's | p50 / p99 at 2,000 req/s | errors | target |")
    out("|---|---:|---:|---:|---:|---|")
    for name, label in PAGES:
        sat = load(f"medium.{name}.saturation")
        rate = load(f"medium.{name}.rate")
        if not sat or not rate:
            continue
        rps = sat["summary"]["requestsPerSec"]
        share = rps / css_rps * 100 if css_rps else 0
        lat = rate["latencyPercentiles"]
        p50, p99 = ms(lat["p50"] or 0), ms(lat["p99"] or 0)
        errs = errors(sat, name) + errors(rate, name)
        if name == "stylesheet":
            target, ok = "ceiling", True
        elif name == "post_wish":
            ok = rps >= 2000 and errs == 0
            target = "≥ 2,000/s, no errors"
        else:
            ok = share >= 15 and p99 <= 10 and errs == 0
            target = "≥ 15 %, p99 ≤ 10 ms, no errors"
        verdicts.append((f"medium {name}", ok))
        out(f"| {label} | {rps:,.0f} | {share:.0f} % | {p50:.2f} / {p99:.2f} ms | {errs} | "
            f"{'met' if ok else '**missed**'} ({target}) |")
    out("")

if "medium" in scales and "large" in scales:
    out("#### Large dataset against medium (100,000 workshops, 1,000,000 wishes, 100,000 volunteers)")
    out("")
    out("p50 at 2,000 req/s as served (page cache on), and p50 of the query path alone "
        "(page cache off, 8 connections, closed loop). Target: large within 2× of medium.")
    out("")
    out("| Page | served: medium / large p50 | ratio | query path: medium / large p50 | ratio | target |")
    out("|---|---:|---:|---:|---:|---|")
    for name, label in PAGES:
        if name not in ("wall", "workshops_filtered", "workshops_search"):
            continue
        m, l = load(f"medium.{name}.rate"), load(f"large.{name}.rate")
        mu, lu = load(f"medium.{name}.uncached"), load(f"large.{name}.uncached")
        if not (m and l and mu and lu):
            continue
        mp, lp = ms(m["latencyPercentiles"]["p50"]), ms(l["latencyPercentiles"]["p50"])
        mup, lup = ms(mu["latencyPercentiles"]["p50"]), ms(lu["latencyPercentiles"]["p50"])
        r, ru = lp / mp, lup / mup
        ok = r <= 2 and ru <= 2
        verdicts.append((f"large {name}", ok))
        out(f"| {label} | {mp:.2f} / {lp:.2f} ms | {r:.2f}× | {mup:.2f} / {lup:.2f} ms | {ru:.2f}× | "
            f"{'met' if ok else '**missed**'} |")
    out("")

mems = []
for scale in scales:
    try:
        with open(os.path.join(results, f"{scale}.memory_kb")) as f:
            kb = int(f.read().strip())
            mems.append((scale, kb / 1024))
    except (OSError, ValueError):
        pass
if mems:
    peak = max(mb for _, mb in mems)
    verdicts.append(("memory", peak < 100))
    out("Server peak memory (VmHWM) during the run: "
        + ", ".join(f"{scale} {mb:.0f} MB" for scale, mb in mems)
        + f" — target under 100 MB: {'met' if peak < 100 else '**missed**'}.")
    out("")
missed = [name for name, ok in verdicts if not ok]
out("Targets missed in this run: " + (", ".join(missed) if missed else "none") + ".")

table = "\n".join(lines)
print(table)
START, END = f"<!-- bench:{db_kind}:start -->", f"<!-- bench:{db_kind}:end -->"
with open(doc) as f:
    text = f.read()
if START in text and END in text:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    text = f"{head}{START}\n{table}\n{END}{tail}"
else:
    text = f"{text.rstrip()}\n\n{START}\n{table}\n{END}\n"
with open(doc, "w") as f:
    f.write(text)
