# shellcheck shell=bash
# Starts a throwaway PostgreSQL for the journal store tests (package
# upload/journal, and the upload tests that share one database), and exports
# CFONB_TEST_POSTGRES for them. Sourced by .ci/run:
#   . .ci/postgres.sh
# It installs Debian's postgresql when initdb is missing, runs initdb in a
# temporary directory as an unprivileged user (CI runs as root), listens on
# 127.0.0.1 on a free port, and stops the server and removes the directory
# at exit, even on failure (an EXIT trap chained to any trap already set).
# Also usable by hand:  . .ci/postgres.sh; go test ./upload/...; cfonb_pg_stop

cfonb_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(cfonb_pg_bin)" ] && ! command -v initdb >/dev/null 2>&1; then
  echo "== installing postgresql (initdb is missing)"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q postgresql
fi
CFONB_PG_BIN=$(cfonb_pg_bin)
if [ -z "$CFONB_PG_BIN" ]; then
  CFONB_PG_BIN=$(dirname "$(command -v initdb)")
fi

CFONB_PG_DIR=$(mktemp -d /tmp/cfonb-pg.XXXXXX)
chmod 755 "$CFONB_PG_DIR"
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: an unprivileged user owns the cluster.
  CFONB_PG_USER=nobody
  chown "$CFONB_PG_USER" "$CFONB_PG_DIR"
  cfonb_pg_as() { runuser -u "$CFONB_PG_USER" -- "$@"; }
else
  cfonb_pg_as() { "$@"; }
fi

# A free port on 127.0.0.1: one nobody answers on.
CFONB_PG_PORT=
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then CFONB_PG_PORT=$p; break; fi
done
[ -n "$CFONB_PG_PORT" ] || { echo "postgres.sh: no free port found" >&2; return 1 2>/dev/null || exit 1; }

cfonb_pg_stop() {
  if [ -n "${CFONB_PG_DIR:-}" ] && [ -d "$CFONB_PG_DIR/data" ]; then
    cfonb_pg_as "$CFONB_PG_BIN/pg_ctl" -D "$CFONB_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -n "${CFONB_PG_DIR:-}" ] && rm -rf "$CFONB_PG_DIR"
  CFONB_PG_DIR=
}
# Chain to the EXIT trap already set, if any.
cfonb_pg_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
trap "cfonb_pg_stop; ${cfonb_pg_prev_trap}" EXIT

echo "== PostgreSQL ($CFONB_PG_BIN) on 127.0.0.1:$CFONB_PG_PORT, in $CFONB_PG_DIR"
cfonb_pg_as "$CFONB_PG_BIN/initdb" -D "$CFONB_PG_DIR/data" -U cfonb -A trust -E UTF8 --no-sync >"$CFONB_PG_DIR/initdb.log" 2>&1 ||
  { cat "$CFONB_PG_DIR/initdb.log" >&2; return 1 2>/dev/null || exit 1; }
cfonb_pg_as "$CFONB_PG_BIN/pg_ctl" -D "$CFONB_PG_DIR/data" -l "$CFONB_PG_DIR/data/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $CFONB_PG_PORT -k $CFONB_PG_DIR/data -c fsync=off -c max_connections=200" start >/dev/null ||
  { cat "$CFONB_PG_DIR/data/server.log" >&2; return 1 2>/dev/null || exit 1; }
export CFONB_TEST_POSTGRES="postgres://cfonb@127.0.0.1:$CFONB_PG_PORT/postgres?sslmode=disable"
