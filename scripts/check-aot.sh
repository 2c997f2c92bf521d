#!/usr/bin/env bash
# The NativeAOT build: `dotnet publish -p:PublishAot=true` for linux-x64 and linux-arm64 with every warning an
# error (a trim or AOT warning means reflection the trimmer cannot see: an option that would silently not bind),
# then the same smoke checks as the JIT build: --version, check-config of the shipped file and of a broken one
# (the errors must match the JIT build's word for word), and a 5 s run on the simulated robot that stays OK
# (linux-arm64 under qemu-user, with the stall limits relaxed as in scripts/check-arm64.sh).
# Usage: scripts/check-aot.sh [--out DIR] [--runtime linux-x64|linux-arm64]...   (default: both, into artifacts/aot-RID)
# Needs clang and lld (the native link) and, for linux-arm64, the aarch64 cross C runtime
# (gcc-aarch64-linux-gnu libc6-dev-arm64-cross) and qemu-user-static; installs them when root.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${repo}/artifacts"
runtimes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --runtime) runtimes+=("$2"); shift 2 ;;
    *) echo "check-aot: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${#runtimes[@]}" -gt 0 ] || runtimes=(linux-x64 linux-arm64)

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v ld.lld >/dev/null 2>&1 || need+=(lld)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "check-aot: needs ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
printf 'motor:\n  rate_hz: fast\n  bogus: 1\n' > "${work}/broken.yaml"
jit="${repo}/EdgeAgent/bin/Release/net10.0/edge-agent.dll"
[ -f "${jit}" ] || dotnet build "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -v quiet -nologo >&2
jit_errors="$(dotnet "${jit}" check-config "${work}/broken.yaml" 2>&1 || true)"

for rid in "${runtimes[@]}"; do
  dir="${out}/aot-${rid}"
  dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r "${rid}" -p:PublishAot=true -p:PublishReadyToRun=false \
    -warnaserror -o "${dir}" -v quiet -nologo >&2
  agent=("${dir}/edge-agent")
  relax=()
  if [ "${rid}" = linux-arm64 ]; then
    export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
    agent=(qemu-aarch64-static "${dir}/edge-agent")
    relax=(EDGEAGENT__SAFETY__MAX_CONTROL_GAP=1s EDGEAGENT__SAFETY__MISSED_PERIOD_LIMIT=0.9)
  fi
  "${agent[@]}" --version
  "${agent[@]}" check-config "${repo}/config/agent.yaml"
  aot_errors="$("${agent[@]}" check-config "${work}/broken.yaml" 2>&1 || true)"
  if [ "${aot_errors}" != "${jit_errors}" ]; then
    echo "check-aot: ${rid}: check-config of a broken file differs from the JIT build's:" >&2
    diff <(printf '%s\n' "${jit_errors}") <(printf '%s\n' "${aot_errors}") >&2 || true
    exit 1
  fi
  summary="${work}/summary-${rid}.json"
  env "${relax[@]}" EDGEAGENT__OBSERVABILITY__LISTEN=127.0.0.1:0 EDGEAGENT__SPILL__DIRECTORY="${work}/spill-${rid}" \
    "${agent[@]}" run --config "${repo}/config/agent.yaml" --duration 5s --quiet --summary "${summary}" >/dev/null
  size=$(stat -c %s "${dir}/edge-agent")
  python3 - "${summary}" "${rid}" "${size}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["motor"]
print(f"{sys.argv[2]} NativeAOT: {int(sys.argv[3]) / 1e6:.1f} MB, motor {m['rate_hz']} Hz, {m['overruns']} overruns, safety {d['safety']['state']}")
sys.exit(0 if d["safety"]["state"] == "OK" and m["rate_hz"] > 800 else 1)
PY
  if [ "${rid}" = linux-x64 ]; then
    # The fleet command link in the native build: ES256 verification (Microsoft.IdentityModel) and the gRPC
    # duplex call, through a native receiver, commanded by the native CLI.
    "${agent[@]}" fleet keygen --out "${work}/keys" >/dev/null
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${agent[@]}" receive --listen "127.0.0.1:${port}" >"${work}/receive.log" 2>&1 &
    receiver_pid=$!
    CLOUD_ENDPOINT="http://127.0.0.1:${port}" EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE="${work}/keys/fleet.pub" \
      EDGEAGENT__OBSERVABILITY__LISTEN=127.0.0.1:0 EDGEAGENT__SPILL__DIRECTORY="${work}/spill-commands" \
      "${agent[@]}" run --config "${repo}/config/agent.yaml" --duration 60s --quiet >"${work}/run-commands.log" 2>&1 &
    agent_pid=$!
    command=("${agent[@]}" fleet command robot-001 --key "${work}/keys/fleet.key" --receiver "http://127.0.0.1:${port}" --wait 5s)
    linked=no
    for _ in $(seq 1 150); do
      if "${command[@]}" snapshot >"${work}/snapshot.txt" 2>&1; then linked=yes; break; fi
      sleep 0.2
    done
    stopped="$("${command[@]}" safe_stop 2>&1 || true)"
    kill -TERM "${agent_pid}" "${receiver_pid}" 2>/dev/null || true
    wait "${agent_pid}" "${receiver_pid}" 2>/dev/null || true
    if [ "${linked}" != yes ] || [[ "${stopped}" != *"done: stopped: SAFE_STOP latched"* ]]; then
      echo "check-aot: ${rid}: the fleet command link failed (snapshot: $(tail -1 "${work}/snapshot.txt"); safe_stop: ${stopped})" >&2
      tail -20 "${work}/run-commands.log" >&2
      exit 1
    fi
    echo "${rid} NativeAOT: fleet commands (snapshot, safe_stop) verified and carried out"
  fi
done
