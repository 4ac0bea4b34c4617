#!/usr/bin/env bash
# Build the data-path oracle (tests/dataplane/oracle: Istio's own config generator and traffic
# simulator, driven by our input folder) as a Go test binary, inside a copy of the same Istio
# sources and requirements istiod is built from (tests/controlplane/istio-source.sh), and cache
# it beside the other binaries. Cold: a few minutes on 2 cores (much of Istio is compiled for
# istiod already and reused from Go's build cache); cached: instant.
#
# (tests/dataplane/oracle.py skips this script when MESHGATE_ORACLE names a built binary.)
#
# Prints the folder holding dataplane-oracle.test on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
controlplane="$here/../controlplane"
cache_root="${MESHGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate-istio-lb}"

log() { echo "build-oracle: $*" >&2; }

# shellcheck source=tests/controlplane/istio-source.sh
. "$controlplane/istio-source.sh"
src_hash="$(cat "$here/build-oracle.sh" "$controlplane/istio-source.sh" "$here"/oracle/*.go \
  | sha256sum | cut -c1-12)"
out="$cache_root/oracle-${ISTIO_MODULE_VERSION##*-}-${src_hash}"

have_all() { [ -x "$out/dataplane-oracle.test" ]; }

# shellcheck source=tests/controlplane/cache-lib.sh
. "$controlplane/cache-lib.sh"
exit_if_cached

istio_prepare_build
mkdir -p "$work/istio/meshgate/oracle"
cp "$here"/oracle/*.go "$work/istio/meshgate/oracle/"
log "building dataplane-oracle.test; several minutes cold on 2 cores"
( cd "$work/istio" && go test -c -p 2 -trimpath -o "$out.tmp/dataplane-oracle.test" ./meshgate/oracle >&2 )

finish_cache
