#!/usr/bin/env bash
# Build Istio's control plane (pilot-discovery, i.e. istiod) and istioctl from the Go module
# proxy, and cache them beside the Kubernetes binaries, so the integration tests can run the
# real sidecar injector, the real validation webhook and `istioctl analyze` without Docker.
#
# Istio tags its releases "1.30.3", not "v1.30.3", so the module proxy serves no release
# version of istio.io/istio, only pseudo-versions of commits. The default below is a commit of
# the release-1.30 branch after 1.30.3 (its go.mod requires istio.io/api v1.30.4-pre), the
# release that matches the Istio CRDs in ../shared/fixtures/crds (1.30.3). The build uses
# Istio's own go.mod, except for five requirements whose exact pseudo-versions the module
# proxy here does not serve; each is replaced by the nearest version it serves (SUBSTITUTES
# below: the same 1.30 API at its later patch release, the next go-control-plane release, the
# agentgateway API commit Istio's master used five days earlier). `go build` then proves the
# sources compile against them; the tests prove the behaviour we rely on.
#
# MESHGATE_ISTIOD / MESHGATE_ISTIOCTL naming existing binaries skip the build.
#
# Prints the folder holding the binaries on its last line.
set -euo pipefail

ISTIO_MODULE_VERSION="${MESHGATE_ISTIO_MODULE_VERSION:-v0.0.0-20260826214018-9739e10eb9d7}"
# What the binaries report as their version (Istio's release build sets it the same way).
ISTIO_BUILD_VERSION="${MESHGATE_ISTIO_BUILD_VERSION:-1.30.4-dev}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"
SUBSTITUTES=(
  "istio.io/api@v1.30.8"
  "istio.io/client-go@v1.30.8"
  "github.com/envoyproxy/go-control-plane/envoy@v1.38.0"
  "github.com/envoyproxy/go-control-plane/contrib@v1.36.1-0.20260729145720-a2d8c7492908"
  "github.com/agentgateway/agentgateway/api@v0.0.0-20260501213430-773586679f1c"
)
src_hash="$(sha256sum "$here/build-istio.sh" | cut -c1-12)"
out="$cache_root/istio-${ISTIO_MODULE_VERSION##*-}-${src_hash}"

log() { echo "build-istio: $*" >&2; }

have_all() { [ -x "$out/pilot-discovery" ] && [ -x "$out/istioctl" ]; }

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
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"

log "downloading istio.io/istio@${ISTIO_MODULE_VERSION}"
dir="$(cd "$work" && go mod download -json "istio.io/istio@${ISTIO_MODULE_VERSION}" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir" ] || { log "the module proxy did not serve istio.io/istio@${ISTIO_MODULE_VERSION}"; exit 1; }
# The module cache is read-only; build from a writable copy (go.sum must be writable).
cp -r "$dir" "$work/istio"
chmod -R u+w "$work/istio"
if [ -z "${MESHGATE_ISTIO_NO_SUBSTITUTES:-}" ]; then
  args=()
  for m in "${SUBSTITUTES[@]}"; do args+=("-require=$m"); done
  ( cd "$work/istio" && go mod edit "${args[@]}" )
  log "requirements the module proxy does not serve replaced: ${SUBSTITUTES[*]}"
fi

revision="${ISTIO_MODULE_VERSION##*-}"
ldflags="-s -w"
for kv in "buildVersion=${ISTIO_BUILD_VERSION}" "buildGitRevision=${revision}" \
          "buildTag=${ISTIO_BUILD_VERSION}" "buildHub=docker.io/istio" "buildStatus=Clean"; do
  ldflags="$ldflags -X istio.io/istio/pkg/version.$kv"
done
( cd "$work/istio"
  for b in pilot-discovery istioctl; do
    [ -x "$out/$b" ] && continue
    case "$b" in
      pilot-discovery) pkg=./pilot/cmd/pilot-discovery ;;
      istioctl) pkg=./istioctl/cmd/istioctl ;;
    esac
    log "building $b (${ISTIO_BUILD_VERSION}, ${revision}); several minutes cold on 2 cores"
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp/$b" "$pkg" >&2
  done )

finish_cache
