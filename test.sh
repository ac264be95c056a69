#!/usr/bin/env bash
# Installs what the tests need, builds everything in Release and runs every test project.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing dataset-fashion-mnist..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q -o DPkg::Lock::Timeout=120 dataset-fashion-mnist >/dev/null 2>&1 \
      || { apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=120 dataset-fashion-mnist >/dev/null; } \
      || { echo "error: could not install dataset-fashion-mnist" >&2; exit 1; }
  else
    echo "error: Fashion-MNIST is missing; run: sudo apt-get install dataset-fashion-mnist" >&2
    exit 1
  fi
fi

export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 OMP_WAIT_POLICY=PASSIVE

echo "building (Release)..."
# src and tests only: bench/ would copy another ~500 MB of libtorch (build it with bench/run.sh).
for p in src/NasActors.Cli tests/NasActors.Core.Tests tests/NasActors.Runtime.Tests tests/NasActors.Torch.Tests tests/NasActors.Cli.Tests; do
  dotnet build "$p" -c Release --nologo -v q -clp:ErrorsOnly || { echo "error: build of $p failed" >&2; exit 1; }
done
touch src/NasActors.Cli/bin/Release/.nas-built

passed=0; failed=0; status=0
for proj in tests/NasActors.Core.Tests tests/NasActors.Runtime.Tests tests/NasActors.Torch.Tests tests/NasActors.Cli.Tests; do
  echo "== $proj"
  log=$(mktemp)
  dotnet test "$proj" -c Release --no-build --nologo -v q 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "(Passed|Failed)!.*Failed: *[0-9]+, Passed: *[0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "error: $proj reported no test results" >&2
    status=1
  else
    p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line"); f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f))
  fi
  [ "$rc" = 0 ] || status=1
  rm -f "$log"
done
echo "$passed passed, $failed failed"
exit $status
