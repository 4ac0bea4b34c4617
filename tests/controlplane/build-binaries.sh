#!/usr/bin/env bash
# Build the control-plane binaries the integration tests run (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, plus a kubectl of the same version) from the Go
# module proxy, and cache them outside the repo so the next run starts in seconds.
#
# envtest's conventions come first: harness.py uses KUBEBUILDER_ASSETS (a folder with
# kube-apiserver, etcd, kubectl) or TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD / ... as they
# are, and only runs this script when they do not name kube-apiserver and etcd.
#
# Prints the folder holding the binaries on its last line.
set -euo pipefail

K8S_VERSION="${MESHGATE_K8S_VERSION:-v1.36.2}"
ETCD_VERSION="${MESHGATE_ETCD_VERSION:-v3.6.16}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"
# The cache key includes the wrapper sources, so a change to them rebuilds.
src_hash="$(cat "$here/etcd/main.go" "$here/kube/tools.go" "$here/kube/staging-modules.txt" | sha256sum | cut -c1-12)"
out="$cache_root/controlplane-k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}-${src_hash}"

log() { echo "build-binaries: $*" >&2; }

have_all() {
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$out/$b" ] || return 1
  done
}

# shellcheck source=tests/controlplane/cache-lib.sh
. "$here/cache-lib.sh"
exit_if_cached

command -v go >/dev/null || { log "Go is not installed: install Go 1.26.x (the Debian/golang package or the machine's Go)"; exit 2; }
gov="$(go env GOVERSION)"            # e.g. go1.26.8
case "$gov" in
  go1.26|go1.26.*) ;;
  *) log "refusing to build with $gov: Kubernetes ${K8S_VERSION} must be built with Go 1.26.x."
     log "Go 1.27 builds a kube-apiserver whose /openapi output is broken (kubectl apply then fails with"
     log "'failed to download openapi'). Put Go 1.26 first on PATH, or set GOTOOLCHAIN=go1.26.8."
     exit 2 ;;
esac

mkdir -p "$out.tmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"

# --- etcd: a few-line main over go.etcd.io/etcd/server/v3/embed (go install of etcd's
# root module is refused because of its replace directives).
if [ ! -x "$out/etcd" ]; then
  log "building etcd ${ETCD_VERSION}"
  cp -r "$here/etcd" "$work/etcd"
  ( cd "$work/etcd"
    go mod init meshgate.local/etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
    go mod tidy >&2
    go build -p 2 -trimpath -o "$out.tmp/etcd" . >&2 )
fi

# --- Kubernetes: k8s.io/kubernetes replaces its staging modules with local paths, so a small
# wrapper module requires it and replaces each staging module with its published tag.
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${K8S_VERSION#v1.}"
mkdir -p "$work/kube"
cp "$here/kube/tools.go" "$work/kube/"
{
  echo "module meshgate.local/kubebins"
  echo
  echo "go 1.26"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  while read -r m; do
    [ -n "$m" ] && echo "	k8s.io/$m => k8s.io/$m ${staging_version}"
  done < "$here/kube/staging-modules.txt"
  echo ")"
} > "$work/kube/go.mod"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=${K8S_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor}"
  ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
( cd "$work/kube"
  log "resolving k8s.io/kubernetes ${K8S_VERSION}"
  go mod tidy >&2
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$out/$b" ] && continue
    log "building $b ${K8S_VERSION} (kube-apiserver takes ~6 min cold on 2 cores)"
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp/$b" "k8s.io/kubernetes/cmd/$b" >&2
  done )

finish_cache
