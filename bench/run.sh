#!/usr/bin/env bash
# The load benchmark, in one command:
#
#   bash bench/run.sh                      # SQLite, medium then large
#   BENCH_DB=postgres bash bench/run.sh    # the same on PostgreSQL
#
# It builds the release binary, installs the load generator (oha, from
# crates.io) when missing, generates the datasets with `linli seed --scale`,
# starts the server with the abuse limits raised (it says which), and
# measures every page with oha on this machine:
#   - throughput at saturation: 64 connections for BENCH_SECS seconds;
#   - latency at a fixed rate (open loop, corrected for coordinated
#     omission): 2,000 requests per second for BENCH_SECS seconds;
#   - errors (anything but the expected status), and the server's peak memory.
# On the large dataset it measures the wish wall and the workshop listing
# (filters and search) again, with the page cache on and with it off.
# The table goes to docs/PERFORMANCE.md (between the markers) and to stdout.
#
# Settings (environment): BENCH_DB=sqlite|postgres, BENCH_SCALES="medium large",
# BENCH_SECS=10, BENCH_PG=postgres://postgres@127.0.0.1:5432 (server only),
# BENCH_PORT=18080, BENCH_KEEP=1 keeps the data folder.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DB_KIND=${BENCH_DB:-sqlite}
SCALES=${BENCH_SCALES:-medium large}
SECS=${BENCH_SECS:-10}
PORT=${BENCH_PORT:-18080}
PG_SERVER=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
WORK=$ROOT/target/bench
RESULTS=$WORK/results
BASE=http://127.0.0.1:$PORT
OHA_VERSION=1.16.0

say() { printf '\n== %s\n' "$*" >&2; }

command -v python3 >/dev/null || { echo "python3 is needed to write the table" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
if ! command -v oha >/dev/null; then
    say "installing oha $OHA_VERSION (the load generator) from crates.io"
    cargo install oha --locked --version "$OHA_VERSION"
fi

say "building the release binary"
cargo build --release --quiet
BIN=$ROOT/target/release/linli

rm -rf "$WORK"
mkdir -p "$RESULTS"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap stop_server EXIT

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
    mkdir -p "$WORK/$scale"
    if [ "$DB_KIND" = postgres ]; then
        psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS linli_bench_$scale WITH (FORCE)" \
            -c "CREATE DATABASE linli_bench_$scale"
    fi
    say "generating the $scale dataset on $DB_KIND"
    local started=$SECONDS
    (cd "$WORK/$scale" && DATABASE_URL=$url RUST_LOG=error "$BIN" seed --scale "$scale") | tee "$RESULTS/seed-$scale.txt" >&2
    echo "$((SECONDS - started))" > "$RESULTS/seed-$scale.secs"
}

