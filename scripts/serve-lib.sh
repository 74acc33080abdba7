# Sourced by the test scripts: starts `gatehouse serve` on a free port with a fresh store.
#
#   start_serve BIN WORKDIR     sets serve_pid and serve_url (http://127.0.0.1:PORT)
#   stop_serve
#
# The URL is read from serve's first stdout line, `Serving http://127.0.0.1:PORT/`.
start_serve() {
  local bin=$1 work=$2
  "$bin" serve -q --port 0 --state-dir "$work/state" >"$work/stdout" 2>"$work/stderr" &
  serve_pid=$!
  serve_url=""
  for _ in $(seq 600); do
    serve_url=$(sed -n 's/^Serving \(http[^ ]*\)\/$/\1/p' "$work/stdout")
    [ -n "$serve_url" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/stderr" >&2; echo "gatehouse serve exited" >&2; return 1; }
    sleep 0.1
  done
  echo "gatehouse serve did not start" >&2
  return 1
}

stop_serve() {
  if [ -n "${serve_pid:-}" ]; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=""
  fi
}
