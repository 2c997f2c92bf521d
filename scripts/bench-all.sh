#!/usr/bin/env bash
# Re-measures every figure of docs/BENCHMARKS.md in one go and prints the page's tables (Markdown) on stdout;
# progress goes to stderr. Everything runs at the shipped configuration (config/agent.yaml) unless a row says
# which setting it changes. Each comparison runs its alternative in the same invocation: read the ratios.
#   1. loop timing: `diagnose timing` (agent sleep + spin, its clock_nanosleep alone, cyclictest at the same
#      period and priority), idle and under stress-ng --cpu 2
#   2. the agent running on the simulated robot, ReadyToRun (JIT) build vs NativeAOT build: 14 starts each
#      (start to first motor tick, RSS), then a 60 s run each (rates, compute, CPU, RSS, hypervisor steal)
#   2b. the motor tick's compute p99 with one part of the agent off or moved at a time (scripts/bench-compute.sh)
#   3. BenchmarkDotNet: the motor tick, the ring vs a bounded Channel (in one process), CDR, the batch
#      encoder, the spill
#   4. the uplink against a receiver process: bare unary and stream clients vs the pipeline, allocation, CPU;
#      the replay of a 1 h 1 kHz backlog (36,000 batches) at the shipped replay_rate_per_second and fsync
#   5. the fleet store: one receiver + PostgreSQL under 1-1000 simulated robots (scripts/bench-store.sh)
#   (BenchmarkDotNet runs in process: each comparison shares one process, and no generated project is built.)
# Usage: sudo scripts/bench-all.sh [--seconds N]   (N: the length of the timing and run phases, default 30/60)
# Needs root (SCHED_FIFO, mlockall), rt-tests, stress-ng, jq, python3, clang + lld (the NativeAOT build).
# Takes about 25 minutes on a 2-vCPU VM. Run it on an otherwise idle machine.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
timing_seconds=30
run_seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) timing_seconds="$2"; run_seconds="$2"; shift 2 ;;
    *) echo "bench-all: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in dotnet jq stress-ng cyclictest python3; do
  command -v "${tool}" >/dev/null || { echo "bench-all: ${tool} not found (apt-get install rt-tests stress-ng jq python3)" >&2; exit 1; }
done
out="$(mktemp -d)"
stress_pid=""
cleanup() {
  if [ -n "${stress_pid}" ] && kill -0 "${stress_pid}" 2>/dev/null; then
    kill "${stress_pid}" 2>/dev/null || true
    wait "${stress_pid}" 2>/dev/null || true
  fi
  rm -rf "${out}"
}
trap cleanup EXIT
config="${repo}/config/agent.yaml"

echo "bench-all: building (Release, ReadyToRun publish, NativeAOT publish)..." >&2
dotnet build "${repo}/EdgeAgent.sln" -c Release -v quiet -nologo >&2
dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-x64 --self-contained true -o "${out}/r2r" -v quiet -nologo >&2
bash "${repo}/scripts/check-aot.sh" --runtime linux-x64 --out "${out}" >&2
cp -r "${out}/aot-linux-x64" "${out}/aot"

echo "## Machine"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), kernel $(uname -r), $(dotnet --version) SDK; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---- 1. loop timing ------------------------------------------------------------------------------------
echo "bench-all: timing, idle (${timing_seconds} s agent + ${timing_seconds} s cyclictest)..." >&2
"${out}/r2r/edge-agent" diagnose timing --config "${config}" --seconds "${timing_seconds}" --json > "${out}/timing-idle.json"
echo "bench-all: timing under stress-ng --cpu 2..." >&2
stress-ng --cpu 2 --timeout "$(( timing_seconds * 2 + 30 ))s" --quiet &
stress_pid=$!
sleep 2
"${out}/r2r/edge-agent" diagnose timing --config "${config}" --seconds "${timing_seconds}" --json > "${out}/timing-stress.json"
kill "${stress_pid}" 2>/dev/null || true
wait "${stress_pid}" 2>/dev/null || true
stress_pid=""

