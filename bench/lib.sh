# What the benchmarks share: a free port, one measured wrk run that refuses
# any error answer, and the check that a URL answers 200 before it is
# measured. Sourced by bench/run and bench/media; expects CONNECTIONS and
# SECONDS_PER_RUN.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wrk URL [gzip] -> "req/s p50_ms p99_ms"
measure() {
  local extra=()
  [ "${2:-}" = gzip ] && extra=(-H "Accept-Encoding: gzip")
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${extra[@]}" "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
# A run with a single failed answer measures something else (nginx once
# answered 403 to every request here): the comparison stops.
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors:
    sys.exit("refused: %s of the answers were errors; nothing is reported" % errors.group(1))
sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if sockets and any(int(n) for n in sockets.groups()):
    sys.exit("refused: socket errors (%s); nothing is reported" % sockets.group(0))
print("%.0f %.2f %.2f" % (rps, ms(50), ms(99)))
' || { echo "$(basename "$0"): the run against $1 is void, see above" >&2; exit 1; }
}

# Every measured URL must answer 200 before it is measured.
check_ok() {
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$1")
  [ "$status" = 200 ] || { echo "$(basename "$0"): $1 answers $status, not 200; nothing is measured" >&2; exit 1; }
}

