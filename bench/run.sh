#!/usr/bin/env bash
# The load benchmark, in one command:
#
#   bash bench/run.sh                      # SQLite: medium, then large
#   BENCH_DB=postgres bash bench/run.sh    # the same on PostgreSQL
#   BENCH_SCALES=medium BENCH_SECS=4 bash bench/run.sh   # a quicker look
#
# The server runs with one worker pinned to core 0, the load generators on
# core 1 (taskset), so a page's requests per second is one core's work and
# the stylesheet, measured in the same run, is that core's ceiling. For
# each page it files requests per second, p50/p99, errors, and the server's
# CPU time per request (utime + stime from /proc/PID/stat, over requests).
#
# Medium dataset:
#   cached     anonymous readers, page cache on (wrk, 32 connections)
#   signed-in  a generated volunteer's cookie: never cached
#   uncached   the server restarted with the page cache off
#   unique     the six hot pages, each request with its own unknown
#              parameter (utm_bench=…), then the same beside a flood of new
#              pages (each request its own search), with the cache's hit
#              rate from /healthz
#   mixed      the six hot pages at saturation, alone and while writers post
#              50 wishes a second and claim or fulfil 20 (bench/writers.py),
#              then p99 at a fixed 1,000 requests a second with the writers
#              (oha, open loop, corrected for coordinated omission)
#   listings   p50 on one connection, cache off: the wall, a station, the
#              filtered and the searched workshops, a volunteer's wall
#   probe      1,000 requests with a 30 KB query string, for memory
# Large dataset: listings again (target: p50 at most 2x medium's).
# Peak memory: the highest VmHWM of every server the run started.
#
# The table goes to docs/PERFORMANCE.md (between this database's markers)
# and to stdout. Settings (environment): BENCH_DB=sqlite|postgres,
# BENCH_SCALES="medium large", BENCH_SECS=8, BENCH_PORT=18080,
# BENCH_PG=postgres://postgres@127.0.0.1:5432 (server only), BENCH_KEEP=1
# keeps the generated data (target/bench) and reuses it on the next run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DB_KIND=${BENCH_DB:-sqlite}
SCALES=${BENCH_SCALES:-medium large}
SECS=${BENCH_SECS:-8}
PORT=${BENCH_PORT:-18080}
PG_SERVER=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
WORK=$ROOT/target/bench/$DB_KIND
RESULTS=$WORK/results
RUNS=$RESULTS/runs.jsonl
BASE=http://127.0.0.1:$PORT
OHA_VERSION=1.16.0
TICK=$(getconf CLK_TCK)

say() { printf '== %s\n' "$*" >&2; }

for tool in python3 curl taskset; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian's package)"
    apt-get install -y -qq wrk >/dev/null
fi
if ! command -v oha >/dev/null; then
    say "installing oha $OHA_VERSION (open-loop load) from crates.io"
    cargo install oha --locked --version "$OHA_VERSION"
fi
if [ "$(nproc)" -lt 2 ]; then
    echo "the benchmark pins the server and the load to two different cores; this machine has one" >&2
    exit 1
fi
SERVER_CORE=0
LOAD_CORE=1

say "building the release binary"
cargo build --release --quiet
BIN=$ROOT/target/release/linli

mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.json "$RESULTS"/*.ready "$RUNS" "$RESULTS/memory.txt"
PEAK_KB=0

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        note_memory
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap stop_server EXIT

note_memory() { # [phase]: the server's VmHWM so far, filed per phase
    local kb
    kb=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    if [ "${kb:-0}" -gt "$PEAK_KB" ]; then PEAK_KB=$kb; fi
    echo "$PEAK_KB" > "$RESULTS/peak_kb"
    [ -n "${1:-}" ] && echo "$1 $kb" >> "$RESULTS/memory.txt"
    return 0
}

database_url() { # scale
    case $DB_KIND in
        sqlite) echo "sqlite://$WORK/$1/linli.db" ;;
        postgres) echo "$PG_SERVER/linli_bench_$1" ;;
        *) echo "BENCH_DB must be sqlite or postgres" >&2; exit 1 ;;
    esac
}

prepare() { # scale
    local scale=$1 url
    url=$(database_url "$scale")
    if [ -n "${BENCH_KEEP:-}" ] && [ -f "$WORK/$scale/ready" ]; then
        say "reusing the $scale dataset on $DB_KIND"
        return
    fi
    rm -rf "${WORK:?}/$scale"
    mkdir -p "$WORK/$scale"
    if [ "$DB_KIND" = postgres ]; then
        psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS linli_bench_$scale WITH (FORCE)" \
            -c "CREATE DATABASE linli_bench_$scale"
    fi
    say "generating the $scale dataset on $DB_KIND"
    local started=$SECONDS
    (cd "$WORK/$scale" && DATABASE_URL=$url RUST_LOG=error "$BIN" seed --scale "$scale") >&2
    echo "$((SECONDS - started))" > "$WORK/$scale/seed.secs"
    touch "$WORK/$scale/ready"
}

start_server() { # scale cache_mb
    local scale=$1 cache_mb=$2
    stop_server
    if curl -fs "$BASE/healthz" >/dev/null 2>&1; then
        echo "something already answers on port $PORT (a server of an earlier run?)" >&2
        exit 1
    fi
    say "starting the server ($scale, one worker on core $SERVER_CORE, page cache ${cache_mb} MiB;" \
        "abuse limits raised: LINLI_WISHES_PER_HOUR (and per phone, per station)," \
        "LINLI_TRACK_LOOKUPS_PER_HOUR, LINLI_SIGNUPS_PER_HOUR (and per phone)," \
        "LINLI_REGISTRATIONS_PER_HOUR)"
    (cd "$WORK/$scale" && exec taskset -c "$SERVER_CORE" env DATABASE_URL="$(database_url "$scale")" \
        LINLI_BIND=127.0.0.1:$PORT LINLI_WORKERS=1 LINLI_SEED_ON_START=false \
        LINLI_PAGE_CACHE_MB="$cache_mb" \
        LINLI_WISHES_PER_HOUR=1000000000 LINLI_TRACK_LOOKUPS_PER_HOUR=1000000000 \
        LINLI_WISHES_PER_PHONE_PER_HOUR=1000000000 LINLI_WISHES_PER_STATION_PER_HOUR=1000000000 \
        LINLI_SIGNUPS_PER_HOUR=1000000000 LINLI_REGISTRATIONS_PER_HOUR=1000000000 \
        LINLI_SIGNUPS_PER_PHONE_PER_HOUR=1000000000 \
        RUST_LOG=warn "$BIN" serve >"$WORK/$scale/server.log" 2>&1) &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the server did not start; its log:" >&2
    cat "$WORK/$scale/server.log" >&2
    exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

cache_stat() { # field
    curl -fs "$BASE/healthz" | python3 -c "import json,sys; print(json.load(sys.stdin)['page_cache']['$1'])"
}

# One wrk run, filed as a line of runs.jsonl.
# usage: load SCALE MODE NAME CONNECTIONS COOKIE PATH… [--unique PARAM]
load() {
    local scale=$1 mode=$2 name=$3 conns=$4 cookie=$5
    shift 5
    local before after out headers=(-H 'Accept-Encoding: gzip')
    [ -n "$cookie" ] && headers+=(-H "Cookie: $cookie")
    before=$(cpu_ticks)
    out=$(taskset -c "$LOAD_CORE" wrk -t1 -c"$conns" -d"${SECS}s" --timeout 5s "${headers[@]}" \
        -s bench/wrk.lua "$BASE" -- "$@" | grep '^{"requests"')
    after=$(cpu_ticks)
    python3 - "$out" "$scale" "$mode" "$name" "$((after - before))" "$TICK" "$*" >> "$RUNS" <<'EOF'
import json, sys
run = json.loads(sys.argv[1])
scale, mode, name, ticks, tick, paths = sys.argv[2:8]
secs = run["duration_us"] / 1e6
run.update(scale=scale, mode=mode, name=name, paths=paths,
           rps=run["requests"] / secs,
           cpu_us=int(ticks) * 1e6 / int(tick) / max(run["requests"], 1))
print(json.dumps(run))
EOF
    tail -1 "$RUNS" | python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"   {r['mode']:9} {r['name']:20} {r['rps']:9.0f} req/s  p50 {r['p50_us']/1000:.2f} ms  cpu {r['cpu_us']:.0f} us/req  errors {r['socket_errors']+r['bad_status']}\")" >&2
}

sign_in() { # → a volunteer's session cookie
    local jar=$WORK/jar token
    rm -f "$jar"
    token=$(first 'name="csrf_token" value="([^"]*)"' "$(curl -fs -c "$jar" -b "$jar" "$BASE/account/login")")
    curl -fs -o /dev/null -c "$jar" -b "$jar" -H "Origin: $BASE" \
        --data-urlencode "csrf_token=$token" --data-urlencode "login=volunteer1@bench.linli.invalid" \
        --data-urlencode "password=linli-bench-password" --data-urlencode "next=/account" \
        "$BASE/account/login"
    awk '$6 == "linli_session" {print "linli_session=" $7}' "$jar"
}

# The pages of the dataset: NAME PATH per line.
first() { # regex text: the first group of the first match
    if [[ $2 =~ $1 ]]; then echo "${BASH_REMATCH[1]}"; else echo "bench: no match for $1" >&2; fi
}

pages() { # scale
    local district station place wish activity css
    district=$(curl -fs "$BASE/districts/tonglu")
    station=$(first 'href="/stations/([0-9]+)"' "$district")
    place=$(first 'href="/places/([0-9]+)"' "$(curl -fs "$BASE/districts/gongshu")")
    wish=$(first 'href="/wishes/([0-9]+)"' "$(curl -fs "$BASE/wishes")")
    activity=$(first 'href="/activities/([0-9]+)"' "$(curl -fs "$BASE/activities")")
    css=$(first 'href="(/static/[^"]*\.css[^"]*)"' "$(curl -fs "$BASE/")")
    cat > "$WORK/$1/pages" <<EOF
home /
districts /districts
district /districts/tonglu
place /places/$place
station /stations/$station
workshops_filtered /workshops?district=tonglu&category=farming&hiring=1
workshops_search /workshops?q=%E8%9C%9C%E6%A2%A8
workshop /workshops/honey-pear
wall /wishes
wish /wishes/$wish
activities /activities
activity /activities/$activity
stylesheet $css
EOF
}
path_of() { awk -v n="$2" '$1 == n {print $2}' "$WORK/$1/pages"; }
hot_paths() { # the six pages of the mixed and unique runs
    for n in home district workshops_search wall wish station; do path_of "$1" "$n"; done
}
LISTINGS="wall station workshops_filtered workshops_search"

listings() { # scale cookie: p50 on one connection, cache off
    local scale=$1 cookie=$2 n
    for n in $LISTINGS; do
        load "$scale" listing "$n" 1 "" "$(path_of "$scale" "$n")"
    done
    load "$scale" listing wall_signed_in 1 "$cookie" "$(path_of "$scale" wall)"
}

wait_for_writers() { # out_json: until they have signed in
    for _ in $(seq 1 600); do
        [ -f "$1.ready" ] && return 0
        sleep 0.1
    done
    echo "the writers did not get ready" >&2
    exit 1
}

every_page() { # scale mode cookie
    local name path
    while read -r name path; do
        load "$1" "$2" "$name" 32 "$3" "$path"
    done < "$WORK/$1/pages"
}

for scale in $SCALES; do
    prepare "$scale"
    if [ "$scale" = medium ]; then
        start_server "$scale" 16
        pages "$scale"
        COOKIE=$(sign_in)
        [ -n "$COOKIE" ] || { echo "could not sign in a volunteer" >&2; exit 1; }
        say "$scale: every page, anonymous, page cache on"
        every_page "$scale" cached ""
        note_memory "$scale cached"
        say "$scale: every page, a signed-in volunteer"
        every_page "$scale" signed_in "$COOKIE"
        note_memory "$scale signed-in"

        say "$scale: hot pages, each request with its own unknown parameter"
        mapfile -t HOT < <(hot_paths "$scale")
        load "$scale" unique_base hot 32 "" "${HOT[@]}"
        hits=$(cache_stat hits); misses=$(cache_stat misses)
        load "$scale" unique hot 32 "" "${HOT[@]}" --unique utm_bench
        echo "{\"hits\": $(( $(cache_stat hits) - hits )), \"misses\": $(( $(cache_stat misses) - misses ))}" \
            > "$RESULTS/unique.json"
        say "$scale: the same beside a flood of new pages (each its own search)"
        hits=$(cache_stat hits); misses=$(cache_stat misses)
        taskset -c "$LOAD_CORE" wrk -t1 -c8 -d"${SECS}s" -s bench/wrk.lua "$BASE" -- \
            "/workshops" --unique q > "$RESULTS/flood.txt" &
        FLOOD=$!
        load "$scale" flooded hot 24 "" "${HOT[@]}" --unique utm_bench
        wait "$FLOOD"
        echo "{\"hits\": $(( $(cache_stat hits) - hits )), \"misses\": $(( $(cache_stat misses) - misses )), \
\"flood\": $(grep '^{"requests"' "$RESULTS/flood.txt")}" > "$RESULTS/flooded.json"
        note_memory "$scale unique addresses and flood"

        say "$scale: mixed load: readers alone, then beside the writers"
        load "$scale" mixed_base readers 32 "" "${HOT[@]}"
        taskset -c "$LOAD_CORE" python3 bench/writers.py "$BASE" "$SECS" 50 20 40 1 "$RESULTS/writers.json" &
        WRITERS=$!
        wait_for_writers "$RESULTS/writers.json"
        load "$scale" mixed readers 32 "" "${HOT[@]}"
        wait "$WRITERS"
        say "$scale: p99 at a fixed 1,000 requests a second, beside the writers"
        taskset -c "$LOAD_CORE" python3 bench/writers.py "$BASE" "$SECS" 50 20 40 41 "$RESULTS/writers_rate.json" &
        WRITERS=$!
        wait_for_writers "$RESULTS/writers_rate.json"
        regex="$BASE/($(hot_paths "$scale" | sed 's|^/||; s|?|\\?|g' | paste -sd'|'))"
        taskset -c "$LOAD_CORE" oha --no-tui --output-format json -c 32 -q 1000 --latency-correction \
            -z "${SECS}s" -H 'Accept-Encoding: gzip' --rand-regex-url "$regex" > "$RESULTS/rate.json"
        wait "$WRITERS"
        note_memory "$scale mixed"

        say "$scale: memory probe, 1,000 requests with a 30 KB query string"
        python3 - "$BASE" > "$RESULTS/probe.json" <<'EOF'
import http.client, json, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
statuses = {}
for i in range(1000):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", f"/workshops?x{i}=" + "a" * 30_000)
    s = str(c.getresponse().status)
    statuses[s] = statuses.get(s, 0) + 1
    c.close()
print(json.dumps(statuses))
EOF
        note_memory "$scale probe"

        start_server "$scale" 0
        say "$scale: every page, page cache off"
        every_page "$scale" uncached ""
        say "$scale: listings, one connection, page cache off"
        listings "$scale" "$COOKIE"
        note_memory "$scale cache off"
    else
        start_server "$scale" 0
        pages "$scale"
        COOKIE=$(sign_in)
        say "$scale: listings, one connection, page cache off"
        listings "$scale" "$COOKIE"
        say "$scale: every page, page cache off"
        every_page "$scale" uncached ""
        note_memory "$scale cache off"
    fi
    stop_server
done

python3 bench/report.py "$RESULTS" "$DB_KIND" "$SECS" "$SCALES" docs/PERFORMANCE.md "$WORK"
if [ -z "${BENCH_KEEP:-}" ]; then
    rm -rf "${WORK:?}"/medium "${WORK:?}"/large
    if [ "$DB_KIND" = postgres ]; then
        for scale in $SCALES; do
            psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS linli_bench_$scale WITH (FORCE)"
        done
    fi
fi
