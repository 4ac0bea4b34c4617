#!/usr/bin/env bash
# Build Istio's control plane (pilot-discovery, i.e. istiod) and istioctl from the Go module
# proxy, and cache them beside the Kubernetes binaries, so the integration tests can run the
# real sidecar injector, the real validation webhook and `istioctl analyze` without Docker.
#
# The Istio version, and the requirements replaced because the module proxy here does not
# serve them, are in istio-source.sh (shared with tests/dataplane/build-oracle.sh).
#
# MESHGATE_ISTIOD / MESHGATE_ISTIOCTL naming existing binaries skip the build.
#
# Prints the folder holding the binaries on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"
log() { echo "build-istio: $*" >&2; }

# shellcheck source=tests/controlplane/istio-source.sh
. "$here/istio-source.sh"
src_hash="$(cat "$here/build-istio.sh" "$here/istio-source.sh" | sha256sum | cut -c1-12)"
out="$cache_root/istio-${ISTIO_MODULE_VERSION##*-}-${src_hash}"

have_all() { [ -x "$out/pilot-discovery" ] && [ -x "$out/istioctl" ]; }

# shellcheck source=tests/controlplane/cache-lib.sh
. "$here/cache-lib.sh"
exit_if_cached

istio_prepare_build

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