python3 - "${out}/timing-idle.json" "${out}/timing-stress.json" <<'PY'
import json, sys
def f(v): return "n/a" if v is None else f"{v:.2f}"
def r(a, b): return "n/a" if a is None or b in (None, 0) else f"{a / b:.2f}"
print("## Loop timing (wake-up error, µs)")
print()
d = json.load(open(sys.argv[1]))
print(f"{d['rateHz']:.0f} Hz, SCHED_FIFO {d['priority']}, spin margin {d['spinMarginUs']:.0f} µs, {d['seconds']:.0f} s per run; cyclictest ran right after the agent: `{d['cyclictest']['command']}`")
print()
print("| condition | row | p50 | p99 | p99.9 | max |")
print("|---|---|---|---|---|---|")
for name, path in (("idle", sys.argv[1]), ("stress-ng --cpu 2", sys.argv[2])):
    d = json.load(open(path))
    a, s, c = d["agent"]["wakeupErrorUs"], d["agent"]["sleepLatencyUs"], d["cyclictest"].get("latencyUs") or {}
    print(f"| {name} | agent sleep + spin (what the controllers see) | {f(a['p50'])} | {f(a['p99'])} | {f(a['p99_9'])} | {f(a['max'])} |")
    print(f"| {name} | agent clock_nanosleep alone | {f(s['p50'])} | {f(s['p99'])} | {f(s['p99_9'])} | {f(s['max'])} |")
    print(f"| {name} | cyclictest ({d['cyclictest'].get('overflows', 0)} past its {d['cyclictest'].get('histogramRangeUs', 0)} µs histogram) | {f(c.get('p50'))} | {f(c.get('p99'))} | {f(c.get('p99_9'))} | {f(c.get('max'))} |")
    print(f"| {name} | **ratio clock_nanosleep / cyclictest** (like for like) | {r(s['p50'], c.get('p50'))} | {r(s['p99'], c.get('p99'))} | {r(s['p99_9'], c.get('p99_9'))} | {r(s['max'], c.get('max'))} |")
    print(f"| {name} | agent overruns | {d['agent']['overruns']} of {d['agent']['ticks']} ticks | | | |")
print()
PY

# ---- 2. the agent running: ReadyToRun vs NativeAOT -------------------------------------------------------
steal() { awk '/^cpu /{print $9}' /proc/stat; }
for build in r2r aot; do
  echo "bench-all: ${build}: 14 starts..." >&2
  for i in $(seq 1 14); do
    EDGEAGENT__SPILL__DIRECTORY="${out}/spill-${build}-start${i}" \
      "${out}/${build}/edge-agent" run --config "${config}" --duration 1s --quiet --summary "${out}/${build}-start${i}.json" >/dev/null 2>&1
  done
  echo "bench-all: ${build}: ${run_seconds} s run..." >&2
  s0=$(steal); t0=$(date +%s.%N)
  EDGEAGENT__SPILL__DIRECTORY="${out}/spill-${build}-run" \
    "${out}/${build}/edge-agent" run --config "${config}" --duration "${run_seconds}s" --quiet --summary "${out}/${build}-run.json" >/dev/null 2>&1
  s1=$(steal); t1=$(date +%s.%N)
  python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / (float(sys.argv[4]) - float(sys.argv[3])) / $(nproc))" "${s0}" "${s1}" "${t0}" "${t1}" > "${out}/${build}-steal.txt"
done
python3 - "${out}" "$(getconf CLK_TCK)" "$(stat -c %s "${out}/aot/edge-agent")" "$(du -sb "${out}/r2r" | cut -f1)" <<'PY'
import json, statistics, sys, os
out, hz, aot_size, r2r_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def starts(build):
    xs = [json.load(open(os.path.join(out, f"{build}-start{i}.json")))["process"] for i in range(1, 15)]
    return [x["start_to_first_tick_ms"] for x in xs], [x["rss_mb"] for x in xs]
def run(build): return json.load(open(os.path.join(out, f"{build}-run.json")))
def steal(build): return float(open(os.path.join(out, f"{build}-steal.txt")).read()) / hz * 100
print("## The agent on the simulated robot: ReadyToRun (JIT) vs NativeAOT")
print()
print("Shipped configuration (observability endpoint on 127.0.0.1:9464, flight recorder), each start `run --duration 1s`.")
print()
print("| figure | ReadyToRun | NativeAOT | goal |")
print("|---|---|---|---|")
(rs, rr), (as_, ar) = starts("r2r"), starts("aot")
print(f"| start to first motor tick, 14 starts: median / max (ms) | {statistics.median(rs):.0f} / {max(rs):.0f} | {statistics.median(as_):.0f} / {max(as_):.0f} | ≤ 300 in 14 of 14 |")
print(f"| starts over 300 ms | {sum(1 for x in rs if x > 300)} of 14 | {sum(1 for x in as_ if x > 300)} of 14 | 0 |")
print(f"| RSS 1 s after start, median (MB) | {statistics.median(rr):.1f} | {statistics.median(ar):.1f} | |")
print(f"| size on disk (MB) | {r2r_size / 1e6:.1f} (directory) | {aot_size / 1e6:.1f} (one file) | |")
a, b = run("r2r"), run("aot")
def row(label, fn, goal=""):
    print(f"| {label} | {fn(a)} | {fn(b)} | {goal} |")
