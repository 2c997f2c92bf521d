#!/usr/bin/env bash
# Installs EdgeAgent on a robot (Debian/Ubuntu with systemd):
#   /opt/edge-agent/            the self-contained binary
#   /etc/edge-agent/agent.yaml  the configuration (kept if it already exists)
#   /etc/systemd/system/edge-agent.service
# Usage: sudo ./install.sh [--runtime linux-x64|linux-arm64] [--no-start] [--dry-run]
set -euo pipefail

runtime=""
start=1
dry=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$runtime" ]; then
  case "$(uname -m)" in
    x86_64) runtime=linux-x64 ;;
    aarch64|arm64) runtime=linux-arm64 ;;
    *) echo "install.sh: unsupported machine $(uname -m); pass --runtime" >&2; exit 2 ;;
  esac
fi

run() {
  echo "+ $*"
  if [ "$dry" -eq 0 ]; then "$@"; fi
}

if [ "$dry" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs a system service), or pass --dry-run" >&2
  exit 1
fi

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/artifacts/$runtime"
run dotnet publish "$here/EdgeAgent/EdgeAgent.csproj" -c Release -r "$runtime" --self-contained true -o "$out"

if ! getent passwd edge-agent >/dev/null 2>&1; then
  run useradd --system --no-create-home --home-dir /var/lib/edge-agent --shell /usr/sbin/nologin edge-agent
fi

run install -d -m 0755 /opt/edge-agent
run cp -a "$out/." /opt/edge-agent/
run install -m 0644 "$here/README.md" /opt/edge-agent/README.md
run install -d -m 0750 -o root -g edge-agent /etc/edge-agent
if [ ! -e /etc/edge-agent/agent.yaml ]; then
  run install -m 0640 -o root -g edge-agent "$here/config/agent.yaml" /etc/edge-agent/agent.yaml
else
  echo "keeping the existing /etc/edge-agent/agent.yaml (the shipped default is $here/config/agent.yaml)"
fi
run install -m 0644 "$here/config/edge-agent.service" /etc/systemd/system/edge-agent.service
run /opt/edge-agent/edge-agent check-config /etc/edge-agent/agent.yaml
run systemctl daemon-reload
if [ "$start" -eq 1 ]; then
  run systemctl enable --now edge-agent.service
  echo "started: journalctl -u edge-agent -f shows the status line"
fi
