#!/usr/bin/env bash
# Loop timing benchmark: the agent's wake-up error against cyclictest, idle and under stress-ng load.
# Usage: scripts/bench-timing.sh [SECONDS] [extra diagnose flags, e.g. --cpu 1 --spin-margin 200us]
# Needs root (SCHED_FIFO, mlockall), rt-tests (cyclictest), stress-ng, jq.
set -euo pipefail

seconds="${1:-30}"
shift || true
extra=("$@")

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
stress_pid=""

cleanup() {
  if [[ -n "${stress_pid}" ]] && kill -0 "${stress_pid}" 2>/dev/null; then
    kill "${stress_pid}" 2>/dev/null || true
    wait "${stress_pid}" 2>/dev/null || true
  fi
}
trap cleanup EXIT

for tool in dotnet jq stress-ng cyclictest; do
  command -v "${tool}" >/dev/null || { echo "bench-timing: ${tool} not found (apt-get install rt-tests stress-ng jq)" >&2; exit 1; }
done

echo "Building Release..." >&2
dotnet build "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -v quiet -nologo >&2
agent=("dotnet" "${repo}/EdgeAgent/bin/Release/net10.0/edge-agent.dll")

echo "Idle: agent ${seconds} s, then cyclictest ${seconds} s..." >&2
"${agent[@]}" diagnose timing --seconds "${seconds}" --json "${extra[@]}" > "${out}/idle.json"

# The load has to cover both runs (agent, then cyclictest) plus start-up.
load_seconds=$(( seconds * 2 + 30 ))
echo "Loaded: stress-ng --cpu 2 --timeout ${load_seconds}s..." >&2
stress-ng --cpu 2 --timeout "${load_seconds}s" --quiet &
stress_pid=$!
sleep 2
"${agent[@]}" diagnose timing --seconds "${seconds}" --json "${extra[@]}" > "${out}/stress.json"
cleanup
stress_pid=""

row() {
  local condition="$1" file="$2"
  jq -r --arg c "${condition}" '
    def f: if . == null then "n/a" else (. * 100 | round / 100 | tostring) end;
    .agent.wakeupErrorUs as $a | .agent.sleepLatencyUs as $s | (.cyclictest.latencyUs // {}) as $ct |
    "| \($c) | \($a.p50|f) | \($a.p99|f) | \($a.p99_9|f) | \($a.max|f) | \($s.p99|f) | \($s.p99_9|f) | \($s.max|f) | \($ct.p50|f) | \($ct.p99|f) | \($ct.p99_9|f) | \($ct.max|f) | \(.agent.overruns) |"' "${file}"
}

settings="$(jq -r '"\(.rateHz) Hz, SCHED_FIFO \(.priority), CPU \(if .cpu < 0 then "any" else .cpu end), spin margin \(.spinMarginUs) µs, \(.seconds) s per run"' "${out}/idle.json")"
echo
echo "Wake-up error in µs (${settings}); host $(uname -r), $(nproc) CPUs"
echo
echo "| condition | agent p50 | agent p99 | agent p99.9 | agent max | agent sleep p99 | agent sleep p99.9 | agent sleep max | cyclictest p50 | cyclictest p99 | cyclictest p99.9 | cyclictest max | overruns |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
row "idle" "${out}/idle.json"
row "stress-ng --cpu 2" "${out}/stress.json"
echo
echo "agent = sleep + spin (what the loop body sees); agent sleep = clock_nanosleep alone (kernel wake-up latency, comparable to cyclictest). JSON: ${out}" >&2
