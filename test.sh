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

# openssl: the cluster TLS test makes its certificates with cluster/make-certs.sh.
if ! command -v openssl >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "error: openssl is missing; run: sudo apt-get install openssl" >&2; exit 1; }
  echo "installing openssl..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q -o DPkg::Lock::Timeout=120 openssl >/dev/null 2>&1 \
    || { apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=120 openssl >/dev/null; } \
    || { echo "error: could not install openssl" >&2; exit 1; }
fi

# graphviz: `nas draw` renders DARTS cells with dot (SVG, PNG).
if ! command -v dot >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "error: graphviz is missing; run: sudo apt-get install graphviz" >&2; exit 1; }
  echo "installing graphviz..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q -o DPkg::Lock::Timeout=120 graphviz >/dev/null 2>&1 \
    || { apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=120 graphviz >/dev/null; } \
    || { echo "error: could not install graphviz" >&2; exit 1; }
fi

# chromium: the report test opens `nas report`'s page in headless Chromium (images loaded, no console errors, a screenshot).
if ! command -v chromium >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "error: chromium is missing; run: sudo apt-get install chromium" >&2; exit 1; }
  echo "installing chromium..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q -o DPkg::Lock::Timeout=120 chromium >/dev/null 2>&1 \
    || { apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=120 chromium >/dev/null; } \
    || { echo "error: could not install chromium" >&2; exit 1; }
fi

# PostgreSQL (Debian's 15) on loopback for the cluster tests: a login role nas_test with a password generated per
# run; tests create their own databases from NAS_TEST_POSTGRES.
if [ -z "${NAS_TEST_POSTGRES:-}" ]; then
  pgfail() { echo "error: PostgreSQL setup failed: $*" >&2; exit 1; }
  if [ "$(id -u)" != 0 ]; then
    echo "error: PostgreSQL setup needs root; run test.sh as root (sudo ./test.sh) or export NAS_TEST_POSTGRES=\"Host=...;Username=...;Password=...;Database=postgres\" (a role with CREATEDB)" >&2
    exit 1
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "installing postgresql..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q -o DPkg::Lock::Timeout=120 postgresql >/dev/null 2>&1 \
      || { apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=120 postgresql >/dev/null; } \
      || pgfail "could not install postgresql (apt-get install postgresql)"
  fi
  read -r pgver pgcl _ < <(pg_lsclusters -h 2>/dev/null | head -1)
  [ -n "${pgcl:-}" ] || pgfail "no cluster found (try: pg_createcluster 15 main)"
  echo "listen_addresses = '127.0.0.1'" > "/etc/postgresql/$pgver/$pgcl/conf.d/99-loopback.conf" || pgfail "cannot write conf.d"
  if ! pg_isready -q -h 127.0.0.1; then   # not running (or not on loopback): (re)start it
    if pg_ctlcluster "$pgver" "$pgcl" status >/dev/null 2>&1; then pgact=restart; else pgact=start; fi
    pg_ctlcluster "$pgver" "$pgcl" $pgact || pgfail "pg_ctlcluster $pgver $pgcl $pgact (see /var/log/postgresql/)"
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 || pgfail "server not ready on 127.0.0.1:5432 after 30 s (see /var/log/postgresql/)"
  fi
  pgpw=$(openssl rand -hex 16 2>/dev/null || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (cd / && su postgres -c "psql -qX -v ON_ERROR_STOP=1 -v pw=$pgpw" >/dev/null) <<'SQL' || pgfail "could not create role nas_test"
DO $$ BEGIN CREATE ROLE nas_test; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
ALTER ROLE nas_test LOGIN CREATEDB PASSWORD :'pw';
SQL
  export NAS_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Username=nas_test;Password=$pgpw;Database=postgres"
fi

export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 OMP_WAIT_POLICY=PASSIVE

echo "building (Release)..."
# src and tests only: bench/ would copy another ~500 MB of libtorch (build it with bench/run.sh).
for p in src/NasActors.Cli examples/MnistSkip tests/TestPlugins tests/NasActors.Core.Tests tests/NasActors.Runtime.Tests tests/NasActors.Torch.Tests tests/NasActors.Cli.Tests; do
  dotnet build "$p" -c Release --nologo -v q -clp:ErrorsOnly || { echo "error: build of $p failed" >&2; exit 1; }
done
touch src/NasActors.Cli/bin/Release/.nas-built

passed=0; failed=0; status=0
for proj in tests/NasActors.Core.Tests tests/NasActors.Runtime.Tests tests/NasActors.Torch.Tests tests/NasActors.Cli.Tests; do
  echo "== $proj"
  log=$(mktemp)
  # console logger at minimal: a failing test prints its message and stack (quiet shows only [FAIL]).
  dotnet test "$proj" -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" 2>&1 | tee "$log"
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
