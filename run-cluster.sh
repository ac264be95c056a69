#!/usr/bin/env bash
# Starts a local NasActors cluster of separate OS processes on 127.0.0.1, runs one search on it and prints the result.
#   ./run-cluster.sh --nodes 3 --config hocon/smoke.conf --name NAME
# Nodes 1-2 are controller+trainer nodes (the seeds; the coordinator singleton runs on the oldest), the rest trainers.
# Each node's PID and log are in STORE/nodes/node-N.pid / .log, so you can inspect or `kill -9` one while it runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'USAGE'
usage: ./run-cluster.sh [--nodes N] [--config FILE] [--name NAME] [--store DIR] [--trainers-per-node K]
                        [--journal sqlite|postgres] [--port BASE] [--keep] [--set key=value ...]
  --nodes N              processes to start (default 3): nodes 1-2 controller+trainer (seeds), the rest trainer only
  --config FILE          experiment config (default hocon/smoke.conf)
  --name NAME            experiment name (default cluster-<date>)
  --store DIR            experiment store shared by all nodes (default ./experiments)
  --trainers-per-node K  CPU trainers per node (default 1)
  --journal J            sqlite (STORE/.cluster, default) or postgres (connection string in $NAS_POSTGRES)
  --port BASE            node N listens on BASE+N (default 25520)
  --keep                 leave the cluster running after the search (stop it with: kill $(cat STORE/nodes/*.pid))
  --set key=value        passed to `nas search` (repeatable)
USAGE
}

nodes=3; config=hocon/smoke.conf; name="cluster-$(date +%Y%m%d-%H%M%S)"; store=experiments; per_node=1; journal=sqlite
base=25520; keep=0; sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="${2:?--nodes needs a value}"; shift 2 ;;
    --config) config="${2:?--config needs a value}"; shift 2 ;;
    --name) name="${2:?--name needs a value}"; shift 2 ;;
    --store) store="${2:?--store needs a value}"; shift 2 ;;
    --trainers-per-node) per_node="${2:?--trainers-per-node needs a value}"; shift 2 ;;
    --journal) journal="${2:?--journal needs a value}"; shift 2 ;;
    --port) base="${2:?--port needs a value}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --set) sets+=(--set "${2:?--set needs key=value}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option $1 (see ./run-cluster.sh --help)" >&2; exit 2 ;;
  esac
done
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || { echo "error: --nodes must be a positive number, got '$nodes'" >&2; exit 2; }
[[ "$per_node" =~ ^[1-9][0-9]*$ ]] || { echo "error: --trainers-per-node must be a positive number, got '$per_node'" >&2; exit 2; }
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ $((base + nodes)) -le 65535 ] || { echo "error: --port must leave room for $nodes ports below 65536" >&2; exit 2; }
case "$journal" in
  sqlite) ;;
  postgres) [ -n "${NAS_POSTGRES:-}" ] || { echo "error: --journal postgres needs NAS_POSTGRES=\"Host=...;Username=...;Password=...;Database=...\" in the environment" >&2; exit 2; } ;;
  *) echo "error: --journal must be sqlite or postgres, got '$journal'" >&2; exit 2 ;;
esac
[ -f "$config" ] || { echo "error: config file $config not found (see hocon/)" >&2; exit 2; }

"$here/nas" help >/dev/null   # builds once, before several nodes start at the same moment
mkdir -p "$store/nodes"
store="$(cd "$store" && pwd)"
devices=$(printf 'cpu%.0s,' $(seq "$per_node")); devices=${devices%,}
controllers=$(( nodes < 2 ? nodes : 2 ))
seeds=$(for i in $(seq "$controllers"); do printf '127.0.0.1:%d,' $((base + i)); done); seeds=${seeds%,}

pids=()
stop_nodes() {
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true        # graceful: the nodes leave the cluster
  for _ in $(seq 40); do kill -0 "${pids[@]}" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
[ "$keep" = 1 ] || trap stop_nodes EXIT

for i in $(seq "$nodes"); do
  role=trainer; [ "$i" -le "$controllers" ] && role=controller,trainer
  log="$store/nodes/node-$i.log"
  "$here/nas" node --role "$role" --port $((base + i)) --seeds "$seeds" --devices "$devices" --store "$store" --journal "$journal" >"$log" 2>&1 &
  pids+=($!)
  echo $! >"$store/nodes/node-$i.pid"
  echo "node-$i: $role on 127.0.0.1:$((base + i)), pid $!, log $log"
done
sleep 2
for i in $(seq "$nodes"); do
  if ! kill -0 "${pids[$((i - 1))]}" 2>/dev/null; then
    echo "error: node-$i exited at start; its log ($store/nodes/node-$i.log) ends with:" >&2
    tail -n 5 "$store/nodes/node-$i.log" >&2
    exit 2
  fi
done

set +e
"$here/nas" search --cluster --seeds "$seeds" --config "$config" --name "$name" --store "$store" "${sets[@]}"
rc=$?
set -e
[ "$keep" = 1 ] && echo "cluster left running (--keep): node PIDs in $store/nodes/*.pid; stop it with: kill \$(cat $store/nodes/*.pid)"
exit $rc
