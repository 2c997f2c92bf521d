#!/usr/bin/env bash
# The uplink's CPU cost at the nominal rate, measured on the agent itself (published ReadyToRun binary):
# `run` streaming to a reference receiver for SECONDS at 1 kHz sampling, and at 1 Hz sampling (uplink idle),
# twice each; the difference of "CPU while the loops run" is what sampling + batching + sending cost.
# Usage: scripts/bench-uplink-cpu.sh [SECONDS]   (needs root for SCHED_FIFO/mlockall, python3)
set -euo pipefail

seconds="${1:-30}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${repo}/artifacts/linux-x64"
out="$(mktemp -d)"
receiver_pid=""
cleanup() {
  if [[ -n "${receiver_pid}" ]] && kill -0 "${receiver_pid}" 2>/dev/null; then
    kill -TERM "${receiver_pid}"; wait "${receiver_pid}" 2>/dev/null || true
  fi
  rm -rf "${out}"
}
trap cleanup EXIT

dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-x64 --self-contained true -o "${bin}" -v quiet -nologo >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${bin}/edge-agent" receive --listen "127.0.0.1:${port}" >/dev/null 2>&1 &
receiver_pid=$!
sleep 2

for rate in 1000 1 1000 1; do
  rm -rf "${out}/spill"
  EDGEAGENT__SAMPLING__RATE_HZ="${rate}" CLOUD_ENDPOINT="http://127.0.0.1:${port}" EDGEAGENT__SPILL__DIRECTORY="${out}/spill" \
    "${bin}/edge-agent" run --duration "${seconds}s" --quiet --summary "${out}/${rate}-$RANDOM.json" >/dev/null
done

python3 - "${out}" <<'PY'
import glob, json, statistics, sys
def cpu(rate):
    return [json.load(open(f))["process"]["loops_cpu_percent_of_one_core"] for f in glob.glob(f"{sys.argv[1]}/{rate}-*.json")]
busy, idle = cpu(1000), cpu(1)
print(f"| agent CPU, 1 kHz sampling streaming (% of one core) | {statistics.mean(busy):.2f} ({', '.join(map(str, busy))}) |")
print(f"| agent CPU, 1 Hz sampling (uplink idle) | {statistics.mean(idle):.2f} ({', '.join(map(str, idle))}) |")
print(f"| uplink + sampler cost at 1 kHz sampling | {statistics.mean(busy) - statistics.mean(idle):.2f} % of one core |")
PY
