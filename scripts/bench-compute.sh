#!/usr/bin/env bash
# What moves the motor tick's compute p99: the same run on the simulated robot with one part of the agent
# switched off or moved at a time, read from the loop's own compute histogram (`run --summary`).
#   shipped              config/agent.yaml as installed
#   no telemetry         sampling.rate_hz: 1 (no samples into the ring at 100 Hz, the uplink drain idles)
#   no endpoint          observability.listen: "" (no Kestrel, no scrapes)
#   pinned               timing.motor_cpu: 1, timing.balance_cpu: 0 (the motor loop alone on CPU 1)
#   pinned + neighbour   as pinned, with stress-ng --cpu 1 --taskset 0 on the other CPU
# Each condition runs twice; the table gives compute p50 / p99 / max and the motor thread's page faults and
# involuntary context switches over the run, and the machine's steal time.
# Usage: scripts/bench-compute.sh [AGENT_BINARY] [SECONDS]
#   (default: artifacts/aot-linux-x64/edge-agent, built by scripts/check-aot.sh; 30 s; needs root, python3)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="${1:-${repo}/artifacts/aot-linux-x64/edge-agent}"
seconds="${2:-30}"
config="${repo}/config/agent.yaml"
out="$(mktemp -d)"
stress_pid=""
cleanup() {
  if [[ -n "${stress_pid}" ]] && kill -0 "${stress_pid}" 2>/dev/null; then
    kill -TERM "${stress_pid}"; wait "${stress_pid}" 2>/dev/null || true
  fi
  rm -rf "${out}"
}
trap cleanup EXIT

if [[ ! -x "${agent}" ]]; then
  echo "bench-compute: no agent binary at ${agent} (build it: scripts/check-aot.sh --runtime linux-x64)" >&2
  exit 2
fi

steal() { awk '/^cpu /{print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }

run_one() {
  local name="$1" i="$2"; shift 2
  local before after
  before="$(steal)"
  env "$@" EDGEAGENT__SPILL__DIRECTORY="${out}/spill-${name// /_}-${i}" \
    "${agent}" run --config "${config}" --duration "${seconds}s" --quiet --summary "${out}/${name// /_}-${i}.json" >/dev/null
  after="$(steal)"
  echo "${before} ${after}" > "${out}/${name// /_}-${i}.steal"
}

for i in 1 2; do
  run_one "shipped" "$i"
  run_one "no telemetry" "$i" EDGEAGENT__SAMPLING__RATE_HZ=1
  run_one "no endpoint" "$i" EDGEAGENT__OBSERVABILITY__LISTEN=
  run_one "pinned" "$i" EDGEAGENT__TIMING__MOTOR_CPU=1 EDGEAGENT__TIMING__BALANCE_CPU=0
  stress-ng --cpu 1 --taskset 0 --timeout "$((seconds + 30))s" >/dev/null 2>&1 &
  stress_pid=$!
  run_one "pinned + neighbour" "$i" EDGEAGENT__TIMING__MOTOR_CPU=1 EDGEAGENT__TIMING__BALANCE_CPU=0
  kill -TERM "${stress_pid}"; wait "${stress_pid}" 2>/dev/null || true
  stress_pid=""
done

python3 - "${out}" <<'PY'
import json, sys
out = sys.argv[1]
print("| condition | run | compute p50 / p99 / max (µs) | ticks over 20 µs | motor thread minor faults / involuntary switches | steal (% of the machine) |")
print("|---|---|---|---|---|---|")
for name in ["shipped", "no telemetry", "no endpoint", "pinned", "pinned + neighbour"]:
    for i in (1, 2):
        key = f"{out}/{name.replace(' ', '_')}-{i}"
        d = json.load(open(key + ".json"))
        m = d["motor"]
        c = m["compute"]
        s0, t0, s1, t1 = map(int, open(key + ".steal").read().split())
        steal = 100.0 * (s1 - s0) / max(1, t1 - t0)
        over = c.get("over_20us", "n/a")
        th = m.get("thread", {})
        print(f"| {name} | {i} | {c['p50_us']} / {c['p99_us']} / {c['max_us']} | {over} | {th.get('minor_faults', 'n/a')} / {th.get('involuntary_switches', 'n/a')} | {steal:.2f} |")
PY
