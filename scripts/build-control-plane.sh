#!/usr/bin/env bash
# Builds the real control-plane programs the e2e tier runs, from the Go module pinned in test/control-plane
# (go.mod/go.sum + tools.go), into test/control-plane/bin (git-ignored):
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3),
#   kwok (sigs.k8s.io/kwok), helm (helm.sh/helm/v4); and krew (sigs.k8s.io/krew, its own module in krew/: it builds
#   against far older Kubernetes libraries) for the distribution tests.
# Rebuilds only when a binary is missing or go.mod/go.sum/this script changed since the last build (a stamp holds
# their hash). Go's own build and module caches (GOCACHE, GOMODCACHE) are left in place, so a rebuild after a version
# bump recompiles only what changed.
#   scripts/build-control-plane.sh            build when missing or stale
#   scripts/build-control-plane.sh --force    rebuild
#   scripts/build-control-plane.sh --check    exit 0 when up to date, 1 when a build is needed (no build)
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../test/control-plane"

BIN="$PWD/bin"
STAMP="$BIN/.stamp"
PROGRAMS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm krew)
KUBE_VERSION="$(awk '$1=="k8s.io/kubernetes"{print $2; exit}' go.mod)"

if ! command -v go >/dev/null 2>&1; then
  echo "build-control-plane: the Go toolchain is not on PATH (install Go >= 1.26 to build the control plane)" >&2
  exit 2
fi

want="$( (cat go.mod go.sum krew/go.mod krew/go.sum "$SELF"; go env GOVERSION GOOS GOARCH) | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
fresh=1
[ "$want" = "$have" ] || fresh=0
for p in "${PROGRAMS[@]}"; do [ -x "$BIN/$p" ] || fresh=0; done
[ -f "$BIN/kwok-stages/pod-ready.yaml" ] && [ -f "$BIN/kwok-crds/kwok.x-k8s.io_logs.yaml" ] || fresh=0

case "${1:-}" in
  --check) [ "$fresh" = 1 ]; exit $? ;;
  --force) fresh=0 ;;
esac
if [ "$fresh" = 1 ]; then
  echo "control plane: up to date in $BIN (kubernetes $KUBE_VERSION)"
  exit 0
fi

start=$(date +%s)
mkdir -p "$BIN"
rm -f "$STAMP"
# The version the API server reports (/version) and kubectl compares against: the pinned release, not v0.0.0-master.
major="${KUBE_VERSION#v}"; major="${major%%.*}"
minor="${KUBE_VERSION#v*.}"; minor="${minor%%.*}"
pkg=k8s.io/component-base/version
kube_ldflags="-s -w -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
kube_ldflags="$kube_ldflags -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"

export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
echo "control plane: building kubernetes $KUBE_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl) — the first build takes a while"
go build -trimpath -ldflags "$kube_ldflags" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
echo "control plane: building etcd, kwok, helm"
go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
go build -trimpath -ldflags "-s -w" -o "$BIN/kwok" sigs.k8s.io/kwok/cmd/kwok
# kwok runs no stages unless given some (kwokctl embeds these; the kwok binary does not): keep the module's own
# default node and pod stages beside it, for the harness's kwok configuration.
kwok_dir="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
rm -rf "$BIN/kwok-stages" "$BIN/kwok-crds" && mkdir -p "$BIN/kwok-stages"
cp "$kwok_dir"/kustomize/stage/node/fast/node-initialize.yaml \
  "$kwok_dir"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
  "$kwok_dir"/kustomize/stage/pod/fast/pod-ready.yaml \
  "$kwok_dir"/kustomize/stage/pod/fast/pod-complete.yaml \
  "$kwok_dir"/kustomize/stage/pod/fast/pod-delete.yaml "$BIN/kwok-stages/"
# …and its Logs/ClusterLogs CRDs: the harness serves container logs through kwok (the nodes' kubelet endpoint).
mkdir -p "$BIN/kwok-crds"
cp "$kwok_dir"/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml "$kwok_dir"/kustomize/crd/bases/kwok.x-k8s.io_clusterlogs.yaml "$BIN/kwok-crds/"
chmod u+w "$BIN"/kwok-stages/* "$BIN"/kwok-crds/*
helm_version="$(awk '$1=="helm.sh/helm/v4"{print $2; exit}' go.mod)"
go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version" -o "$BIN/helm" helm.sh/helm/v4/cmd/helm
(cd krew && go build -trimpath -ldflags "-s -w" -o "$BIN/krew" sigs.k8s.io/krew/cmd/krew)
echo "$want" > "$STAMP"
echo "control plane: built in $(( $(date +%s) - start ))s into $BIN"
