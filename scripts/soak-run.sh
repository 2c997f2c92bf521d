#!/usr/bin/env bash
# First-run soak: N runs of `edge-agent run` on the default configuration (the simulated robot), each
# SECONDS long, with cyclictest beside it at the same period and priority as the motor loop (the kernel's
# own measure of wake-up latency, in the same seconds). Per run: did the robot stay OK (no trip), the longest
# control gap the agent saw vs cyclictest's worst wake-up, the largest tilt (run and shutdown stop), how the
# shutdown stop ended, CPU and RSS.
# Usage: scripts/soak-run.sh [RUNS] [SECONDS] [--stress]   (root for SCHED_FIFO/mlockall; rt-tests, python3;
#        --stress runs `stress-ng --cpu 2` beside each run, stopped by its PID)
set -euo pipefail

runs="${1:-10}"
seconds="${2:-60}"
stress=0
[ "${3:-}" = "--stress" ] && stress=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
bin="${repo}/artifacts/linux-x64"
stress_pid=""
cleanup() {
  if [ -n "${stress_pid}" ]; then kill "${stress_pid}" 2>/dev/null || true; wait "${stress_pid}" 2>/dev/null || true; fi
  rm -rf "${out}"
}
trap cleanup EXIT

command -v cyclictest >/dev/null || { echo "soak-run.sh: needs cyclictest (apt-get install rt-tests)" >&2; exit 1; }
if [ "${stress}" -eq 1 ]; then
  command -v stress-ng >/dev/null || { echo "soak-run.sh: --stress needs stress-ng (apt-get install stress-ng)" >&2; exit 1; }
fi

echo "Publishing Release (ReadyToRun, self-contained) to ${bin}..." >&2
dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-x64 --self-contained true -o "${bin}" -v quiet -nologo >&2
agent="${bin}/edge-agent"
config="${repo}/config/agent.yaml"
priority="$(sed -n 's/^  motor_priority: *\([0-9]*\).*/\1/p' "${config}")"

for i in $(seq 1 "${runs}"); do
  echo "Run ${i}/${runs}: ${seconds} s$([ "${stress}" -eq 1 ] && echo ' under stress-ng --cpu 2')..." >&2
  if [ "${stress}" -eq 1 ]; then
    stress-ng --cpu 2 --timeout "$((seconds + 30))s" --quiet & stress_pid=$!
  fi
  cyclictest -q -m -t1 -p "${priority}" -i 1000 -D "${seconds}s" > "${out}/cyclictest${i}.txt" 2>&1 & cyc=$!
  # Each run its own spill directory: the flight recorder keeps every batch, and one agent holds a directory.
  EDGEAGENT__SPILL__DIRECTORY="${out}/spill${i}" "${agent}" run --config "${config}" --duration "${seconds}s" --quiet \
    --summary "${out}/run${i}.json" > "${out}/log${i}.txt" 2>&1 || echo "run ${i}: exit $?" >&2
  wait "${cyc}" || true
  if [ -n "${stress_pid}" ]; then kill "${stress_pid}" 2>/dev/null || true; wait "${stress_pid}" 2>/dev/null || true; stress_pid=""; fi
  rm -rf "${out}/spill${i}"
done

python3 - "${out}" "${runs}" "${seconds}" <<'PY'
import json, os, re, sys
out, runs, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows, ok = [], 0
for i in range(1, runs + 1):
    path = os.path.join(out, f"run{i}.json")
    if not os.path.exists(path):
        rows.append(f"| {i} | no summary (see the run's log) | | | | | | |"); continue
    d = json.load(open(path))
    s, m, p = d["safety"], d["motor"], d["process"]
    cyc = open(os.path.join(out, f"cyclictest{i}.txt")).read()
    found = re.search(r"Max:\s*(\d+)", cyc)
    cyc_max = f"{int(found.group(1)) / 1000:.2f}" if found else "n/a"
    stayed = s["state"] == "OK" and sum(s["trips"].values()) == s["trips"].get("requested", 0)
    ok += stayed
    state = "OK" if stayed else f"{s['state']} ({s['cause']})"
    print_stop = f"{s['stop_category']} {s['stop_phase']} in {s['shutdown_stop_ms']:.0f} ms"
    rows.append(f"| {i} | {state} | {s['longest_control_gap_ms']:.2f} | {m['wakeup_error']['max_us'] / 1000:.2f} | {cyc_max} | {s['max_tilt_deg']:.2f} | {print_stop} | {p['loops_cpu_percent_of_one_core']} / {p['rss_mb']} |")
print(f"{ok} of {runs} runs of {seconds} s stayed OK (no trip before the shutdown stop)\n")
print("| run | safety | longest control gap (ms) | motor wake-up max (ms) | cyclictest max (ms) | max tilt (°) | shutdown stop | loops CPU % / RSS MB |")
print("|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
PY
