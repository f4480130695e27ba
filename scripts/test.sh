#!/usr/bin/env bash
# The test command: unit tests, integration tests on the in-process mock
# cluster, and end-to-end tests against a real broker process (tansu, fetched
# and started here on a free loopback port, stopped on exit).
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=$(scripts/tansu.sh start "$port")
trap 'kill "$pid" 2>/dev/null || true' EXIT
echo "tansu broker on 127.0.0.1:$port (pid $pid)"

AKHBAR_TEST_BROKERS="127.0.0.1:$port" cargo test --features tansu-tests "$@"
