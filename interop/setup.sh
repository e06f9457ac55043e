#!/usr/bin/env bash
# Installs the pinned, independently written SMPP peers used by the interop tests into the build
# folder, never globally:
#   target/interop/node  npm `smpp` (farhadi/node-smpp), exact tree from interop/node/package-lock.json
#   target/interop/venv  python `smpplib` (python-smpplib), versions from interop/python/requirements.txt
# Idempotent and quiet: does nothing, silently, when the pinned versions are already there (-v says so). Exits non-zero with a
# clear message when something is missing or an install fails.
# Override the destination with SMPP_INTEROP_DIR (default: <repo>/target/interop).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dest=${SMPP_INTEROP_DIR:-$root/target/interop}
node_dir=$dest/node
venv=$dest/venv

die() {
    echo "interop/setup.sh: error: $*" >&2
    exit 1
}

command -v node >/dev/null || die "node not found (Node.js >= 18 is needed; Debian package: nodejs)"
command -v npm >/dev/null || die "npm not found (Debian package: npm)"
command -v python3 >/dev/null || die "python3 not found"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 18)) || die "node $(node --version) is too old (>= 18 needed for util.parseArgs)"

# Pinned versions, read from the committed manifests so that they are written down once.
want_smpp=$(node -p "require('$here/node/package.json').dependencies.smpp")
want_smpplib=$(sed -n 's/^smpplib==//p' "$here/python/requirements.txt")
[[ -n $want_smpp && -n $want_smpplib ]] || die "cannot read the pinned versions"

mkdir -p "$dest"
installed=no
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# --- node: npm ci from the committed lockfile (exact transitive versions and integrity hashes) ---
have_smpp=$(node -p "try { require('$node_dir/node_modules/smpp/package.json').version } catch (e) { '' }")
if [[ $have_smpp != "$want_smpp" ]] || ! cmp -s "$here/node/package-lock.json" "$node_dir/package-lock.json"; then
    mkdir -p "$node_dir"
    cp "$here/node/package.json" "$here/node/package-lock.json" "$node_dir/"
    if ! (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
        cat "$log" >&2
        die "npm ci in $node_dir failed"
    fi
    installed=yes
    have_smpp=$(node -p "require('$node_dir/node_modules/smpp/package.json').version")
    [[ $have_smpp == "$want_smpp" ]] || die "installed npm smpp $have_smpp, wanted $want_smpp"
fi

# --- python: a venv with the pinned requirements ---
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" >"$log" 2>&1 || {
        cat "$log" >&2
        die "python3 -m venv $venv failed (Debian package: python3-venv)"
    }
fi
version_of() { "$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true; }
if [[ $(version_of smpplib) != "$want_smpplib" ]]; then
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$here/python/requirements.txt" >"$log" 2>&1; then
        cat "$log" >&2
        die "pip install -r interop/python/requirements.txt into $venv failed"
    fi
    installed=yes
    [[ $(version_of smpplib) == "$want_smpplib" ]] || die "installed smpplib $(version_of smpplib), wanted $want_smpplib"
fi

[[ $installed == no && ${1:-} != -v ]] && exit 0
echo "interop peers ready: npm smpp $want_smpp ($node_dir), python smpplib $want_smpplib ($venv)"
