#!/usr/bin/env bash
# Build Helm 3 and Helm 4 (the `helm` command of helm.sh/helm/v3 and helm.sh/helm/v4) from the
# Go module proxy, and cache them beside the Kubernetes binaries as `helm3` and `helm4`, so the
# integration tests can install, upgrade and uninstall a chart on the test API server the way
# users do (tests/integration/test_helm_upgrade_live.py).
#
# Each is built from its module's own go.mod and go.sum (no wrapper module: neither has a
# replace directive), with the ldflags Helm's Makefile sets for a release build: the version,
# a clean tree, and for Helm 3 the Kubernetes version its `.Capabilities` default to, taken
# from the k8s.io/client-go it requires.
#
# MESHGATE_HELM3 / MESHGATE_HELM4 naming existing binaries skip the build (harness.py).
#
# Prints the folder holding the binaries on its last line.
set -euo pipefail

HELM3_VERSION="${MESHGATE_HELM3_VERSION:-v3.21.4}"
HELM4_VERSION="${MESHGATE_HELM4_VERSION:-v4.3.2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"
# The cache key includes this script, so a change to how Helm is built rebuilds.
src_hash="$(sha256sum < "$here/build-helm.sh" | cut -c1-12)"
out="$cache_root/helm-${HELM3_VERSION}-${HELM4_VERSION}-${src_hash}"

log() { echo "build-helm: $*" >&2; }

have_all() { [ -x "$out/helm3" ] && [ -x "$out/helm4" ]; }

# shellcheck source=tests/controlplane/cache-lib.sh
. "$here/cache-lib.sh"
exit_if_cached

command -v go >/dev/null || { log "Go is not installed: install Go 1.26.x"; exit 2; }
gov="$(go env GOVERSION)"
case "$gov" in
  go1.26|go1.26.*) ;;
  *) log "refusing to build with $gov: this script is tested with Go 1.26.x (put it first on PATH)"; exit 2 ;;
esac

mkdir -p "$out.tmp"
work="$(mktemp -d)"
# shellcheck disable=SC2064 # expand $work now: it is the folder to remove
trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"

# build_helm MAJOR VERSION: helm.sh/helm/vMAJOR@VERSION's cmd/helm into "$out.tmp/helmMAJOR".
build_helm() {
  local major="$1" version="$2" module="helm.sh/helm/v$1" dir ldflags k8s
  [ -x "$out/helm$major" ] && return 0
  log "downloading ${module}@${version}"
  dir="$(cd "$work" && go mod download -json "${module}@${version}" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || { log "the module proxy did not serve ${module}@${version}"; exit 1; }
  # The module cache is read-only; build from a writable copy (go.sum must be writable).
  cp -r "$dir" "$work/helm$major"
  chmod -R u+w "$work/helm$major"
  ldflags="-s -w -X ${module}/internal/version.version=${version}"
  ldflags="$ldflags -X ${module}/internal/version.metadata= -X ${module}/internal/version.gitTreeState=clean"
  if [ "$major" = 3 ]; then
    # Helm 3's Makefile: the default .Capabilities.KubeVersion is the client-go it requires
    # (v0.36.x -> 1.36).
    k8s="$(cd "$work/helm$major" && go list -m -f '{{.Version}}' k8s.io/client-go)"
    k8s="${k8s#v0.}"
    for pkg in lint/rules chartutil; do
      ldflags="$ldflags -X ${module}/pkg/${pkg}.k8sVersionMajor=1 -X ${module}/pkg/${pkg}.k8sVersionMinor=${k8s%%.*}"
    done
  fi
  log "building helm ${version} (a few minutes cold on 2 cores)"
  ( cd "$work/helm$major" && go build -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp/helm$major" ./cmd/helm >&2 )
}

build_helm 3 "$HELM3_VERSION"
build_helm 4 "$HELM4_VERSION"

finish_cache
