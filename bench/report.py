#!/usr/bin/env python3
"""Turns the results of bench/run.sh into the tables of docs/PERFORMANCE.md.

usage: report.py RESULTS_DIR DB_KIND SECONDS "SCALES" PERFORMANCE_MD WORK_DIR
The tables replace what is between this database's bench markers of
PERFORMANCE_MD (one section for SQLite, one for PostgreSQL).
"""
import datetime
import json
import os
import platform
import sys

results, db_kind, secs, scales, doc, work = sys.argv[1:7]
scales = scales.split()

PAGES = [
    ("home", "`/`"),
    ("districts", "`/districts`"),
    ("district", "`/districts/tonglu`"),
    ("place", "`/places/{id}`"),
    ("station", "`/stations/{id}`"),
    ("workshops_filtered", "`/workshops?district=tonglu&category=farming&hiring=1`"),
    ("workshops_search", "`/workshops?q=蜜梨`"),
    ("workshop", "`/workshops/honey-pear`"),
    ("wall", "`/wishes`"),
    ("wish", "`/wishes/{id}`"),
    ("activities", "`/activities`"),
    ("activity", "`/activities/{id}`"),
    ("stylesheet", "stylesheet (the ceiling)"),
]
LISTINGS = [
    ("wall", "the wall `/wishes`"),
    ("station", "a station `/stations/{id}`"),
    ("workshops_filtered", "filtered workshops"),
    ("workshops_search", "search `蜜梨`"),
    ("wall_signed_in", "the wall, signed in"),
]
SHARE = 15  # per cent of the stylesheet, cache off and signed in


def read_json(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


runs = {}
with open(os.path.join(results, "runs.jsonl")) as f:
    for line in f:
        r = json.loads(line)
        runs[(r["scale"], r["mode"], r["name"])] = r


def run(scale, mode, name):
    return runs.get((scale, mode, name))


def errors(r):
    return r["socket_errors"] + r["bad_status"]


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}"


lines = []
out = lines.append
verdicts = []


def verdict(name, ok):
    verdicts.append((name, ok))
    return "met" if ok else "**missed**"


now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
command = "bash bench/run.sh" if db_kind == "sqlite" else "BENCH_DB=postgres bash bench/run.sh"
out(f"Run of {now} on {db_kind}: `{command}`, {secs} s per measurement. The server has one "
    "worker pinned to core 0; wrk (closed loop), oha (open loop) and the writers run on core 1.")
out("")
if db_kind == "postgres":
    out("PostgreSQL runs on the same machine, not pinned: its work is not in the server's CPU "
        "column, and it shares both cores with the server and the load.")
    out("")
out(f"Machine: {machine()}.")
out("")
seeds = []
for scale in scales:
    try:
        with open(os.path.join(work, scale, "seed.secs")) as f:
            seeds.append(f"{scale} {int(f.read())} s")
    except OSError:
        pass
if seeds:
    out("Dataset generation (`linli seed --scale …`, release build): " + ", ".join(seeds) + ".")
    out("")

