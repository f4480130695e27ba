#!/usr/bin/env python3
"""Validates deploy/ offline: Kubernetes manifests against the Kubernetes
schemas (kubernetes-validate, strict), the KEDA ScaledObject against the
schema in deploy/schemas, the compose file with docker-compose, and the
promises that tie them to the code (grace period over the drain deadline,
autoscaling capped at the partition count, probe paths that exist).

Usage: scripts/validate-deploy.py   (exit 0 when everything holds)
"""
import json
import pathlib
import shutil
import subprocess
import sys

import yaml
import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


core = [p for p in sorted(K8S.rglob("*.yaml")) if p.name not in ("kustomization.yaml", "keda-scaledobject.yaml")]
kv = shutil.which("kubernetes-validate") or str(pathlib.Path(sys.executable).parent / "kubernetes-validate")
result = subprocess.run([kv, "--strict", "--quiet", *map(str, core)], capture_output=True, text=True)
check(result.returncode == 0, f"kubernetes-validate: {result.stdout}{result.stderr}")

schema = json.loads((ROOT / "deploy" / "schemas" / "keda-scaledobject.schema.json").read_text())
scaled = docs(K8S / "keda-scaledobject.yaml")[0]
try:
    jsonschema.validate(scaled, schema)
except jsonschema.ValidationError as e:
    failures.append(f"keda-scaledobject.yaml: {e.message}")

kustomization = docs(K8S / "kustomization.yaml")[0]
for resource in kustomization["resources"]:
    check((K8S / resource).exists(), f"kustomization names missing {resource}")

deployment = docs(K8S / "deployment.yaml")[0]
config = docs(K8S / "configmap.yaml")[0]["data"]
partitions = int(deployment["metadata"]["annotations"]["akhbar.io/input-partitions"])
pod = deployment["spec"]["template"]["spec"]
drain_s = int(config["AKHBAR_SHUTDOWN__DRAIN_TIMEOUT_MS"]) / 1000
check(pod["terminationGracePeriodSeconds"] > drain_s + 5,
      "terminationGracePeriodSeconds must exceed the drain deadline with room to commit and leave")
check(scaled["spec"]["maxReplicaCount"] <= partitions, "KEDA maxReplicaCount above the partition count")
hpa = docs(K8S / "hpa" / "hpa.yaml")[0]
check(hpa["spec"]["maxReplicas"] <= partitions, "HPA maxReplicas above the partition count")
container = pod["containers"][0]
check(container["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe must use /healthz")
check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe must use /readyz")
port = config["AKHBAR_HTTP__LISTEN"].rsplit(":", 1)[1]
check(str(container["ports"][0]["containerPort"]) == port, "container port differs from AKHBAR_HTTP__LISTEN")
check(pod["securityContext"].get("runAsNonRoot") is True, "pods must run as non-root")
trigger = scaled["spec"]["triggers"][0]["metadata"]
check(trigger["consumerGroup"] == config["AKHBAR_KAFKA__GROUP_ID"], "KEDA watches another consumer group")
check(trigger["topic"] == config["AKHBAR_TOPICS__INPUT"], "KEDA watches another topic")

dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
for needle in ("AS builder", "cargo chef cook", "USER 10001", "ENTRYPOINT", "LABEL"):
    check(needle in dockerfile, f"Dockerfile lacks {needle!r}")

compose = ROOT / "deploy" / "docker-compose.yml"
spec = yaml.safe_load(compose.read_text())
check(spec["services"]["kafka"]["image"].startswith("apache/kafka"), "compose must run apache/kafka")
check(spec["services"]["akhbar"]["deploy"]["replicas"] == 2, "compose must run two akhbar replicas")
dc = shutil.which("docker-compose")
if dc:
    result = subprocess.run([dc, "-f", str(compose), "config", "-q"], capture_output=True, text=True)
    check(result.returncode == 0, f"docker-compose config: {result.stderr}")
else:
    failures.append("docker-compose is not installed (scripts/test.sh installs Debian's)")

if failures:
    print("deploy validation failed:\n- " + "\n- ".join(failures))
    sys.exit(1)
print(f"deploy validated: {len(core)} Kubernetes manifests, KEDA ScaledObject, compose file, Dockerfile")
