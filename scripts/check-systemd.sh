#!/usr/bin/env bash
# The Debian package under real systemd, as an operator meets it. Boots a systemd-nspawn container (Debian
# systemd-container): an overlay of this machine's own root (nothing on the host changes), its own machine id,
# a private network (loopback only). Then:
#   1. install:  dpkg -i V1, edit the configuration (spill.mode: always, a receiver on 127.0.0.1), start;
#                `edge-agent status` says READY and `systemctl status` carries the one-line state
#   2. reload:   a broken file makes `systemctl reload` fail; the agent runs on (same PID)
#   3. upgrade:  dpkg -i V2 while it runs: the old agent makes its controlled stop (journal), no SIGBUS, no
#                core, the new one starts, the edited configuration stays; every batch of the first run
#                reaches the receiver (seq 0..built-1, nothing dropped), replayed from the spill if need be
#   4. bad file: a broken configuration fails the start with 78 and is not restarted
#   5. watchdog: a hung agent (SIGSTOP) is aborted, killed and replaced by a ready one within seconds
# Usage: scripts/check-systemd.sh V1.deb V2.deb    (root)
# Exit 0 every check passed; 1 a check failed (named on stderr); 2 usage; 77 this machine cannot boot a
# container (the reason is printed): the caller skips rather than fails.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 V1.deb V2.deb" >&2; exit 2; }
v1="$(realpath "$1")"
v2="$(realpath "$2")"
skip() { echo "check-systemd: SKIP: $*" >&2; exit 77; }
fail() { echo "check-systemd: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn, overlay mount)"
command -v systemd-nspawn >/dev/null 2>&1 || skip "no systemd-nspawn (apt-get install systemd-container)"
[ -x /lib/systemd/systemd ] || skip "no systemd in this root to boot (apt-get install systemd)"

work="$(mktemp -d /tmp/edge-agent-nspawn.XXXXXX)"
root="$work/root"
nspawn=""
cleanup() {
  set +e
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    [ -n "${leader:-}" ] && nsenter -t "$leader" -a systemctl poweroff --no-block >/dev/null 2>&1
    for _ in $(seq 1 60); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
    kill -TERM "$nspawn" 2>/dev/null; sleep 2; kill -KILL "$nspawn" 2>/dev/null
    wait "$nspawn" 2>/dev/null
  fi
  mountpoint -q "$root" && { umount "$root" 2>/dev/null || umount -l "$root"; }
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/upper" "$work/work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/work" "$root" 2>"$work/mount.err" \
  || skip "cannot mount an overlay of / ($(cat "$work/mount.err"))"
systemd-id128 new > "$root/etc/machine-id"
# Services of this machine that have no business in the test container.
for unit in postgresql.service postgresql@.service cron.service ssh.service edge-agent.service; do
  rm -f "$root/etc/systemd/system/multi-user.target.wants/$unit"
done
ln -sf /dev/null "$root/etc/systemd/system/postgresql@.service"
mkdir -p "$root/root/pkgs"
cp "$v1" "$root/root/pkgs/v1.deb"
cp "$v2" "$root/root/pkgs/v2.deb"
rm -rf "$root/opt/edge-agent" "$root/etc/edge-agent" "$root/var/lib/edge-agent"

systemd-nspawn --quiet --register=no --keep-unit -D "$root" -M "ea-$$" -b --private-network --link-journal=no \
  --console=pipe > "$work/boot.log" 2>&1 < /dev/null &
nspawn=$!
leader=""
for _ in $(seq 1 120); do
  leader="$(pgrep -P "$nspawn" | head -n 1 || true)"
  if [ -n "$leader" ]; then
    state="$(nsenter -t "$leader" -a systemctl is-system-running 2>/dev/null || true)"
    case "$state" in running|degraded) break ;; esac
  fi
  kill -0 "$nspawn" 2>/dev/null || skip "the container exited while booting: $(tail -n 5 "$work/boot.log" | tr '\n' ' ')"
  sleep 0.5
done
case "${state:-}" in running|degraded) ;; *) skip "systemd in the container did not come up in 60 s (state '${state:-none}'): $(tail -n 5 "$work/boot.log" | tr '\n' ' ')" ;; esac
echo "check-systemd: container booted ($(nsenter -t "$leader" -a systemctl --version | head -n 1), state $state)"

