#!/usr/bin/env bash
# Load benchmark of Hotline's call path: SIP signaling and RTP through the
# server (IVR → queue → agent's phone → bridge → recording).
#
# Starts a release server on free ports with a temporary data folder,
# creates a queue `load` (no wrap-up) and AGENTS agents 8101… in it, a
# flow that sends 1000 straight to that queue (and 1001: a menu where 1
# queues), restarts the server so that --demo gives the new extensions
# SIP credentials (password `demo`), then:
#   1. sipp (bench/sipp/uac_1000.xml) calls 1000 while `hotline loadgen
#      --agents-only` answers as the agents' phones;
#   2. `hotline loadgen` plays callers and agents, at each level of LEVELS.
# Every run is bounded; the whole script takes about a minute per level.
#
# Settings (environment):
#   AGENTS=40                 agents in the queue (concurrent calls ≤ agents: voice capacity is 1)
#   SIPP_RATE=5 SIPP_LIMIT=40 SIPP_SECS=15 SIPP_HOLD_MS=7000 (sipp holds from the 200 OK)
#   LEVELS="2:10 5:30"        loadgen levels as rate:callers (calls/s : most on the line)
#   LG_SECS=20 LG_HOLD=5      loadgen placing window and talk time, seconds
#   LG_ARGS="--number 1001 --dtmf 1"   more loadgen options (here: through the menu)
#   MONITOR=100               supervisors' phones 8901… (queue `sup`, no calls of their own):
#                             during each loadgen level, that many talking calls are
#                             listened to (PUT /calls/{c}/monitor), so calls are three-party
#   HOTLINE_BIN=…             server binary (default: build and use the release one)
#   SKIP_SIPP=1 / SKIP_LOADGEN=1, KEEP=1 (keep the temp folder and logs), JSON=1
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hotline-target}
AGENTS=${AGENTS:-40}
SIPP_RATE=${SIPP_RATE:-5}
SIPP_LIMIT=${SIPP_LIMIT:-40}
SIPP_SECS=${SIPP_SECS:-15}
SIPP_HOLD_MS=${SIPP_HOLD_MS:-7000}
LEVELS=${LEVELS:-"2:10 5:30"}
LG_SECS=${LG_SECS:-20}
LG_HOLD=${LG_HOLD:-5}
MONITOR=${MONITOR:-0}

if [ -z "${HOTLINE_BIN:-}" ]; then
  cargo build --release -p hotline
  HOTLINE_BIN=$CARGO_TARGET_DIR/release/hotline
fi
# A private copy: a rebuild during the run must not change the server under test.
work=$(mktemp -d /tmp/hotline-bench.XXXXXX)
cp "$HOTLINE_BIN" "$work/hotline"
BIN=$work/hotline
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A port free for both UDP and TCP (SIP listens on both).
free_port() {
  python3 - <<'EOF'
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
EOF
}

HTTP_PORT=$(free_port)
SIP_PORT=$(free_port)
SIPP_PORT=$(free_port)
SIPP_MEDIA=$(free_port)
# Server RTP 30000-35999, the loadgen's phones 40000-49999: no overlap.
# The load comes from one address, which is trusted with the request rate
# (every phone of a real center behind one NAT address would be too).
SERVER_RTP_MIN=${SERVER_RTP_MIN:-30000}
SERVER_RTP_MAX=${SERVER_RTP_MAX:-35999}
BASE=http://127.0.0.1:$HTTP_PORT

start_server() {
  HOTLINE_SERVER__HTTP_LISTEN=127.0.0.1:$HTTP_PORT \
  HOTLINE_SIP__LISTEN=127.0.0.1:$SIP_PORT \
  HOTLINE_MEDIA__RTP_PORT_MIN=$SERVER_RTP_MIN \
  HOTLINE_MEDIA__RTP_PORT_MAX=$SERVER_RTP_MAX \
  HOTLINE_SIP__TRUSTED_SOURCES='["127.0.0.1"]' \
    "$BIN" serve --demo --data "$work/data" >>"$work/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    if curl -sf "$BASE/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$work/server.log"; echo "server exited" >&2; exit 1; }
    sleep 0.2
  done
  echo "server not ready after 30 s" >&2; tail -20 "$work/server.log"; exit 1
}

api() { # METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$BASE/api/v1$2" ${3:+-d "$3"}
}

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

