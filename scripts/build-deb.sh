#!/usr/bin/env bash
# Builds the Debian package of EdgeAgent from a self-contained publish, NativeAOT by default (one native
# binary: starts in ~0.1 s instead of ~0.7 s and takes about half the memory of the ReadyToRun build,
# docs/BENCHMARKS.md):
#   /opt/edge-agent/                        the agent (self-contained: no .NET needed on the robot)
#   /usr/bin/edge-agent                     a link to it (edge-agent status, check-config)
#   /lib/systemd/system/edge-agent.service  the unit
#   /etc/edge-agent/agent.yaml              the configuration, a conffile (an edited file survives upgrades;
#                                           dpkg puts the new default beside it as agent.yaml.dpkg-dist)
#   /lib/udev/rules.d/60-edge-agent.rules  /dev/cpu_dma_latency for the edge-agent group (timing.limit_cpu_idle)
#   /usr/share/doc/edge-agent/README.md
# Maintainer scripts (packaging/debian/): the system user, owners and modes, stop before an upgrade replaces
# files (the agent makes its controlled stop), start after, and on purge remove /var/lib/edge-agent.
# Usage: scripts/build-deb.sh [--runtime linux-x64|linux-arm64] [--build aot|jit] [--out DIR] [--published DIR] [--version V] [--config FILE]
#   --build aot|jit  NativeAOT (default; links with clang and lld, and for linux-arm64 the aarch64 C runtime:
#                    installed when root) or the ReadyToRun JIT build (needs only the .NET SDK)
#   --published DIR  package an existing publish instead of running dotnet publish
#   --version V / --config FILE  override the version and the shipped configuration (tests build an "upgrade")
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runtime=linux-x64
out="$repo/artifacts"
published=""
build=aot
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
config="$repo/config/agent.yaml"
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --published) published="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$runtime" in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  *) echo "build-deb.sh: --runtime must be linux-x64 or linux-arm64, not $runtime" >&2; exit 2 ;;
esac
command -v dpkg-deb >/dev/null 2>&1 || { echo "build-deb.sh: needs dpkg-deb (Debian package dpkg)" >&2; exit 1; }

if [ -z "$published" ]; then
  published="$out/publish-$runtime"
  rm -rf "$published"
  case "$build" in
    aot)
      need=()
      command -v clang >/dev/null 2>&1 || need+=(clang)
      command -v ld.lld >/dev/null 2>&1 || need+=(lld)
      if [ "$runtime" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ]; then
        command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
      fi
      if [ "${#need[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
        else
          echo "build-deb.sh: the NativeAOT build needs ${need[*]}: install them (apt-get install ${need[*]}), or build the JIT package with --build jit" >&2
          exit 1
        fi
      fi
      dotnet publish "$repo/EdgeAgent/EdgeAgent.csproj" -c Release -r "$runtime" -p:PublishAot=true -p:PublishReadyToRun=false -warnaserror -o "$published" -nologo -v quiet >&2 ;;
    jit)
      dotnet publish "$repo/EdgeAgent/EdgeAgent.csproj" -c Release -r "$runtime" --self-contained true -o "$published" -nologo -v quiet >&2 ;;
    *) echo "build-deb.sh: --build must be aot or jit, not $build" >&2; exit 2 ;;
  esac
fi
[ -x "$published/edge-agent" ] || { echo "build-deb.sh: no edge-agent binary in $published" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"   # the archive's ./ entry: dpkg must never see a 0700 root
install -d -m 0755 "$stage/DEBIAN" "$stage/opt/edge-agent" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/edge-agent" "$stage/usr/share/doc/edge-agent"
cp -a "$published/." "$stage/opt/edge-agent/"
# The test host's leftovers and the native build's debug symbols (edge-agent.dbg) are not part of the agent.
rm -f "$stage/opt/edge-agent/"*.pdb "$stage/opt/edge-agent/"*.xml "$stage/opt/edge-agent/"*.dbg
chmod -R u=rwX,go=rX "$stage/opt/edge-agent"
chmod 0755 "$stage/opt/edge-agent/edge-agent"
ln -s /opt/edge-agent/edge-agent "$stage/usr/bin/edge-agent"
install -m 0644 "$repo/config/edge-agent.service" "$stage/lib/systemd/system/edge-agent.service"
install -d -m 0755 "$stage/lib/udev/rules.d"
install -m 0644 "$repo/packaging/debian/60-edge-agent.rules" "$stage/lib/udev/rules.d/60-edge-agent.rules"
install -m 0644 "$config" "$stage/etc/edge-agent/agent.yaml"
install -m 0644 "$repo/README.md" "$stage/usr/share/doc/edge-agent/README.md"
for script in preinst postinst prerm postrm; do
  install -m 0755 "$repo/packaging/debian/$script" "$stage/DEBIAN/$script"
done
echo /etc/edge-agent/agent.yaml > "$stage/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: edge-agent
Version: $version
Architecture: $arch
Maintainer: EdgeAgent developers <edge-agent@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.31), libgcc-s1, libstdc++6, libssl3 | libssl1.1, passwd
Recommends: libddsc0debian
Suggests: rt-tests
Section: misc
Priority: optional
Description: on-robot edge agent: motor and balance loops, safe stops, telemetry uplink
 Closes a 1 kHz motor loop and a 100 Hz balance loop against a hardware abstraction
 layer (ROS 2 over Cyclone DDS, or a simulated robot), latches safe stops, and ships
 the robot's state upstream over gRPC with a durable local spill. Runs as the systemd
 service edge-agent; metrics and health on 127.0.0.1:9464.
CONTROL
mkdir -p "$out"
deb="$out/edge-agent_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
