#!/usr/bin/env bash
# Installs EdgeAgent from source on a robot (Debian/Ubuntu with systemd): builds the same Debian package as
# scripts/build-deb.sh and installs it with dpkg, so a source install and a package install are one thing:
#   /opt/edge-agent/                        the self-contained agent (replaced file by file by rename: a
#                                           running agent is stopped first, never overwritten in place)
#   /etc/edge-agent/agent.yaml              the configuration (a conffile: your edits are kept on upgrade,
#                                           the new default goes beside it as agent.yaml.dpkg-dist)
#   /lib/systemd/system/edge-agent.service  the unit;  /usr/bin/edge-agent  a link to the agent
# Usage: sudo ./install.sh [--runtime linux-x64|linux-arm64] [--token FILE] [--no-start] [--root DIR]
#        sudo ./install.sh --uninstall   # removes the agent; keeps /etc/edge-agent and the spill in /var/lib/edge-agent
#        sudo ./install.sh --purge       # removes everything, the spill (undelivered telemetry) too
#   --token FILE  installs FILE as /etc/edge-agent/token (0640 root:edge-agent); set uplink.token_file to it
#   --root DIR    installs into a staging root (dpkg --root, nothing started): for images and for checking
#   --out DIR     where the publish and the package are built (default artifacts/)
set -euo pipefail

runtime=""
start=1
root=""
token=""
out=""
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    --root) root="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --uninstall) action=remove; shift ;;
    --purge) action=purge; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs a system service and its user)" >&2
  exit 1
fi

dpkg_args=()
if [ -n "$root" ]; then
  # A staging root: dpkg's database inside it, the maintainer scripts run here with DPKG_ROOT set.
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
  [ -e "$root/var/lib/dpkg/status" ] || : > "$root/var/lib/dpkg/status"
  [ -e "$root/etc/passwd" ] || echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  [ -e "$root/etc/group" ] || echo 'root:x:0:' > "$root/etc/group"
  [ -e "$root/etc/shadow" ] || { echo 'root:*:19000:0:99999:7:::' > "$root/etc/shadow"; chmod 0600 "$root/etc/shadow"; }
  [ -e "$root/etc/gshadow" ] || { echo 'root:*::' > "$root/etc/gshadow"; chmod 0600 "$root/etc/gshadow"; }
  dpkg_args=(--root="$root" --force-script-chrootless --force-depends --log=/dev/null)
fi

case "$action" in
  remove) exec dpkg "${dpkg_args[@]}" -r edge-agent ;;
  purge) exec dpkg "${dpkg_args[@]}" -P edge-agent ;;
esac

if [ -z "$runtime" ]; then
  case "$(uname -m)" in
    x86_64) runtime=linux-x64 ;;
    aarch64|arm64) runtime=linux-arm64 ;;
    *) echo "install.sh: unsupported machine $(uname -m); pass --runtime" >&2; exit 2 ;;
  esac
fi

here="$(cd "$(dirname "$0")" && pwd)"
deb="$(bash "$here/scripts/build-deb.sh" --runtime "$runtime" --out "${out:-$here/artifacts}")"

# An install by an earlier install.sh (files not owned by dpkg): stop it, and take away what dpkg would not
# replace, so no stale file of the old version stays (its unit in /etc/systemd/system would also shadow the
# package's).
if ! dpkg "${dpkg_args[@]}" -s edge-agent >/dev/null 2>&1 && [ -e "$root/opt/edge-agent/edge-agent" ]; then
  echo "install.sh: replacing an earlier source install in $root/opt/edge-agent"
  if [ -z "$root" ] && [ -d /run/systemd/system ]; then
    systemctl stop edge-agent.service 2>/dev/null || true
  fi
  rm -rf "$root/opt/edge-agent"
  rm -f "$root/etc/systemd/system/edge-agent.service"
fi

if [ -n "$token" ]; then
  install -d -m 0750 "$root/etc/edge-agent"
  install -m 0640 "$token" "$root/etc/edge-agent/token"
fi

if [ "$start" -eq 0 ]; then
  export EDGEAGENT_NO_START=1
fi
dpkg "${dpkg_args[@]}" -i "$deb"
if [ -z "$root" ] && [ "$start" -eq 1 ]; then
  echo "installed $(basename "$deb"): edge-agent status shows the running agent"
fi
