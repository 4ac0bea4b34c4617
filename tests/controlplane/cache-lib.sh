# shellcheck shell=bash
# Sourced by build-binaries.sh and build-istio.sh: how both keep their binary cache.
# The caller defines log() and have_all() (every binary present in $out) and sets $out; a
# build writes into "$out.tmp", so a cache folder only ever holds complete binaries.
: "${out:?cache-lib.sh: the caller sets out (its cache folder) before sourcing this file}"

# Print the cache folder and stop when every binary is already there.
exit_if_cached() {
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