echo "== server: SIP 127.0.0.1:$SIP_PORT, HTTP $BASE, RTP $SERVER_RTP_MIN-$SERVER_RTP_MAX, data $work/data"
start_server
TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"admin","password":"demo"}' "$BASE/api/v1/auth/login" | jq -r .token)
api POST /queues '{"id":"load","name":"Load test","wrap_up_secs":0,"offer_timeout_secs":10}' >/dev/null
for i in $(seq 1 "$AGENTS"); do
  ext=$((8100 + i))
  api POST /agents "{\"extension\":\"$ext\",\"name\":\"Load $ext\",\"queues\":[\"load\"]}" >/dev/null
done
if [ "$MONITOR" -gt 0 ]; then
  api POST /queues '{"id":"sup","name":"Supervisors'"'"' phones","wrap_up_secs":0}' >/dev/null
  for i in $(seq 1 "$MONITOR"); do
    ext=$((8900 + i))
    api POST /agents "{\"extension\":\"$ext\",\"name\":\"Supervisor $ext\",\"queues\":[\"sup\"]}" >/dev/null
  done
fi
v=$(api PUT /ivr/flows/load '{"id":"load","start":"queue","nodes":{"queue":{"type":"enqueue","queue":"load"}}}' | jq -r .version)
api POST "/ivr/flows/load/versions/$v/publish" >/dev/null
api PUT /ivr/numbers/1000 '{"flow_id":"load"}' >/dev/null
v=$(api PUT /ivr/flows/loadmenu '{"id":"loadmenu","start":"menu","nodes":{"menu":{"type":"menu","prompt":"greeting","choices":{"1":"queue"},"timeout_secs":5,"retries":0,"on_failure":"bye"},"queue":{"type":"enqueue","queue":"load"},"bye":{"type":"hangup"}}}' | jq -r .version)
api POST "/ivr/flows/loadmenu/versions/$v/publish" >/dev/null
api PUT /ivr/numbers/1001 '{"flow_id":"loadmenu"}' >/dev/null
# SIP credentials are only given (by --demo, at start) to agents that exist then.
stop_server
start_server
echo "== $AGENTS agents 8101-$((8100 + AGENTS)) in queue load; 1000 → queue, 1001 → menu (1 → queue); server pid $SERVER_PID"
echo "server at rest: $(ls "/proc/$SERVER_PID/fd" | wc -l) open files, $(awk '/VmRSS/ { print $2 / 1024 " MB" }' "/proc/$SERVER_PID/status") resident"
AGENT_LIST="8101-$((8100 + AGENTS))"
if [ "$MONITOR" -gt 0 ]; then AGENT_LIST="$AGENT_LIST,8901-$((8900 + MONITOR))"; fi

# Keeps MONITOR talking calls listened to, each on a supervisor's phone of
# its own, until killed; writes how many were monitored at most.
monitor_calls() {
  declare -A busy=()   # extension → contact
  local most=0
  while :; do
    local calls now
    calls=$(api GET /calls 2>/dev/null || echo '[]')
    now=$(jq '[.[] | select(.monitor_mode != null)] | length' <<<"$calls")
    [ "$now" -gt "$most" ] && most=$now && echo "$most" >"$work/monitored-most"
    for ext in "${!busy[@]}"; do
      jq -e --arg c "${busy[$ext]}" 'any(.[]; .contact_id == $c)' <<<"$calls" >/dev/null || unset "busy[$ext]"
    done
    for c in $(jq -r '.[] | select(.phase == "talking" and .monitor_mode == null) | .contact_id' <<<"$calls"); do
      [ "${#busy[@]}" -ge "$MONITOR" ] && break
      for i in $(seq 1 "$MONITOR"); do
        ext=$((8900 + i))
        if [ -z "${busy[$ext]:-}" ]; then
          api PUT "/calls/$c/monitor" "{\"mode\":\"listen\",\"extension\":\"$ext\"}" >/dev/null 2>&1 && busy[$ext]=$c
          break
        fi
      done
    done
    sleep 0.5
  done
}

