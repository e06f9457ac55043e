#!/usr/bin/env bash
# Interop in CI: our SMSC simulator and our ESME client against independently written peers.
#
#   interop/ci.sh            (from .ci/run; also fine by hand)
#
# 1. installs the pinned peers into target/interop/ (interop/setup.sh: npm `smpp`, python `smpplib`);
# 2. builds release binaries: smpp-sim and the interop_client example;
# 3. smpp-sim  <- node client and python client (interop/run.sh vs-smsc, multipart and MO included);
# 4. node SMSC <- our client (examples/interop_client.rs: bind, receipts, UCS2, long messages,
#    enquire_link, query/replace/cancel, MO, unbind);
# 5. smpp-sim  <- our client (the same driver, as a reference).
# Loopback only, every peer on a free port; each run is bounded (timeout(1)) and so is the whole.
# Exit status 0 when every step passed; 1 otherwise. The last line is
# "interop: N passed, N failed, N skipped".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
logs=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT

total_p=0 total_f=0 total_s=0
# Adds the counts of a "...: N passed, N failed, N skipped" line in file $2 (label $1).
tally() {
    local line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$2" | tail -n 1 || true)
    if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
        total_p=$((total_p + BASH_REMATCH[1]))
        total_f=$((total_f + BASH_REMATCH[2]))
        total_s=$((total_s + BASH_REMATCH[3]))
    else
        echo "FAIL $1 - ended without a summary line"
        total_f=$((total_f + 1))
    fi
}

# Waits for "LISTENING HOST:PORT" in file $1 from process $2; prints the port.
wait_listening() {
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^LISTENING .*:\([0-9]*\)$/\1/p' "$1")
        [[ -n $port ]] && break
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $port ]] || return 1
    echo "$port"
}

echo "--- interop: installing the peers"
"$here/setup.sh" -v

echo "--- interop: building release binaries"
cargo build --release --quiet --bin smpp-sim --example interop_client
sim_bin=$target/release/smpp-sim
client_bin=$target/release/examples/interop_client

# Starts smpp-sim; sets sim_pid and sim_port. $1 = log prefix.
start_sim() {
    "$sim_bin" --listen 127.0.0.1:0 --account test:secret --mo-on-bind --receipt-delay 200ms \
        --duration 300s >"$logs/$1.out" 2>"$logs/$1.err" &
    sim_pid=$!
    pids+=("$sim_pid")
    sim_port=$(wait_listening "$logs/$1.out" "$sim_pid") || {
        cat "$logs/$1.err" >&2
        echo "interop/ci.sh: smpp-sim did not start" >&2
        exit 1
    }
}

# Stops smpp-sim with SIGTERM and checks it exits 0 with its summary. $1 = log prefix.
stop_sim() {
    kill -TERM "$sim_pid"
    if ! wait "$sim_pid"; then
        echo "FAIL smpp-sim exited non-zero"
        total_f=$((total_f + 1))
    elif ! grep -q 'smpp-sim summary' "$logs/$1.err"; then
        echo "FAIL smpp-sim printed no summary on SIGTERM"
        total_f=$((total_f + 1))
    else
        echo "--- smpp-sim summary"
        sed -n '/smpp-sim summary/,$p' "$logs/$1.err"
    fi
}

echo "--- interop: node and python clients -> smpp-sim"
start_sim sim1
timeout -k 5 240 "$here/run.sh" vs-smsc "127.0.0.1:$sim_port" --system-id test --password secret \
    --expect-mo | tee "$logs/peers.txt" || true
tally "vs-smsc" "$logs/peers.txt"
stop_sim sim1

echo "--- interop: our client -> node SMSC"
node "$here/node/server.js" --port 0 --duration 120 --account test:secret \
    >"$logs/node.out" 2>"$logs/node.err" &
node_pid=$!
pids+=("$node_pid")
node_port=$(wait_listening "$logs/node.out" "$node_pid") || {
    cat "$logs/node.err" >&2
    echo "interop/ci.sh: the node server did not start" >&2
    exit 1
}
timeout -k 5 90 "$client_bin" --port "$node_port" --expect-mo | tee "$logs/rust-node.txt" || true
tally "rust-client -> node" "$logs/rust-node.txt"
kill -TERM "$node_pid"
wait "$node_pid" || {
    echo "FAIL node server exited non-zero"
    total_f=$((total_f + 1))
}

echo "--- interop: our client -> smpp-sim"
start_sim sim2
timeout -k 5 90 "$client_bin" --port "$sim_port" --expect-mo | tee "$logs/rust-sim.txt" || true
tally "rust-client -> smpp-sim" "$logs/rust-sim.txt"
stop_sim sim2

rc=0
((total_f == 0)) || rc=1
if ((rc == 0)); then
    rm -rf "$logs"
else
    echo "logs kept in $logs"
fi
echo "interop: $total_p passed, $total_f failed, $total_s skipped"
exit $rc
