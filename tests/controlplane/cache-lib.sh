# shellcheck shell=bash
# Sourced by build-binaries.sh, build-istio.sh, build-helm.sh and tests/dataplane/build-oracle.sh:
# how they keep their binary cache.
# The caller defines log() and have_all() (every binary present in $out) and sets $out; a
# build writes into "$out.tmp", so a cache folder only ever holds complete binaries.
: "${out:?cache-lib.sh: the caller sets out (its cache folder) before sourcing this file}"

# Print the cache folder and stop when every binary is already there. Before looking, take
# the cache folder's lock ("$out.lock", held until the script exits): a second build of the same
# folder (another checkout's test run, CI) waits for the first and then finds its binaries,
# instead of writing into the same "$out.tmp".
exit_if_cached() {
  mkdir -p "$(dirname "$out")"
  exec 9>"$out.lock"
  if ! flock -n 9; then
    log "another build of $out is running: waiting for it"
    flock 9
  fi
  if have_all; then
    log "cached in $out"
    echo "$out"
    exit 0
  fi
}

# Move what the build left in "$out.tmp" into the cache folder, check it is complete and print it.
finish_cache() {
  mkdir -p "$out"
  for f in "$out.tmp"/*; do [ -e "$f" ] && mv "$f" "$out/"; done
  rmdir "$out.tmp" 2>/dev/null || true
  have_all || { log "build incomplete in $out"; exit 1; }
  log "built into $out"
  echo "$out"
}
