#!/usr/bin/env bash
# NasActors launcher: sets up what the default search needs, builds once in Release, and runs the CLI.
# `./nas` alone runs the default SPOS search on Fashion-MNIST; `./nas help` lists the commands.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it, then run ./nas again" >&2
  exit 2
fi

data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && { [ $# -eq 0 ] || [ "$1" = search ] || [ "$1" = resume ] || [ "$1" = train ]; }; then
    echo "installing Fashion-MNIST (Debian package dataset-fashion-mnist)..."
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-y -q -o DPkg::Lock::Timeout=120)
    if ! apt-get install "${apt_opts[@]}" dataset-fashion-mnist >/tmp/nas-apt-$$.log 2>&1; then
      if ! { apt-get update -q -o DPkg::Lock::Timeout=120 && apt-get install "${apt_opts[@]}" dataset-fashion-mnist; } >>/tmp/nas-apt-$$.log 2>&1; then
        echo "error: could not install dataset-fashion-mnist with apt-get (log: /tmp/nas-apt-$$.log); install it and run ./nas again" >&2
        exit 2
      fi
    fi
    rm -f /tmp/nas-apt-$$.log
  elif [ $# -eq 0 ]; then
    # The default search needs it; with arguments the config may point elsewhere and the CLI checks for itself.
    echo "error: Fashion-MNIST is not at $data; install it with: sudo apt-get install dataset-fashion-mnist" >&2
    exit 2
  fi
fi

# `nas draw` renders with Graphviz's dot; installed like the dataset (as root, with apt-get), else the CLI says how.
if [ "${1:-}" = draw ] && ! command -v dot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing graphviz (for nas draw)..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q -o DPkg::Lock::Timeout=120 graphviz >/tmp/nas-apt-$$.log 2>&1; then
    if ! { apt-get update -q -o DPkg::Lock::Timeout=120 && apt-get install -y -q -o DPkg::Lock::Timeout=120 graphviz; } >>/tmp/nas-apt-$$.log 2>&1; then
      echo "error: could not install graphviz with apt-get (log: /tmp/nas-apt-$$.log); install it and run ./nas draw again" >&2
      exit 2
    fi
  fi
  rm -f /tmp/nas-apt-$$.log
fi

bin="$here/src/NasActors.Cli/bin/Release/net10.0/nas.dll"
stamp="$here/src/NasActors.Cli/bin/Release/.nas-built"
if [ ! -f "$bin" ] || [ ! -f "$stamp" ] || [ -n "$(cd "$here" && find src hocon Directory.Build.props Directory.Build.targets Directory.Packages.props -newer "$stamp" -type f -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | head -1)" ]; then
  echo "building NasActors (Release)..."
  if ! dotnet build "$here/src/NasActors.Cli/NasActors.Cli.csproj" -c Release --nologo -v q -clp:ErrorsOnly > /tmp/nas-build-$$.log 2>&1; then
    cat /tmp/nas-build-$$.log >&2
    echo "error: the build failed (log above)" >&2
    exit 1
  fi
  rm -f /tmp/nas-build-$$.log
  touch "$stamp"
fi

# libtorch's large buffers are returned to the OS on every step by default: 2-6x slower on CPU (ENVIRONMENT.md).
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295}"
# libtorch worker threads spin while waiting by default; on shared cores that starves the other trainer.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec dotnet "$bin" "$@"