ct() { nsenter -t "$leader" -a "$@"; }
show() { ct systemctl show -p "$1" --value edge-agent.service; }
journal() { ct journalctl --no-pager -q -o cat "$@"; }
wait_ready() {
  for _ in $(seq 1 60); do
    ct /usr/bin/edge-agent status >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  ct /usr/bin/edge-agent status >&2 || true
  fail "$1: edge-agent status did not say READY within 30 s"
}

# 1. Install, configure, start.
ct env EDGEAGENT_NO_START=1 dpkg -i /root/pkgs/v1.deb > "$work/dpkg-v1.log" 2>&1 || { cat "$work/dpkg-v1.log" >&2; fail "install: dpkg -i v1"; }
ct sed -i -e 's|^  endpoint: ""|  endpoint: http://127.0.0.1:50051|' -e 's|^  mode: on_failure|  mode: always|' /etc/edge-agent/agent.yaml
ct grep -q '^  mode: always' /etc/edge-agent/agent.yaml || fail "install: could not set spill.mode: always"
# The receiver runs from its own copy, so the upgrade does not replace its files either.
ct cp -a /opt/edge-agent /var/tmp/receiver
ct systemd-run --quiet --unit=ea-receiver /var/tmp/receiver/edge-agent receive --listen 127.0.0.1:50051 --out /var/tmp/received.jsonl
ct systemctl start edge-agent.service || { journal -u edge-agent >&2; fail "install: systemctl start"; }
wait_ready "install"
sleep 3   # STATUS= is sent once a second; past the start-up second
status_line="$(ct systemctl status edge-agent.service --no-pager 2>/dev/null | grep -m1 'Status:' || true)"
case "$status_line" in *"READY"*"motor"*) ;; *) fail "install: systemctl status has no one-line state (got '$status_line')" ;; esac
pid1="$(show MainPID)"
echo "check-systemd: 1 install: active, edge-agent status READY, pid $pid1; systemctl status:$status_line"

# 2. A broken edit: the reload fails, the agent runs on.
ct cp /etc/edge-agent/agent.yaml /root/agent.yaml.good
ct sed -i 's|^  rate_hz: 1000 |  rate_hz: fast |' /etc/edge-agent/agent.yaml
if ct systemctl reload edge-agent.service 2>/dev/null; then fail "reload: a broken file was accepted"; fi
[ "$(show MainPID)" = "$pid1" ] || fail "reload: the agent was restarted by a failed reload"
[ "$(show ActiveState)" = active ] || fail "reload: the agent is $(show ActiveState) after a failed reload"
journal -u edge-agent | grep -q "motor.rate_hz" || { journal -u edge-agent | tail -n 15 >&2; fail "reload: the journal does not name the bad key"; }
ct cp /root/agent.yaml.good /etc/edge-agent/agent.yaml
echo "check-systemd: 2 reload: a broken file fails the reload (the journal names motor.rate_hz), pid $pid1 runs on"

# 3. Upgrade over the running agent.
sleep 3
ct dpkg --force-confold -i /root/pkgs/v2.deb > "$work/dpkg-v2.log" 2>&1 || { cat "$work/dpkg-v2.log" >&2; fail "upgrade: dpkg -i v2"; }
wait_ready "upgrade"
pid2="$(show MainPID)"
[ "$pid2" != "$pid1" ] || fail "upgrade: the agent was not restarted (pid $pid1)"
old="$(journal _PID="$pid1")"
grep -q 'shutdown stop done' <<<"$old" || { echo "$old" | tail -n 20 >&2; fail "upgrade: no controlled stop in the old agent's journal"; }
if journal -u edge-agent | grep -Eiq 'SIGBUS|bus error|core dumped|status=7/BUS|signal=BUS'; then fail "upgrade: SIGBUS or a core in the journal"; fi
[ "$(show NRestarts)" = 0 ] || fail "upgrade: systemd restarted the agent $(show NRestarts) times"
ct test -f /etc/edge-agent/agent.yaml.dpkg-dist || fail "upgrade: the new default is not beside the edited file"
ct grep -q '^  mode: always' /etc/edge-agent/agent.yaml || fail "upgrade: the edited configuration was replaced"
ledger1="$(grep -m1 'Uplink stopped: recovered' <<<"$old" || true)"
[ -n "$ledger1" ] || fail "upgrade: no uplink ledger in the old agent's journal"
built1="$(sed -n 's/.* built \([0-9]*\) = .*/\1/p' <<<"$ledger1")"
sleep 5   # the new agent replays what the old one left in the spill
ct systemctl stop edge-agent.service
ledger2="$(journal _PID="$pid2" | grep -m1 'Uplink stopped: recovered' || true)"
ct systemctl stop ea-receiver.service
for ledger in "$ledger1" "$ledger2"; do
  case "$ledger" in *"dead_lettered 0 "*"dropped_quota 0 + dropped_disk_full 0 + damaged 0") ;; *) fail "upgrade: a batch was lost or damaged: $ledger" ;; esac
