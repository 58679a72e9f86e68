#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (Debian's slurm-wlm and munge; as root, without systemd) for
# the cluster test (scripts/slurm-test.sh), and stops it again.
# Usage: scripts/slurm-local.sh [start|stop]
#   start  idempotent: returns at once when the cluster this script started answers. Refuses to start beside a
#          Slurm it did not start (a running slurmctld/slurmd that is not in its pid files, or an
#          /etc/slurm/slurm.conf that it did not write): that Slurm is left alone.
#   stop   stops only the daemons this script started (pid files in /run/nnfrust-slurm, checked against the
#          process name), never a Slurm or munged of someone else.
set -euo pipefail
action="${1:-start}"
host="$(hostname -s)"
state=/run/nnfrust-slurm
marker="# written by nnfrust scripts/slurm-local.sh"
conf=/etc/slurm/slurm.conf

# the pid in $state/$1.pid when that process is alive and is $1
ours() {
  local f="$state/$1.pid" pid
  [[ -s $f ]] || return 1
  pid="$(cat "$f")"
  [[ -d /proc/$pid && "$(cat /proc/$pid/comm 2>/dev/null)" == "$1" ]] && echo "$pid"
}

stop_ours() {
  local d pid
  for d in slurmd slurmctld munged; do
    if pid="$(ours $d)"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do [[ -d /proc/$pid ]] || break; sleep 0.25; done
      [[ -d /proc/$pid ]] && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/$d.pid"
  done
}

case $action in
  stop)
    stop_ours
    exit 0 ;;
  start) ;;
  *) echo "slurm-local: usage: scripts/slurm-local.sh [start|stop]" >&2; exit 2 ;;
esac

for b in munged slurmctld slurmd sbatch sinfo squeue; do
  command -v "$b" >/dev/null || { echo "slurm-local: $b missing (apt-get install -y slurm-wlm munge)" >&2; exit 2; }
done
# someone else's Slurm: a daemon that is not ours, or a configuration we did not write
for d in slurmctld slurmd; do
  mine="$(ours $d || true)"
  for pid in $(pgrep -x "$d" || true); do
    if [[ $pid != "$mine" ]]; then
      echo "slurm-local: a $d not started by this script runs here (pid $pid); use that Slurm, or stop it" \
        "yourself first — this script stops only what it started" >&2
      exit 2
    fi
  done
done
if [[ -f $conf ]] && ! grep -qxF "$marker" "$conf"; then
  echo "slurm-local: $conf exists and was not written by this script; it is left alone (move it away to use" \
    "the local test cluster)" >&2
  exit 2
fi
if ours slurmctld >/dev/null && ours slurmd >/dev/null \
    && sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
  exit 0
fi
mkdir -p "$state"
cpus="$(nproc)"
mem_mb="$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)"
# munge: its runtime folder must exist (owned by munge) before munged starts; a key is made if none exists.
# A munged already running (the machine's own) is used as it is and never stopped.
mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
[[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 1 20); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.25; done
  cp /run/munge/munged.pid "$state/munged.pid"
fi
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > "$conf" <<CONF
$marker
ClusterName=nnfrust
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=$((mem_mb / cpus))
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# our own daemons of an earlier start that no longer answer are restarted (only ours: checked above)
for d in slurmd slurmctld; do
  if pid="$(ours $d)"; then kill "$pid" 2>/dev/null || true; fi
done
sleep 1
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm-local: node $host up ($cpus CPUs, ${mem_mb} MB); stop it with scripts/slurm-local.sh stop"
    exit 0
  fi
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 1
done
echo "slurm-local: the node did not come up; see /var/log/slurm/*.log" >&2
sinfo >&2 || true
exit 1
