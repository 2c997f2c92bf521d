#!/usr/bin/env bash
# The fleet store's throughput on this machine: one `edge-agent receive --store` in front of one PostgreSQL
# server (a throwaway cluster in a temp directory, fsync on, the distribution's defaults otherwise), loaded by
# N simulated robots (one Stream call each, 16 batches in flight, 100-sample 12-joint batches), flat out and at
# a fleet's rate. Prints batches and samples stored per second, the send-to-commit latency, and the CPU the
# receiver and PostgreSQL used per 1000 samples/s stored.
# Usage: scripts/bench-store.sh [SECONDS] [ROBOTS...]   (default 15 s and the rows 1 10 100 200 flat out + 1000
#   at one batch/s each; needs the postgresql package, python3). PG_OPTIONS adds server settings;
#   STORE_COMPRESSION=pglz turns the sample columns back to PostgreSQL's default compression (the receiver sets lz4),
#   to compare the two in one sitting.
set -euo pipefail

seconds="${1:-15}"
shift || true
rows=("$@")
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bindir="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)"
[ -x "${bindir}/initdb" ] || { echo "bench-store: PostgreSQL not found (apt-get install postgresql)" >&2; exit 1; }
work="$(mktemp -d)"
receiver_pid=""
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "${work}"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  if [ -n "${receiver_pid}" ] && kill -0 "${receiver_pid}" 2>/dev/null; then
    kill -TERM "${receiver_pid}"; wait "${receiver_pid}" 2>/dev/null || true
  fi
  if [ -f "${work}/data/postmaster.pid" ]; then
    "${as_pg[@]}" "${bindir}/pg_ctl" -D "${work}/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "bench-store: building..." >&2
dotnet build "${repo}/EdgeAgent.Benchmarks/EdgeAgent.Benchmarks.csproj" -c Release -v quiet -nologo >&2
bench="${repo}/EdgeAgent.Benchmarks/bin/Release/net10.0/EdgeAgent.Benchmarks.dll"
agent="${repo}/EdgeAgent/bin/Release/net10.0/edge-agent.dll"

pg_port="$(free_port)"
"${as_pg[@]}" "${bindir}/initdb" -D "${work}/data" -A trust -U edgeagent -E UTF8 --locale=C >/dev/null
"${as_pg[@]}" "${bindir}/pg_ctl" -D "${work}/data" -l "${work}/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p ${pg_port} -k ${work} ${PG_OPTIONS:-}" start >/dev/null
postmaster="$(head -n 1 "${work}/data/postmaster.pid")"

rx_port="$(free_port)"
dotnet "${agent}" receive --listen "127.0.0.1:${rx_port}" --store "postgresql://edgeagent@127.0.0.1:${pg_port}/postgres" > "${work}/receiver.log" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "${work}/receiver.log" && break; sleep 0.2; done
grep -q "listening on" "${work}/receiver.log" || { cat "${work}/receiver.log" >&2; exit 1; }
if [ -n "${STORE_COMPRESSION:-}" ]; then
  "${bindir}/psql" -q -h 127.0.0.1 -p "${pg_port}" -U edgeagent -d postgres -v ON_ERROR_STOP=1 -c "
    DO \$\$ BEGIN EXECUTE (SELECT 'ALTER TABLE edgeagent_batches ' || string_agg(format('ALTER COLUMN %I SET COMPRESSION ${STORE_COMPRESSION}', attname), ', ')
      FROM pg_attribute WHERE attrelid = 'edgeagent_batches'::regclass AND attnum > 0 AND NOT attisdropped AND attlen = -1 AND atttypid <> 'text'::regtype); END \$\$;" >&2
  echo "bench-store: sample columns compressed with ${STORE_COMPRESSION}" >&2
fi

# CPU ticks of the receiver and of the PostgreSQL server with its children (backends, WAL writer, checkpointer).
ticks() {
  python3 - "${receiver_pid}" "${postmaster}" <<'PY'
import os, sys
rx, pm = int(sys.argv[1]), int(sys.argv[2])
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[1]), int(parts[11]) + int(parts[12])   # ppid, utime + stime
pg = 0
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            ppid, t = stat(int(d))
        except OSError:
            continue
        if int(d) == pm or ppid == pm:
            pg += t
print(stat(rx)[1], pg)
PY
}

echo "| robots | rate | batches/s stored | samples/s stored | duplicates | send to commit p50 / p99 / max (ms) | receiver CPU per 1000 samples/s (% of a core) | PostgreSQL CPU per 1000 samples/s (% of a core) |"
echo "|---|---|---|---|---|---|---|---|"
hz="$(getconf CLK_TCK)"
run() {
  local robots="$1" rate="$2"
  read -r rx0 pg0 < <(ticks)
  local t0 t1 line
  t0="$(date +%s.%N)"
  line="$(dotnet "${bench}" store-load "http://127.0.0.1:${rx_port}" "${robots}" "${seconds}" "${rate}")"
  t1="$(date +%s.%N)"
  read -r rx1 pg1 < <(ticks)
  python3 - "${line}" "${rx0}" "${rx1}" "${pg0}" "${pg1}" "${t0}" "${t1}" "${hz}" <<'PY'
import sys
line, rx0, rx1, pg0, pg1, t0, t1, hz = sys.argv[1], *map(float, sys.argv[2:])
cells = [c.strip() for c in line.strip().strip("|").split("|")]
samples = float(cells[3].replace(",", ""))
wall = t1 - t0
def per_k(d): return (d / hz / wall * 100) / (samples / 1000) if samples > 0 else float("nan")
print(f"{line.rstrip()} {per_k(rx1 - rx0):.3f} | {per_k(pg1 - pg0):.3f} |")
PY
}
if [ "${#rows[@]}" -gt 0 ]; then
  for robots in "${rows[@]}"; do run "${robots}" 0; done
  exit 0
fi
run 1 0
run 10 0
run 100 0
run 200 0
# A fleet's rate: 1000 robots sampling at 100 Hz send 1000 batches/s (one 100-sample batch per robot per second).
run 1000 1
