#!/usr/bin/env bash
# The test command: unit tests, integration tests on the in-process mock
# cluster, and end-to-end tests against a real broker process (tansu, fetched
# and started here on a free loopback port, stopped on exit). The shared
# near-duplicate index tests (`dedup_redis::`) start their own redis-server
# on free loopback ports; it is installed here (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."

# Offline validators for deploy/: kubernetes-validate in a venv, Debian's
# docker-compose (only `config`, no daemon).
if [ ! -x .tools/venv/bin/kubernetes-validate ]; then
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet kubernetes-validate==1.37.0 PyYAML jsonschema
fi
if ! command -v docker-compose >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq docker-compose) >/dev/null
fi
if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null
  # The package's own service is not needed: the tests start theirs.
  (service redis-server stop || true) >/dev/null 2>&1
fi
export AKHBAR_TEST_VALIDATE_PYTHON="$PWD/.tools/venv/bin/python"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=$(scripts/tansu.sh start "$port")
trap 'kill "$pid" 2>/dev/null || true' EXIT
echo "tansu broker on 127.0.0.1:$port (pid $pid)"

AKHBAR_TEST_BROKERS="127.0.0.1:$port" cargo test --features tansu-tests "$@"
