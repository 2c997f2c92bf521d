#!/usr/bin/env bash
# What the observability endpoint costs the robot: two runs of the published agent on the simulated robot,
# side by side in the same minute, one with observability.listen "" (off) and one with the endpoint on and
# /metrics + /status scraped 10 times a second (50x a usual Prometheus scrape interval of 5 s). Reports the
# motor loop's wake-up error and compute time, allocations on the loop threads, CPU, RSS, start to first tick,
# and the scrape latency and size.
# Usage: scripts/bench-observability.sh [SECONDS]   (root for SCHED_FIFO/mlockall; curl, python3)
set -euo pipefail
seconds="${1:-30}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] && echo "kept ${work}" >&2 || rm -rf "${work}"' EXIT
bin="${repo}/artifacts/linux-x64"
echo "Publishing Release (ReadyToRun, self-contained) to ${bin}..." >&2
dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-x64 --self-contained true -o "${bin}" -v quiet -nologo >&2
agent="${bin}/edge-agent"
config="${repo}/config/agent.yaml"

echo "Run 1: endpoint off, ${seconds} s..." >&2
EDGEAGENT__OBSERVABILITY__LISTEN="" EDGEAGENT__SPILL__DIRECTORY="${work}/spill-off" \
  "${agent}" run --config "${config}" --duration "${seconds}s" --quiet --summary "${work}/off.json" >/dev/null

echo "Run 2: endpoint on, scraped at 10 Hz, ${seconds} s..." >&2
EDGEAGENT__OBSERVABILITY__LISTEN="127.0.0.1:0" EDGEAGENT__SPILL__DIRECTORY="${work}/spill-on" \
  "${agent}" run --config "${config}" --duration "${seconds}s" --quiet --summary "${work}/on.json" > "${work}/on.log" &
pid=$!
url=""
for _ in $(seq 1 200); do
  url="$(grep -o 'Observability endpoint on http://[0-9.:]*/' "${work}/on.log" | head -n 1 | sed 's/Observability endpoint on //')" || true
  [ -n "${url}" ] && break
  sleep 0.1
done
[ -n "${url}" ] || { echo "bench-observability: the endpoint did not start" >&2; kill "${pid}"; exit 1; }
: > "${work}/scrapes.txt"
while kill -0 "${pid}" 2>/dev/null; do
  curl -s -o "${work}/metrics.txt" -w '%{time_total} %{size_download}\n' "${url}metrics" >> "${work}/scrapes.txt" || true
  curl -s -o /dev/null "${url}status" || true
  sleep 0.1
done
wait "${pid}"

python3 - "${work}/off.json" "${work}/on.json" "${work}/scrapes.txt" <<'PY'
import json, statistics, sys
off, on = (json.load(open(p)) for p in sys.argv[1:3])
rows = [l.split() for l in open(sys.argv[3]) if l.strip() and float(l.split()[1]) > 0]
t = sorted(float(r[0]) * 1000 for r in rows)
def pct(xs, q): return xs[min(len(xs) - 1, int(q * len(xs)))]
print("| figure | endpoint off | on, scraped at 10 Hz |")
print("|---|---|---|")
for name, f in [
    ("motor rate (Hz) / overruns", lambda d: f"{d['motor']['rate_hz']} / {d['motor']['overruns']}"),
    ("motor wake-up error p99 / p99.9 / max (us)", lambda d: f"{d['motor']['wakeup_error']['p99_us']} / {d['motor']['wakeup_error']['p999_us']} / {d['motor']['wakeup_error']['max_us']}"),
    ("motor compute p50 / p99 / max (us)", lambda d: f"{d['motor']['compute']['p50_us']} / {d['motor']['compute']['p99_us']} / {d['motor']['compute']['max_us']}"),
    ("bytes allocated on the motor / balance thread", lambda d: f"{d['motor']['allocated_bytes']} / {d['balance']['allocated_bytes']}"),
    ("safety / longest control gap (ms)", lambda d: f"{d['safety']['state']} / {d['safety']['longest_control_gap_ms']}"),
    ("process CPU % of one core / loops' share", lambda d: f"{d['process']['cpu_percent_of_one_core']} / {d['process']['loops_cpu_percent_of_one_core']}"),
    ("GCs gen0 / gen1 / gen2, total pause (ms), whole process", lambda d: f"{d['process']['gc_gen0']} / {d['process']['gc_gen1']} / {d['process']['gc_gen2']}, {d['process']['gc_pause_total_ms']}"),
    ("RSS at the end (MB)", lambda d: f"{d['process']['rss_mb']}"),
    ("start to first motor tick (ms)", lambda d: f"{d['process']['start_to_first_tick_ms']}"),
]:
    print(f"| {name} | {f(off)} | {f(on)} |")
print(f"| /metrics scrapes: count, p50 / p99 / max latency (ms), size (KB) | | {len(t)}, {statistics.median(t):.1f} / {pct(t, 0.99):.1f} / {t[-1]:.1f}, {int(rows[-1][1]) / 1024:.0f} |")
PY
