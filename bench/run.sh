#!/usr/bin/env bash
# Runs a benchmark in Release with the allocator tunables the launcher uses (they must be set before start-up).
# usage: bench/run.sh overhead|scaling|resume|memory [N] | enas-quality [seeds=5] [--set key=value...] | enas-speed | enas-resume
#        | cluster-scaling [cost=500ms] [Ns=1,2,4,8] | cluster-rtt [n=2000] | cluster-failover [reps=1]
#        | strategies [seeds=3] [candidates=48] [key=value...] | status-export [candidates=1200] | spaces [steps=40]
#        | darts-quality [seeds=3] [--smoke]
# The cluster-* and status-export benchmarks start `nas` processes: the CLI is built too. status-export also times the
# version before the one-engine change when a Release build of commit e2e8dbd is at /work/golden-v1 (or NAS_GOLDEN_V1).
# cluster-failover uses PostgreSQL (--journal postgres) when NAS_POSTGRES is set, else SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build bench/NasActors.Bench -c Release --nologo -v q -clp:ErrorsOnly
case "${1:-}" in
  cluster-scaling|cluster-failover|status-export|darts-quality)
    dotnet build src/NasActors.Cli -c Release --nologo -v q -clp:ErrorsOnly && touch src/NasActors.Cli/bin/Release/.nas-built ;;
esac
exec dotnet bench/NasActors.Bench/bin/Release/net10.0/NasActors.Bench.dll "$@"
