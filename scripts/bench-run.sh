#!/usr/bin/env bash
# Run-level benchmarks of the agent on the simulated robot, with the published (ReadyToRun) binary:
#   - start to first motor tick (median of 5 starts),
#   - a 60 s run: loop rates, motor compute p99, CPU use while the loops run, RSS at the end.
# Usage: scripts/bench-run.sh [SECONDS]   (needs root for SCHED_FIFO/mlockall, python3)
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
bin="${repo}/artifacts/linux-x64"

echo "Publishing Release (ReadyToRun, self-contained) to ${bin}..." >&2
dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-x64 --self-contained true -o "${bin}" -v quiet -nologo >&2
agent="${bin}/edge-agent"
config="${repo}/config/agent.yaml"

echo "Start to first tick (5 starts)..." >&2
starts=()
for i in 1 2 3 4 5; do
  "${agent}" run --config "${config}" --duration 1s --quiet --summary "${out}/start${i}.json" >/dev/null
  starts+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["process"]["start_to_first_tick_ms"])' "${out}/start${i}.json")")
done

echo "Running ${seconds} s..." >&2
"${agent}" run --config "${config}" --duration "${seconds}s" --quiet --summary "${out}/run.json" >/dev/null

python3 - "${out}/run.json" "${starts[@]}" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
starts = [float(x) for x in sys.argv[2:]]
m, b, p = d["motor"], d["balance"], d["process"]
print(f"| figure | value | goal |")
print(f"|---|---|---|")
print(f"| start to first tick, median of 5 (ms) | {statistics.median(starts):.0f} (all: {', '.join(f'{s:.0f}' for s in starts)}) | <= 300 |")
print(f"| motor rate (Hz) / overruns | {m['rate_hz']} / {m['overruns']} | 1000 |")
print(f"| balance rate (Hz) / overruns | {b['rate_hz']} / {b['overruns']} | 100 |")
print(f"| motor wake-up error p50 / p99 / p99.9 / max (us) | {m['wakeup_error']['p50_us']} / {m['wakeup_error']['p99_us']} / {m['wakeup_error']['p999_us']} / {m['wakeup_error']['max_us']} | |")
print(f"| motor tick compute p50 / p99 / max (us), 12 joints + sim physics | {m['compute']['p50_us']} / {m['compute']['p99_us']} / {m['compute']['max_us']} | p99 <= 20 |")
print(f"| bytes allocated on the motor / balance thread | {m['allocated_bytes']} / {b['allocated_bytes']} | 0 |")
print(f"| CPU while the loops run (% of one core) | {p['loops_cpu_percent_of_one_core']} | <= 15 |")
print(f"| RSS at the end of the run (MB) | {p['rss_mb']} | <= 60 |")
print(f"| safety state | {d['safety']['state']} | OK |")
PY
rm -rf "${out}"