done
boot1="$(ct head -n 1 /var/tmp/received.jsonl | sed -n 's/.*"boot_id":"\([^"]*\)".*/\1/p')"
[ -n "$boot1" ] || fail "upgrade: the receiver stored nothing"
received1="$(ct grep -c "\"boot_id\":\"$boot1\"" /var/tmp/received.jsonl)"
max1="$(ct grep "\"boot_id\":\"$boot1\"" /var/tmp/received.jsonl | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | sort -n | tail -n 1)"
if [ "$received1" != "$built1" ] || [ "$max1" != $((built1 - 1)) ]; then
  fail "upgrade: the first agent built $built1 batches, the receiver has $received1 of them (highest seq $max1)"
fi
echo "check-systemd: 3 upgrade: controlled stop, no SIGBUS, pid $pid1 -> $pid2; all $built1 batches of the first run delivered (seq 0..$max1)"
echo "check-systemd:   first run:  $ledger1"
echo "check-systemd:   second run: $ledger2"

# 4. A broken configuration: no restart loop.
ct sed -i 's|^  rate_hz: 1000 |  rate_hz: fast |' /etc/edge-agent/agent.yaml
if ct systemctl start edge-agent.service 2>/dev/null; then fail "bad config: the agent started on a broken file"; fi
sleep 5
[ "$(show ExecMainStatus)" = 78 ] || fail "bad config: exit status $(show ExecMainStatus), not 78"
[ "$(show NRestarts)" = 0 ] || fail "bad config: restarted $(show NRestarts) times"
[ "$(show ActiveState)" = failed ] || fail "bad config: the unit is $(show ActiveState), not failed"
echo "check-systemd: 4 bad config: exit 78, state failed, 0 restarts in 5 s"

# 5. A hung agent (SIGSTOP: no tick, no ping): the watchdog replaces it within WatchdogSec + TimeoutAbortSec + RestartSec.
ct cp /root/agent.yaml.good /etc/edge-agent/agent.yaml
ct systemctl reset-failed edge-agent.service
ct systemctl start edge-agent.service || fail "watchdog: start"
wait_ready "watchdog"
pid3="$(show MainPID)"
hung="$(date +%s%N)"
ct kill -STOP "$pid3"
recovered=""
for _ in $(seq 1 60); do
  pid="$(show MainPID)"
  if [ "$pid" != "$pid3" ] && [ "$pid" != 0 ] && ct /usr/bin/edge-agent status >/dev/null 2>&1; then recovered="$(date +%s%N)"; break; fi
  sleep 0.5
done
[ -n "$recovered" ] || fail "watchdog: pid $pid3 hung and was not replaced by a ready agent within 30 s"
journal -u edge-agent | grep -q 'Watchdog timeout' || fail "watchdog: no 'Watchdog timeout' in the journal"
[ "$(show NRestarts)" = 1 ] || fail "watchdog: NRestarts is $(show NRestarts), not 1"
echo "check-systemd: 5 watchdog: pid $pid3 hung (SIGSTOP), replaced by pid $(show MainPID) and READY $(( (recovered - hung) / 1000000 )) ms later"
ct systemctl stop edge-agent.service
echo "check-systemd: all checks passed"
