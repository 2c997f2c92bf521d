#!/usr/bin/env bash
# Builds the linux-arm64 agent (what Dockerfile.arm64 ships) and runs it under qemu-user emulation:
# --version, check-config, and a 5 s run on the simulated robot with a summary.
# Usage: scripts/check-arm64.sh [--out DIR]   (Debian: installs qemu-user-static and the arm64 C/C++ runtimes when root)
#   --out DIR  where the linux-arm64 publish goes (default artifacts/linux-arm64)
# Under emulation each guest instruction costs several host ones and the translator stalls for tens of ms, so
# the run relaxes the stall limits (max_control_gap 1 s, missed_period_limit 0.9) and accepts >= 800 Hz: the
# check is that the arm64 build runs and balances, not the timing of an emulated CPU.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${repo}/artifacts/linux-arm64"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "check-arm64: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross >/dev/null
  else
    echo "check-arm64: needs qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross (run as root to install)" >&2
    exit 1
  fi
fi

dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-arm64 --self-contained true -o "${out}" -v quiet -nologo >&2
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
agent=(qemu-aarch64-static "${out}/edge-agent")
"${agent[@]}" --version
"${agent[@]}" check-config "${repo}/config/agent.yaml"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
summary="${work}/summary.json"
EDGEAGENT__SAFETY__MAX_CONTROL_GAP=1s EDGEAGENT__SAFETY__MISSED_PERIOD_LIMIT=0.9 EDGEAGENT__OBSERVABILITY__LISTEN=127.0.0.1:0 \
  EDGEAGENT__SPILL__DIRECTORY="${work}/spill" \
  "${agent[@]}" run --config "${repo}/config/agent.yaml" --duration 5s --quiet --summary "${summary}" >/dev/null
python3 - "${summary}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["motor"]
print(f"linux-arm64 under qemu: motor {m['rate_hz']} Hz, {m['overruns']} overruns, compute p99 {m['compute']['p99_us']} us, safety {d['safety']['state']}")
sys.exit(0 if d["safety"]["state"] == "OK" and m["rate_hz"] > 800 else 1)
PY
