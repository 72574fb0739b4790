#!/usr/bin/env bash
# The draw path under load, beside what Redis itself can do, in the same minute
# (docs/benchmarks.md, "The draw path: profile and figures"):
#   1. a private redis-server on a free port, and the local runner on Redis stock and sessions;
#   2. a `bench` activity (the demo's prizes, 1,000 times the stock, no unpaid cap) and
#      PLAYERS players registered and logged in;
#   3. the raw rate: redis-benchmark sending draw.lua's EVALSHA with a draw's arguments
#      from CONNECTIONS clients;
#   4. wrk from CONNECTIONS connections for SECONDS seconds, each request a draw with another
#      player's bearer token; the runner's and Redis's CPU, and Redis's script calls, counted
#      over the run.
#
# usage: infra/scripts/draw-bench.sh [path/to/luckydraw-local]   (default: target/profiling/)
# env:   PLAYERS=1000 CONNECTIONS=64 BENCH_SECONDS=10 THREADS=2 RAW_REQUESTS=400000
#        LUCKYDRAW_RATE_LIMITS=off (on: the per-player and per-address draw limits apply;
#        raise them with LUCKYDRAW_LIMIT_DRAW_PER_USER / _PER_ADDRESS so a storm is not refused)
#        PERF_RECORD=path: `perf record` the runner (call graphs) during the measured run.
#        CALLGRIND=1 RUNNER_WRAPPER="valgrind --tool=callgrind --instr-atstart=no ...": count
#        the runner's instructions during the measured run only (repeatable where time is not).
#        Any other LUCKYDRAW_* variable (e.g. LUCKYDRAW_SESSION_CACHE_MS) reaches the runner.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
runner=${1:-$root/target/profiling/luckydraw-local}
players=${PLAYERS:-1000}
connections=${CONNECTIONS:-64}
seconds=${BENCH_SECONDS:-10}
threads=${THREADS:-2}
raw_requests=${RAW_REQUESTS:-400000}
work=$(mktemp -d /tmp/draw-bench.XXXXXX)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
stat_of() { redis-cli -p "$redis_port" info "$1" | tr -d '\r'; }

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
runner_pid=
trap 'kill $runner_pid $redis_pid 2>/dev/null || true' EXIT
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

app_port=$(free_port)
admin_password=bench-admin-password
PORT=$app_port LUCKYDRAW_STOCK=redis LUCKYDRAW_SESSIONS=redis REDIS_URL="redis://127.0.0.1:$redis_port" \
  LUCKYDRAW_RATE_LIMITS=${LUCKYDRAW_RATE_LIMITS:-off} LUCKYDRAW_ADMIN_PASSWORD=$admin_password \
  LUCKYDRAW_ARGON2_MEMORY_KIB=${LUCKYDRAW_ARGON2_MEMORY_KIB:-1024} LUCKYDRAW_ARGON2_ITERATIONS=1 \
  ${RUNNER_WRAPPER:-} "$runner" >"$work/runner.log" 2>&1 &
runner_pid=$!
base=http://127.0.0.1:$app_port
until curl -sf "$base/openapi.json" >/dev/null; do sleep 0.2; done