start_server() { # scale cache_mb
    local scale=$1 cache_mb=$2
    stop_server
    say "starting the server ($scale, page cache ${cache_mb} MiB)"
    echo "abuse limits raised for the benchmark: LINLI_WISHES_PER_HOUR, LINLI_TRACK_LOOKUPS_PER_HOUR," \
         "LINLI_SIGNUPS_PER_HOUR, LINLI_REGISTRATIONS_PER_HOUR = 1000000000" >&2
    (cd "$WORK/$scale" && exec env DATABASE_URL="$(database_url "$scale")" LINLI_BIND=127.0.0.1:$PORT \
        LINLI_SEED_ON_START=false LINLI_PAGE_CACHE_MB="$cache_mb" \
        LINLI_WISHES_PER_HOUR=1000000000 LINLI_TRACK_LOOKUPS_PER_HOUR=1000000000 \
        LINLI_SIGNUPS_PER_HOUR=1000000000 LINLI_REGISTRATIONS_PER_HOUR=1000000000 \
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

peak_memory_kb() { awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }

# oha writes one JSON summary per run; python reads them all at the end.
measure() { # name url [extra oha args…]
    local name=$1 url=$2
    shift 2
    oha --no-tui --output-format json -w -c 64 -z "${SECS}s" -H 'Accept-Encoding: gzip' "$@" "$url" \
        > "$RESULTS/$name.saturation.json"
    oha --no-tui --output-format json -w -c 64 -q 2000 --latency-correction -z "${SECS}s" \
        -H 'Accept-Encoding: gzip' "$@" "$url" > "$RESULTS/$name.rate.json"
}

# Query path only (cache off): a closed loop of 8 connections, for p50.
measure_uncached() { # name url
    oha --no-tui --output-format json -w -c 8 -z "${SECS}s" -H 'Accept-Encoding: gzip' "$2" \
        > "$RESULTS/$1.json"
}

pages() { # scale: writes the URLs of this dataset to $WORK/$scale/urls
    local wish_id css
    wish_id=$(curl -fs "$BASE/wishes" | grep -o 'href="/wishes/[0-9]*"' | head -1 | grep -o '[0-9]*')
    css=$(curl -fs "$BASE/" | grep -o 'href="/static/[^"]*\.css[^"]*"' | head -1 | sed 's/href="//; s/"$//')
    cat > "$WORK/$1/urls" <<EOF
home $BASE/
district $BASE/districts/tonglu
workshops_filtered $BASE/workshops?district=tonglu&category=farming&hiring=1
workshops_search $BASE/workshops?q=%E8%9C%9C%E6%A2%A8
wall $BASE/wishes
wish $BASE/wishes/$wish_id
stylesheet $BASE$css
EOF
}

post_bodies() { # scale: a CSRF session and one form body per line, each wish its own text
    local jar=$WORK/$1/cookies token
    token=$(curl -fs -c "$jar" "$BASE/wishes/new?station=gen-station-1" \
        | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    COOKIE=$(awk '$6 == "linli_session" {print "linli_session=" $7}' "$jar")
    python3 - "$token" > "$WORK/$1/bodies" <<'EOF'
import sys, urllib.parse
token = sys.argv[1]
for i in range(200000):
    print(urllib.parse.urlencode({
        "csrf_token": token, "station": f"gen-station-{i % 200 + 1}",
        "what": f"想要一个保温杯（压测第{i}号）", "why": "冬天早上出车，想喝口热水。",
        "display_name": "压测师傅", "occupation": "courier", "phone": "", "website": "",
    }))
EOF
}

for scale in $SCALES; do
    prepare "$scale"
    start_server "$scale" 16
    pages "$scale"
    if [ "$scale" = medium ]; then
        while read -r name url; do
            say "$scale: $name"
            measure "$scale.$name" "$url"
        done < "$WORK/$scale/urls"
        say "$scale: posting wishes"
        post_bodies "$scale"
        measure "$scale.post_wish" "$BASE/wishes" -m POST --redirect 0 -Z "$WORK/$scale/bodies" \
            -H "Cookie: $COOKIE" -H "Origin: $BASE" -T application/x-www-form-urlencoded
    else
        while read -r name url; do
            case $name in wall|workshops_filtered|workshops_search) ;; *) continue ;; esac
            say "$scale: $name"
            measure "$scale.$name" "$url"
        done < "$WORK/$scale/urls"
    fi
    peak_memory_kb > "$RESULTS/$scale.memory_kb"
    start_server "$scale" 0
    while read -r name url; do
        case $name in wall|workshops_filtered|workshops_search) ;; *) continue ;; esac
        say "$scale: $name without the page cache"
        measure_uncached "$scale.$name.uncached" "$url"
    done < "$WORK/$scale/urls"
    stop_server
done

python3 bench/report.py "$RESULTS" "$DB_KIND" "$SECS" "$SCALES" docs/PERFORMANCE.md
if [ -z "${BENCH_KEEP:-}" ]; then
    rm -rf "$WORK"/medium "$WORK"/large
    if [ "$DB_KIND" = postgres ]; then
        for scale in $SCALES; do
            psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS linli_bench_$scale WITH (FORCE)"
        done
    fi
fi
