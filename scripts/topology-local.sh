#!/usr/bin/env bash
# The production topology of docs/topology.md as local processes on this machine:
#   two web servers   manage.py serve --role web on ports $TOPOLOGY_PORT and $TOPOLOGY_PORT+1
#   two task workers  manage.py serve --role worker (RQ, Redis database $TOPOLOGY_REDIS_DB)
#   the clock         manage.py serve --role clock (one leads; start it twice to see the standby)
# against PostgreSQL (database $TOPOLOGY_DB, created and migrated if missing, demo data seeded) and
# Redis, both already running. There is no proxy here (none is installed and a Python one would
# cost the cores it measures): point the load generator at both web servers,
#   .venv/bin/python -m bench.loadgen --base http://127.0.0.1:8101 --base http://127.0.0.1:8102
#
#   scripts/topology-local.sh            start everything; Ctrl-C stops everything
#   scripts/topology-local.sh --check    start, check /readyz on both web servers, stop
#   scripts/topology-local.sh --web 1    only one web server (to compare one with two)
#
# Settings (environment): TOPOLOGY_PG (postgres://postgres@127.0.0.1:5432), TOPOLOGY_DB
# (interlude_topology), TOPOLOGY_REDIS (redis://127.0.0.1:6379), TOPOLOGY_REDIS_DB (7),
# TOPOLOGY_PORT (8101), TOPOLOGY_DATA_DIR (var/topology), WEB_CONCURRENCY (2 per web server).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

check=0
webs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --web) webs="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

pg="${TOPOLOGY_PG:-postgres://postgres@127.0.0.1:5432}"
db="${TOPOLOGY_DB:-interlude_topology}"
port="${TOPOLOGY_PORT:-8101}"
data_dir="${TOPOLOGY_DATA_DIR:-$PWD/var/topology}"
mkdir -p "$data_dir/logs"

export INTERLUDE_DATA_DIR="$data_dir"
export DATABASE_URL="$pg/$db"
export REDIS_URL="${TOPOLOGY_REDIS:-redis://127.0.0.1:6379}/${TOPOLOGY_REDIS_DB:-7}"
export DJANGO_SETTINGS_MODULE=config.settings.base
export PYTHONUNBUFFERED=1
# The load generator sends far more than a person does; the write limits would answer 429.
export API_WRITE_RATE_BURST="${API_WRITE_RATE_BURST:-1000000/min}"
export API_WRITE_RATE_SUSTAINED="${API_WRITE_RATE_SUSTAINED:-100000000/hour}"
unset INTERLUDE_ENV

if ! psql "$pg/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  echo "creating database $db"
  psql "$pg/postgres" -qc "CREATE DATABASE \"$db\""
fi
echo "migrating $db, seeding the demo (logs in $data_dir/logs)"
$PY manage.py migrate --noinput -v 0
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput -v 0
$PY manage.py seed_demo > "$data_dir/logs/seed.log"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

start() {  # start NAME ARGS...: a process of its own, its output in logs/NAME.log
  local name="$1"; shift
  $PY manage.py serve "$@" > "$data_dir/logs/$name.log" 2>&1 &
  pids+=("$!")
}

bases=()
for n in $(seq 1 "$webs"); do
  p=$((port + n - 1))
  start "web$n" --role web --port "$p"
  bases+=("http://127.0.0.1:$p")
done
start worker1 --role worker
start worker2 --role worker
start clock --role clock

for base in "${bases[@]}"; do
  for _ in $(seq 1 240); do
    if curl -fsS "$base/readyz" > /dev/null 2>&1; then break; fi
    sleep 0.5
  done
  curl -fsS "$base/readyz" > /dev/null || { echo "$base/readyz did not answer" >&2; exit 1; }
  echo "$base/readyz: $(curl -fsS "$base/readyz")"
done

if [ "$check" = 1 ]; then
  echo "topology ok: ${#bases[@]} web servers ready, workers and clock running"
  exit 0
fi
echo "running: ${bases[*]} (Ctrl-C stops everything)"
args=""
for base in "${bases[@]}"; do args="$args --base $base"; done
echo "load:    $PY -m bench.loadgen$args --seconds 20"
wait -n "${pids[@]}" || true
echo "a process stopped; see $data_dir/logs" >&2
exit 1
