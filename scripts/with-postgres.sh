#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary folder, start it on a
# free loopback port, export SJ_DATABASE_URL, run the command, then stop and remove the cluster.
# As root, the server runs as an unprivileged user (postgres if it exists, else nobody).
# Without PostgreSQL the command is skipped with a warning, except under CI=true, where it fails.
set -euo pipefail

bindir=""
for candidate in "$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir || true)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; fi
done
if [ -z "$bindir" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is not installed (no initdb/pg_ctl found); CI requires it: apt-get install postgresql" >&2
    exit 1
  fi
  echo "WARNING: PostgreSQL is not installed; skipping the PostgreSQL run (apt-get install postgresql)." >&2
  exit 0
fi

tmp=$(mktemp -d /tmp/sj-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = "0" ]; then
  user=postgres; id "$user" >/dev/null 2>&1 || user=nobody
  chown "$user" "$tmp"
  run_as=(runuser -u "$user" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U sj --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-k $tmp -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
  || { cat "$tmp/server.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U sj sj

export SJ_DATABASE_URL="postgres://sj@127.0.0.1:$port/sj"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running at 127.0.0.1:$port" >&2
"$@"
