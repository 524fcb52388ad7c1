#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the LiteLLM database tests (tests/integration/test_postgres_litellm.py).
#
# Installs Debian's postgresql package when its binaries are missing (unless --no-install), creates a
# cluster in a temporary directory owned by the `postgres` user (initdb refuses to run as root), starts it
# on a free loopback port with trust authentication, creates the database `llm_tco_test`, and prints the
# URL on stdout (last line). Files in the directory:
#   url      the URL (postgresql://postgres@127.0.0.1:PORT/llm_tco_test)
#   stop.sh  stops the server and removes the directory
#
# Usage: scripts/ci_postgres.sh [--no-install] [--dir DIR]
#   export LLM_TCO_TEST_PG_URL="$(scripts/ci_postgres.sh | tail -n 1)"
set -euo pipefail

install=1
dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install=0 ;;
        --dir) dir="$2"; shift ;;
        *) echo "usage: $0 [--no-install] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
done

find_bindir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return 0; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
    return 1
}

if ! bindir="$(find_bindir)"; then
    if [ "$install" -eq 0 ]; then echo "ci_postgres: PostgreSQL binaries not found" >&2; exit 3; fi
    if [ "$(id -u)" -ne 0 ]; then echo "ci_postgres: need root to apt-get install postgresql" >&2; exit 3; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bindir="$(find_bindir)"
fi

dir="${dir:-$(mktemp -d /tmp/llm-tco-pg.XXXXXX)}"
mkdir -p "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /bin/sh postgres
    chown -R postgres "$dir"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres llm_tco_test

url="postgresql://postgres@127.0.0.1:$port/llm_tco_test"
echo "$url" >"$dir/url"
cat >"$dir/stop.sh" <<EOF
#!/usr/bin/env bash
set -e
$( [ "$(id -u)" -eq 0 ] && echo "runuser -u postgres -- " )"$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
rm -rf "$dir"
EOF
chmod +x "$dir/stop.sh"
echo "ci_postgres: server in $dir (stop with $dir/stop.sh)" >&2
echo "$url"
