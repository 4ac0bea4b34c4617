# shellcheck shell=bash
# Sourced by build-istio.sh (istiod, istioctl) and tests/dataplane/build-oracle.sh (Istio's
# config generator and traffic simulator as a test binary): both must build the same Istio
# sources against the same requirements, so the version and the substitutes live here once.
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
# The caller defines log() and sets $out (its cache folder, see cache-lib.sh).

ISTIO_MODULE_VERSION="${MESHGATE_ISTIO_MODULE_VERSION:-v0.0.0-20260826214018-9739e10eb9d7}"
# What the binaries report as their version (Istio's release build sets it the same way).
# shellcheck disable=SC2034 # read by the scripts that source this file
ISTIO_BUILD_VERSION="${MESHGATE_ISTIO_BUILD_VERSION:-1.30.4-dev}"
ISTIO_SUBSTITUTES=(
  "istio.io/api@v1.30.8"
  "istio.io/client-go@v1.30.8"
  "github.com/envoyproxy/go-control-plane/envoy@v1.38.0"
  "github.com/envoyproxy/go-control-plane/contrib@v1.36.1-0.20260729145720-a2d8c7492908"
  "github.com/agentgateway/agentgateway/api@v0.0.0-20260501213430-773586679f1c"
)

# Refuse any Go but 1.26.x, the one these builds are tested with.
istio_require_go() {
  command -v go >/dev/null || { log "Go is not installed: install Go 1.26.x"; exit 2; }
  local gov
  gov="$(go env GOVERSION)"
  case "$gov" in
    go1.26|go1.26.*) ;;
    *) log "refusing to build with $gov: this script is tested with Go 1.26.x (put it first on PATH)"; exit 2 ;;
  esac
}

# Download istio.io/istio at ISTIO_MODULE_VERSION and copy it, writable and with the
# substitutes applied, to "$1/istio".
istio_source_copy() {
  local work="$1" dir m args=()
  log "downloading istio.io/istio@${ISTIO_MODULE_VERSION}"
  dir="$(cd "$work" && go mod download -json "istio.io/istio@${ISTIO_MODULE_VERSION}" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || { log "the module proxy did not serve istio.io/istio@${ISTIO_MODULE_VERSION}"; exit 1; }
  # The module cache is read-only; build from a writable copy (go.sum must be writable).
  cp -r "$dir" "$work/istio"
  chmod -R u+w "$work/istio"
  if [ -z "${MESHGATE_ISTIO_NO_SUBSTITUTES:-}" ]; then
    for m in "${ISTIO_SUBSTITUTES[@]}"; do args+=("-require=$m"); done
    ( cd "$work/istio" && go mod edit "${args[@]}" )
    log "requirements the module proxy does not serve replaced: ${ISTIO_SUBSTITUTES[*]}"
  fi
}

# Everything a build needs before `go build`: the right Go, "$out.tmp" for the binaries, a
# temporary $work (removed on exit) holding the prepared sources in "$work/istio".
istio_prepare_build() {
  : "${out:?istio_prepare_build: the caller sets out (its cache folder)}"
  istio_require_go
  mkdir -p "$out.tmp"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $work now: it is the folder to remove
  trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT
  export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
  istio_source_copy "$work"
}
