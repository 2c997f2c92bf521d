#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs on Debian/Ubuntu (as root), then `dotnet test`.
#   Cyclone DDS (libddsc, headers, idlc) and a C compiler: the ROS 2 HAL's tests build C peers with idlc and
#   talk to them over loopback DDS. cyclictest (rt-tests): `diagnose timing`. stress-ng: the timing benchmark.
#   systemd-analyze: the unit's security exposure. systemd-nspawn: the package under real systemd.
#   Every shell script of the repository is checked with shellcheck. qemu-user-static + arm64 runtimes: the linux-arm64 build runs.
#   clang, lld and the aarch64 cross C runtime: the NativeAOT builds link (linux-x64 and linux-arm64).
#   promtool checks /metrics: taken out of Debian's prometheus package into .tools/ (apt-get download, no
#   root), so the suite never installs or starts a Prometheus server on the machine.
# Usage: scripts/test.sh [dotnet test arguments, e.g. --filter Category!=Stress]
# Not root, or no apt-get: it says what is missing and runs the tests anyway (those that need it fail, naming it).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v cyclictest >/dev/null 2>&1 || packages+=(rt-tests)
command -v stress-ng >/dev/null 2>&1 || packages+=(stress-ng)
[ -e /usr/include/dds/dds.h ] || packages+=(cyclonedds-dev)
ldconfig -p 2>/dev/null | grep -q 'libddsc\.so' || packages+=(libddsc0debian)
command -v idlc >/dev/null 2>&1 || packages+=(cyclonedds-tools)
command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
command -v systemd-analyze >/dev/null 2>&1 || packages+=(systemd)
command -v dpkg-deb >/dev/null 2>&1 || packages+=(dpkg)
command -v shellcheck >/dev/null 2>&1 || packages+=(shellcheck)
# The package under real systemd (scripts/check-systemd.sh boots a systemd-nspawn container).
command -v systemd-nspawn >/dev/null 2>&1 || packages+=(systemd-container)
# The arm64 deployment check (scripts/check-arm64.sh): the linux-arm64 build runs under qemu-user.
command -v qemu-aarch64-static >/dev/null 2>&1 || packages+=(qemu-user-static)
[ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || packages+=(libc6-arm64-cross libstdc++6-arm64-cross)
# The NativeAOT build (scripts/check-aot.sh): clang and lld link it; linux-arm64 links against the aarch64 C runtime.
command -v clang >/dev/null 2>&1 || packages+=(clang)
command -v ld.lld >/dev/null 2>&1 || packages+=(lld)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
# deploy/k8s is validated against the Kubernetes schemas with npm's kubernetes-models, run with node.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# The fleet store tests start throwaway PostgreSQL clusters of their own (initdb + pg_ctl in a temp directory).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)

if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${packages[*]}" >&2
    apt-get update -qq || echo "test.sh: apt-get update failed; trying the install anyway" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" \
      || echo "test.sh: could not install ${packages[*]}; the tests that need them will fail naming them" >&2
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ -t 0 ]; then
    echo "test.sh: installing ${packages[*]} with sudo" >&2
    sudo apt-get update -qq || true
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" \
      || echo "test.sh: could not install ${packages[*]}; the tests that need them will fail naming them" >&2
  else
    echo "test.sh: missing ${packages[*]}; install them (apt-get install ${packages[*]}) or run this as root" >&2
  fi
fi

if ! command -v promtool >/dev/null 2>&1 && [ ! -x .tools/prometheus/usr/bin/promtool ] && command -v apt-get >/dev/null 2>&1; then
  echo "test.sh: fetching promtool (Debian package prometheus, unpacked into .tools/, not installed)" >&2
  mkdir -p .tools/deb
  ( cd .tools/deb && apt-get download prometheus >/dev/null 2>&1 ) \
    || { [ "$(id -u)" = 0 ] && apt-get update -qq && ( cd .tools/deb && apt-get download prometheus >/dev/null ); } \
    || echo "test.sh: could not download the prometheus package; the /metrics format tests will fail naming promtool" >&2
  for deb in .tools/deb/prometheus_*.deb; do [ -e "$deb" ] && dpkg-deb -x "$deb" .tools/prometheus; done
fi
[ -x .tools/prometheus/usr/bin/promtool ] && export EDGEAGENT_PROMTOOL="$PWD/.tools/prometheus/usr/bin/promtool"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The whole solution first: `dotnet test` builds only the test project and what it references, so a
# benchmark that no longer compiles would otherwise go unnoticed.
dotnet build EdgeAgent.sln -c Release -nologo -v quiet
# EdgeAgent.Tests/test.runsettings writes TestResults/results.trx.
exec dotnet test EdgeAgent.sln -c Release "$@"
