#!/usr/bin/env bash
# Build the data-path oracle (tests/dataplane/oracle: Istio's own config generator and traffic
# simulator, driven by our input folder) as a Go test binary, inside a copy of the same Istio
# sources and requirements istiod is built from (tests/controlplane/istio-source.sh), and cache
# it beside the other binaries. Cold: a few minutes on 2 cores (much of Istio is compiled for
# istiod already and reused from Go's build cache); cached: instant.
#
# MESHGATE_ORACLE naming an existing binary skips the build.
#
# Prints the path of the binary on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
controlplane="$here/../controlplane"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"

log() { echo "build-oracle: $*" >&2; }

if [ -n "${MESHGATE_ORACLE:-}" ]; then
  [ -x "$MESHGATE_ORACLE" ] || { log "MESHGATE_ORACLE=$MESHGATE_ORACLE is not an executable"; exit 2; }
  echo "$MESHGATE_ORACLE"
  exit 0
fi

# shellcheck source=tests/controlplane/istio-source.sh
. "$controlplane/istio-source.sh"
src_hash="$(cat "$here/build-oracle.sh" "$controlplane/istio-source.sh" "$here"/oracle/*.go \
  | sha256sum | cut -c1-12)"
out="$cache_root/oracle-${ISTIO_MODULE_VERSION##*-}-${src_hash}"

have_all() { [ -x "$out/dataplane-oracle.test" ]; }

exit_if_cached_binary() {
  if have_all; then
    log "cached in $out"
    echo "$out/dataplane-oracle.test"
    exit 0
  fi
}
exit_if_cached_binary

istio_require_go

mkdir -p "$out.tmp"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"

istio_source_copy "$work"
mkdir -p "$work/istio/meshgate/oracle"
cp "$here"/oracle/*.go "$work/istio/meshgate/oracle/"
log "building dataplane-oracle.test; several minutes cold on 2 cores"
( cd "$work/istio" && go test -c -p 2 -trimpath -o "$out.tmp/dataplane-oracle.test" ./meshgate/oracle >&2 )

# shellcheck source=tests/controlplane/cache-lib.sh
. "$controlplane/cache-lib.sh"
finish_cache >/dev/null
echo "$out/dataplane-oracle.test"