if "medium" in scales:
    out("#### Every page, medium dataset (2,000 workshops, 20,000 wishes at 200 stations, 2,000 volunteers)")
    out("")
    out("Requests per second at 32 connections, and in brackets the share of the stylesheet's in "
        "the same server run; CPU is the server's time per request (user + system). Target: "
        f"cache off and signed in at least {SHARE} % of the stylesheet, no errors.")
    out("")
    out("| Page | cached | signed in | cache off | CPU µs/req: cached / signed in / off | errors | target |")
    out("|---|---:|---:|---:|---:|---:|---|")
    css_on = run("medium", "cached", "stylesheet")
    css_off = run("medium", "uncached", "stylesheet")
    for name, label in PAGES:
        c, s, u = (run("medium", m, name) for m in ("cached", "signed_in", "uncached"))
        if not (c and s and u and css_on and css_off):
            continue
        sc = c["rps"] / css_on["rps"] * 100
        ss = s["rps"] / css_on["rps"] * 100
        su = u["rps"] / css_off["rps"] * 100
        errs = errors(c) + errors(s) + errors(u)
        if name == "stylesheet":
            target = "ceiling"
        else:
            target = verdict(f"medium {name}", min(ss, su) >= SHARE and errs == 0)
        out(f"| {label} | {c['rps']:,.0f} ({sc:.0f} %) | {s['rps']:,.0f} ({ss:.0f} %) | "
            f"{u['rps']:,.0f} ({su:.0f} %) | {c['cpu_us']:.0f} / {s['cpu_us']:.0f} / {u['cpu_us']:.0f} | "
            f"{errs} | {target} |")
    out("")

    base, uniq, flooded = (run("medium", m, "hot") for m in ("unique_base", "unique", "flooded"))
    u, fl = read_json("unique.json"), read_json("flooded.json")
    if base and uniq and u and fl and flooded:
        out("#### Unique addresses (medium, page cache on)")
        out("")
        ratio = uniq["rps"] / base["rps"] * 100
        hit = u["hits"] / max(u["hits"] + u["misses"], 1) * 100
        flood = fl["flood"]
        # Every flood request is a new page (a miss); the other misses are
        # the hot pages'.
        hot_misses = max(fl["misses"] - flood["requests"], 0)
        hot_hit = fl["hits"] / max(fl["hits"] + hot_misses, 1) * 100
        out("| Run | requests | req/s | hit rate | target |")
        out("|---|---:|---:|---:|---|")
        out(f"| six hot pages, plain addresses | {base['requests']:,} | {base['rps']:,.0f} | – | – |")
        out(f"| the same, each request its own `utm_bench=…` | {uniq['requests']:,} | {uniq['rps']:,.0f} "
            f"({ratio:.0f} % of plain) | {hit:.2f} % | "
            f"{verdict('unique addresses', uniq['requests'] >= 10000 and ratio >= 90 and hit >= 99)} "
            "(≥ 10,000 requests, ≥ 90 % of the cached rate, hits ≥ 99 %) |")
        out(f"| hot pages beside a flood of {flood['requests']:,} new pages (each its own search) | "
            f"{flooded['requests']:,} | {flooded['rps']:,.0f} | {hot_hit:.2f} % of hot requests | "
            f"{verdict('hot pages under a flood', hot_hit >= 99)} (hot pages stay cached: ≥ 99 %) |")
        out("")

    alone, mixed = run("medium", "mixed_base", "readers"), run("medium", "mixed", "readers")
    w, wr, rate = read_json("writers.json"), read_json("writers_rate.json"), read_json("rate.json")
    if alone and mixed and w and wr and rate:
        out("#### Mixed load (medium, page cache on, six hot pages)")
        out("")
        share = mixed["rps"] / alone["rps"] * 100
        lat = rate["latencyPercentiles"]
        p50, p99 = lat["p50"] * 1000, lat["p99"] * 1000
        codes = rate.get("statusCodeDistribution", {})
        # Requests still in flight when oha's time is up are cut off by oha
        # itself ("aborted due to deadline"), not failed by the server.
        failed = {e: n for e, n in rate.get("errorDistribution", {}).items() if "deadline" not in e}
        rate_errs = sum(n for c, n in codes.items() if c != "200") + sum(failed.values())
        out("| Run | readers | writers | errors | target |")
        out("|---|---:|---|---:|---|")
        out(f"| readers alone, saturation | {alone['rps']:,.0f} req/s | – | {errors(alone)} | – |")
        out(f"| readers beside the writers | {mixed['rps']:,.0f} req/s ({share:.0f} %) | "
            f"{w['posts_per_s']} posts/s, {w['claims_fulfils_per_s']} claims+fulfils/s | "
            f"{errors(mixed) + w['errors']} | "
            f"{verdict('mixed throughput', share >= 50 and errors(mixed) + w['errors'] == 0)} (≥ 50 %, no errors) |")
        out(f"| 1,000 req/s fixed rate beside the writers | p50 {p50:.2f} ms, p99 {p99:.2f} ms | "
            f"{wr['posts_per_s']} posts/s, {wr['claims_fulfils_per_s']} claims+fulfils/s | "
            f"{rate_errs + wr['errors']} | "
            f"{verdict('mixed p99', p99 <= 20 and rate_errs + wr['errors'] == 0)} (p99 ≤ 20 ms, no errors) |")
        out("")

if "medium" in scales and "large" in scales:
    out("#### Large dataset against medium (100,000 workshops, 1,000,000 wishes at 2,000 stations, 100,000 volunteers)")
    out("")
    out("p50 of the listings on one connection (closed loop), page cache off. Target: large at most 2× medium.")
    out("")
    out("| Listing | medium p50 | large p50 | ratio | CPU µs/req medium / large | target |")
    out("|---|---:|---:|---:|---:|---|")
    for name, label in LISTINGS:
        m, l = run("medium", "listing", name), run("large", "listing", name)
        if not (m and l):
            continue
        ratio = l["p50_us"] / max(m["p50_us"], 1)
        out(f"| {label} | {m['p50_us'] / 1000:.2f} ms | {l['p50_us'] / 1000:.2f} ms | {ratio:.2f}× | "
            f"{m['cpu_us']:.0f} / {l['cpu_us']:.0f} | "
            f"{verdict(f'large {name}', ratio <= 2 and errors(l) == 0)} |")
    out("")
    css = run("large", "uncached", "stylesheet")
    if css:
        out("Every page on the large dataset, page cache off (32 connections; share of the stylesheet's):")
        out("")
        out("| Page | cache off | CPU µs/req | errors |")
        out("|---|---:|---:|---:|")
        for name, label in PAGES:
            r = run("large", "uncached", name)
            if r:
                out(f"| {label} | {r['rps']:,.0f} ({r['rps'] / css['rps'] * 100:.0f} %) | "
                    f"{r['cpu_us']:.0f} | {errors(r)} |")
        out("")

try:
    with open(os.path.join(results, "peak_kb")) as f:
        peak = int(f.read()) / 1024
    probe = read_json("probe.json") or {}
    phases = []
    try:
        with open(os.path.join(results, "memory.txt")) as f:
            phases = [line.rsplit(" ", 1) for line in f if line.strip()]
    except OSError:
        pass
    by_phase = "; after each phase: " + ", ".join(f"{p} {int(kb) / 1024:.0f} MB" for p, kb in phases) if phases else ""
    out(f"Peak resident memory (the highest VmHWM of every server of the run{by_phase}): {peak:.0f} MB — "
        f"target under 100 MB: {verdict('memory', peak < 100)}. The probe of 1,000 requests with a "
        f"30 KB query string was answered {', '.join(f'{n}× {c}' for c, n in sorted(probe.items()))}.")
    out("")
except OSError:
    pass

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