login() { curl -sf -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$base/$3"; }
admin=$(login admin "$admin_password" login | jq -r .token)
jq '.id = "bench" | .name = "Bench" | .max_unpaid_per_user = 0 | .prizes |= map(.initial *= 1000)' \
  "$root/infra/seed/demo-activity.json" >"$work/bench.json"
curl -sf -H "authorization: Bearer $admin" -H 'content-type: application/json' \
  --data @"$work/bench.json" "$base/admin/activities" >/dev/null

export -f login
export base
seq 1 "$players" | xargs -P 4 -I{} bash -c 'login bench{} bench-password-{} register | jq -r .token' >"$work/tokens"
echo "players: $(grep -c . "$work/tokens") logged in"

# The raw rate: the same script with a draw's arguments, on activity keys of its own.
sha=$(redis-cli -p "$redis_port" script load "$(cat "$root/infra/redis/draw.lua")")
raw_keys=(); for part in stock users log unsettled holds holding limits; do raw_keys+=("raw:{act:raw}:$part"); done
prizes=(); stock=()
while read -r id price consolation; do
  prizes+=("$id" 1 "$consolation" "$([ "$price" -gt 0 ] && echo 1 || echo 0)")
  stock+=("$id" 1000000)
done < <(jq -r '.prizes[] | "\(.id) \(.price_fen) \(if .consolation then 1 else 0 end)"' "$work/bench.json")
# load.lua: the stock hash, its outbox and inbox (docs/scale.md), then the bucket count (1).
redis-cli -p "$redis_port" eval "$(cat "$root/infra/redis/load.lua")" 3 "${raw_keys[0]}" raw:{act:raw}:outbox \
  raw:{act:raw}:inbox 1 "${stock[@]}" >/dev/null
# draw.lua's arguments (see its header), the last one the bucket count routed by.
raw_args=(1795000000000 0 $((${#prizes[@]} / 4)) "${prizes[@]}" 1)
check=$(redis-cli -p "$redis_port" evalsha "$sha" 7 "${raw_keys[@]}" draw:check user-check remaining_stock 0 12345 \
  "${raw_args[@]}" | head -1)
[ "$check" = drawn ] || { echo "the raw draw script does not draw (it answered '$check')" >&2; exit 1; }
redis-cli -p "$redis_port" config resetstat >/dev/null
raw_before=$(cpu_ticks "$redis_pid")
raw=$(redis-benchmark -p "$redis_port" -c "$connections" -n "$raw_requests" -r 100000000 -q \
  evalsha "$sha" 7 "${raw_keys[@]}" draw:__rand_int__ user__rand_int__ remaining_stock 0 __rand_int__ \
  "${raw_args[@]}" | tr '\r' '\n' | grep -a 'requests per second' | tail -1)
raw_ticks=$(($(cpu_ticks "$redis_pid") - raw_before))
raw_usec=$(stat_of commandstats | awk -F'[=,]' '/^cmdstat_evalsha:/ { print $6 }')
echo "raw draw script (redis-benchmark, $connections clients): ${raw##*: }"
python3 -c "import sys; t, hz, n, u = map(float, sys.argv[1:]); print(f'raw: Redis CPU {t / hz / n * 1e6:.1f} us per call, of which the script {u:.1f} us (usec_per_call)')" \
  "$raw_ticks" "$(getconf CLK_TCK)" "$raw_requests" "$raw_usec"

# A short warm-up (connections, script cache, allocator), then the measured run.
TOKENS=$work/tokens wrk -t"$threads" -c"$connections" -d2s -s "$root/infra/scripts/draw-bench.lua" "$base" >/dev/null
redis-cli -p "$redis_port" config resetstat >/dev/null
runner_before=$(cpu_ticks "$runner_pid"); redis_before=$(cpu_ticks "$redis_pid")
[ -n "${CALLGRIND:-}" ] && callgrind_control -i on "$runner_pid" >/dev/null
if [ -n "${PERF_RECORD:-}" ]; then
  perf record -F 997 --call-graph dwarf,32768 -o "$PERF_RECORD" -p "$runner_pid" -- sleep $((seconds - 2)) \
    >"$work/perf.log" 2>&1 &
fi
TOKENS=$work/tokens wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
  -s "$root/infra/scripts/draw-bench.lua" "$base" | tee "$work/wrk.txt"
[ -n "${CALLGRIND:-}" ] && callgrind_control -i off "$runner_pid" >/dev/null && callgrind_control -d "$runner_pid" >/dev/null
runner_ticks=$(($(cpu_ticks "$runner_pid") - runner_before)); redis_ticks=$(($(cpu_ticks "$redis_pid") - redis_before))

requests=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
scripts=$(stat_of commandstats | awk -F'[=,:]' '/^cmdstat_(evalsha|eval):/ { sum += $3 } END { print sum + 0 }')
others=$(stat_of commandstats | grep -v -E '^cmdstat_(evalsha|eval|info|config\|resetstat):' | grep '^cmdstat_' || true)
hz=$(getconf CLK_TCK)
python3 - "$requests" "$scripts" "$runner_ticks" "$redis_ticks" "$hz" "$seconds" "$raw" <<'EOF'
import sys
requests, scripts, runner, redis, hz, seconds = (float(x) for x in sys.argv[1:7])
import re
found = re.search(r"([0-9.]+) requests per second", sys.argv[7])
raw = float(found.group(1)) if found else 0
rate = requests / seconds
print(f"draws/s {rate:,.0f}; raw script {raw:,.0f}/s; ratio {rate / raw:.2f}" if raw else f"draws/s {rate:,.0f}")
print(f"redis script calls per draw {scripts / requests:.3f}")
print(f"runner CPU {runner / hz / seconds * 100:.0f}% of a core, {runner / hz / requests * 1e6:.1f} us per draw; "
      f"redis CPU {redis / hz / seconds * 100:.0f}%, {redis / hz / requests * 1e6:.1f} us per draw")
EOF
[ -n "$others" ] && echo "other Redis commands during the run (counted inside scripts or sent apart):" && echo "$others"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); logs in $work"