if [ -z "${SKIP_SIPP:-}" ]; then
  calls=$((SIPP_RATE * SIPP_SECS))
  answer_for=$((SIPP_SECS + SIPP_HOLD_MS / 1000 + 45))
  "$BIN" loadgen --sip "127.0.0.1:$SIP_PORT" --agents "$AGENT_LIST" --agents-only --duration "$answer_for" \
    --rtp-ports 40000-49999 --server-pid "$SERVER_PID" >"$work/sipp-agents.txt" 2>"$work/sipp-agents.err" &
  agents_pid=$!
  for _ in $(seq 1 100); do grep -q "agents registered" "$work/sipp-agents.err" 2>/dev/null && break; sleep 0.2; done
  cat "$work/sipp-agents.err"
  echo "== sipp: $calls calls to 1000 at $SIPP_RATE/s, at most $SIPP_LIMIT at once, held $SIPP_HOLD_MS ms"
  t0=$(cpu_ticks "$SERVER_PID"); s0=$(date +%s.%N)
  (cd "$work" && timeout $((SIPP_SECS + SIPP_HOLD_MS / 1000 + 40)) sipp -sf "$OLDPWD/bench/sipp/uac_1000.xml" -s 1000 \
      -i 127.0.0.1 -p "$SIPP_PORT" -mi 127.0.0.1 -mp "$SIPP_MEDIA" \
      -r "$SIPP_RATE" -l "$SIPP_LIMIT" -m "$calls" -d "$SIPP_HOLD_MS" \
      -timeout $((SIPP_SECS + SIPP_HOLD_MS / 1000 + 30))s -nostdin -trace_screen -trace_err \
      "127.0.0.1:$SIP_PORT" >/dev/null 2>"$work/sipp.err") || echo "(sipp exit status $?: some calls failed)"
  t1=$(cpu_ticks "$SERVER_PID"); s1=$(date +%s.%N)
  sleep 1
  kill -TERM "$agents_pid" 2>/dev/null || true
  screen=$(ls "$work"/uac_1000_*_screen.log 2>/dev/null | head -1)
  if [ -n "$screen" ]; then
    # The final statistics screen: counters, call rate, response times.
    sed -n '/Start Time/,$p' "$screen" | grep -vE '^\s*$|Waiting for active|Last Reset|Current Time|Repartition Screen|Start Time' | head -50
  else
    cat "$work/sipp.err"
  fi
  awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v w0="$s0" -v w1="$s1" \
    'BEGIN { w = w1 - w0; printf "server CPU during sipp: %.1f%% of one core (%.2f s over %.1f s)\n", 100 * t / hz / w, t / hz, w }'
  wait "$agents_pid" || true
  echo "-- the agents' side of the sipp run (hotline loadgen --agents-only):"
  grep -E "^(registration|media|  |agents|server CPU)" "$work/sipp-agents.txt" | grep -v "^  agents only" || cat "$work/sipp-agents.txt"
fi

if [ -z "${SKIP_LOADGEN:-}" ]; then
  for level in $LEVELS; do
    rate=${level%%:*}; callers=${level##*:}
    echo "== hotline loadgen: callers to 1000 at $rate/s, at most $callers at once, talk $LG_HOLD s, placing for $LG_SECS s"
    monitor_pid=
    if [ "$MONITOR" -gt 0 ]; then
      echo 0 >"$work/monitored-most"
      monitor_calls & monitor_pid=$!
    fi
    "$BIN" loadgen --sip "127.0.0.1:$SIP_PORT" --agents "$AGENT_LIST" --rate "$rate" --callers "$callers" \
      --hold-secs "$LG_HOLD" --duration "$LG_SECS" --max-wait-secs 15 --rtp-ports 40000-49999 \
      --server-pid "$SERVER_PID" ${JSON:+--json} ${LG_ARGS:-}
    if [ -n "$monitor_pid" ]; then
      kill "$monitor_pid" 2>/dev/null || true
      wait "$monitor_pid" 2>/dev/null || true
      echo "monitored (listen) at most at once: $(cat "$work/monitored-most") calls"
    fi
    sleep 1
    echo "server after the level: $(ls "/proc/$SERVER_PID/fd" | wc -l) open files, $(awk '/VmRSS/ { print $2 / 1024 " MB" }' "/proc/$SERVER_PID/status") resident, $(ls "/proc/$SERVER_PID/task" | wc -l) threads"
  done
fi
if grep -qE '"level":"(WARN|ERROR)"| (WARN|ERROR) ' "$work/server.log"; then
  echo "== server warnings and errors (first 15):"
  grep -E ' (WARN|ERROR) ' "$work/server.log" | sed 's/\x1b\[[0-9;]*m//g' | head -15
fi
