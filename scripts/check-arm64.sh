#!/usr/bin/env bash
# Builds the linux-arm64 agent (what Dockerfile.arm64 ships) and runs it under qemu-user emulation:
# --version, check-config, and a 5 s run on the simulated robot with a summary.
# Usage: scripts/check-arm64.sh   (Debian: installs qemu-user-static and the arm64 C/C++ runtimes when root)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross >/dev/null
  else
    echo "check-arm64: needs qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross (run as root to install)" >&2
    exit 1
  fi
fi

out="${repo}/artifacts/linux-arm64"
dotnet publish "${repo}/EdgeAgent/EdgeAgent.csproj" -c Release -r linux-arm64 --self-contained true -o "${out}" -v quiet -nologo >&2
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
agent=(qemu-aarch64-static "${out}/edge-agent")
"${agent[@]}" --version
"${agent[@]}" check-config "${repo}/config/agent.yaml"
summary="$(mktemp)"
"${agent[@]}" run --config "${repo}/config/agent.yaml" --duration 5s --quiet --summary "${summary}" >/dev/null
python3 - "${summary}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["motor"]
print(f"linux-arm64 under qemu: motor {m['rate_hz']} Hz, {m['overruns']} overruns, compute p99 {m['compute']['p99_us']} us, safety {d['safety']['state']}")
sys.exit(0 if d["safety"]["state"] == "OK" and m["rate_hz"] > 980 else 1)
PY
rm -f "${summary}"
