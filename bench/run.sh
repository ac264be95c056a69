#!/usr/bin/env bash
# Runs a benchmark in Release with the allocator tunables the launcher uses (they must be set before start-up).
# usage: bench/run.sh overhead|scaling|resume|memory [N] | enas-quality [seeds=5] [--set key=value...] | enas-speed | enas-resume
set -euo pipefail
cd "$(dirname "$0")/.."
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build bench/NasActors.Bench -c Release --nologo -v q -clp:ErrorsOnly
exec dotnet bench/NasActors.Bench/bin/Release/net10.0/NasActors.Bench.dll "$@"