row("motor rate (Hz) / overruns", lambda d: f"{d['motor']['rate_hz']} / {d['motor']['overruns']}", "1000")
row("balance rate (Hz) / overruns", lambda d: f"{d['balance']['rate_hz']} / {d['balance']['overruns']}", "100")
row("motor wake-up error p50 / p99 / p99.9 / max (µs)", lambda d: " / ".join(str(d['motor']['wakeup_error'][k]) for k in ("p50_us", "p99_us", "p999_us", "max_us")))
row("motor tick compute p50 / p99 / max (µs)", lambda d: " / ".join(str(d['motor']['compute'][k]) for k in ("p50_us", "p99_us", "max_us")), "p99 ≤ 20")
row("motor ticks over 20 µs compute / motor thread page faults after warm-up", lambda d: f"{d['motor']['compute']['over_20us']} / {d['motor']['thread']['minor_faults']}", "")
row("bytes allocated on the motor / balance thread", lambda d: f"{d['motor']['allocated_bytes']} / {d['balance']['allocated_bytes']}", "0 / 0")
row("CPU while the loops run (% of one core)", lambda d: str(d['process']['loops_cpu_percent_of_one_core']), "≤ 15")
row("RSS at the end of the run (MB)", lambda d: str(d['process']['rss_mb']), "≤ 60")
row("safety at the end (cause) / longest control gap (ms)", lambda d: f"{d['safety']['state']} ({d['safety']['cause']}) / {d['safety'].get('longest_control_gap_ms', 'n/a')}")
print(f"| hypervisor steal during the run (% of the machine) | {steal('r2r'):.2f} | {steal('aot'):.2f} | |")
print()
PY

# ---- 2b. what moves the compute p99 (NativeAOT, one part off or moved at a time) ------------------------------
echo "bench-all: compute p99 by condition (10 runs of $(( run_seconds / 2 )) s)..." >&2
echo "## What moves the motor tick's compute p99 (NativeAOT, scripts/bench-compute.sh)"
echo
bash "${repo}/scripts/bench-compute.sh" "${out}/aot/edge-agent" "$(( run_seconds / 2 ))"
echo

# ---- 3. BenchmarkDotNet ---------------------------------------------------------------------------------
bdn() {
  local filter="$1"; shift
  echo "bench-all: BenchmarkDotNet ${filter}..." >&2
  ( cd "${out}" && dotnet run -c Release --no-build --project "${repo}/EdgeAgent.Benchmarks" -- --filter "${filter}" --job short "$@" >/dev/null 2>&1 )
}
bdn '*ControlTick*' --inProcess
bdn '*RingBenchmarks*' --inProcess
bdn '*Cdr*' --inProcess
bdn '*BatchEncoder*' --inProcess
bdn '*SpillAppend*' --inProcess
echo "## Microbenchmarks (BenchmarkDotNet, --job short)"
echo
for name in ControlTickBenchmarks RingBenchmarks CdrBenchmarks BatchEncoderBenchmarks SpillAppendBenchmarks; do
  report="${out}/BenchmarkDotNet.Artifacts/results/EdgeAgent.Benchmarks.${name}-report-github.md"
  echo "### ${name}"
  echo
  # Rows of a job that could not run in process (a benchmark's own out-of-process job) show **NA**: left out.
  if [ -f "${report}" ]; then sed -n '/^|/p' "${report}" | grep -v '\*\*NA\*\*'; else echo "(no report: the run failed)"; fi
  echo
done

# ---- 4. the uplink ---------------------------------------------------------------------------------------
echo "bench-all: uplink harness..." >&2
bench="${repo}/EdgeAgent.Benchmarks/bin/Release/net10.0/EdgeAgent.Benchmarks.dll"
echo "## Uplink (one receiver process on loopback, 100-sample 12-joint batches)"
echo
dotnet "${bench}" telemetry
echo "bench-all: replay of a 1 h 1 kHz backlog at the shipped config..." >&2
dotnet "${bench}" replay 36000
echo

# ---- 5. the fleet store ----------------------------------------------------------------------------------
echo "bench-all: fleet store (receiver + PostgreSQL)..." >&2
echo "## Fleet store (edge-agent receive --store, PostgreSQL, scripts/bench-store.sh)"
echo
bash "${repo}/scripts/bench-store.sh" 15
echo
echo "### The same with the sample columns on PostgreSQL's default compression (pglz)"
echo
STORE_COMPRESSION=pglz bash "${repo}/scripts/bench-store.sh" 15
echo
