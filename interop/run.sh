#!/usr/bin/env bash
# One entry point for the interop peers (npm `smpp`, python `smpplib`), for CI and for people.
#
#   interop/run.sh setup                      install the pinned peers into target/interop/
#   interop/run.sh node-server [OPTIONS]      run the node SMSC on a free loopback port; prints
#                                             "LISTENING 127.0.0.1:PORT" on stdout, logs NDJSON on
#                                             stderr, stops after --duration (300 s) or on SIGTERM
#   interop/run.sh vs-smsc HOST:PORT [OPTIONS]
#                                             run the node and the python ESME drivers against an SMSC
#   interop/run.sh self                       node server + both drivers against it (checks the peers)
#   interop/run.sh capture [DIR]              record both drivers against the node server with
#                                             tcpdump into DIR (default fixtures/pcap/real)
#
# OPTIONS for vs-smsc go to both drivers: --system-id ID --password PW (default test / secret, or
# SMPP_SYSTEM_ID / SMPP_PASSWORD), --expect-mo, --no-cancel-replace, --mo-wait S, --receipt-timeout S,
# --step-timeout S, --verbose, and --only node|python to run one driver.
# OPTIONS for node-server: see `node interop/node/server.js --help` (--account ID:PW, --duration S, ...).
#
# Exit status: 0 when every step passed (SKIPs allowed), 1 when one failed, 2 on bad usage.
# The last line of vs-smsc / self is "interop: N passed, N failed, N skipped".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dest=${SMPP_INTEROP_DIR:-$root/target/interop}
export SMPP_INTEROP_NODE_DIR=$dest/node
py=$dest/venv/bin/python

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

setup() { "$here/setup.sh" >&2; }

# A free TCP port on 127.0.0.1 (2775 when it is free and $1 is "prefer-2775").
free_port() {
    python3 - "${1:-}" <<'EOF'
import socket, sys
for port in ([2775] if sys.argv[1] == "prefer-2775" else []) + [0]:
    s = socket.socket()
    # As node's listen() does, so that a port in TIME_WAIT from the previous run counts as free.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(s.getsockname()[1])
    s.close()
    break
EOF
}

# Starts the node server in the background: sets server_pid and server_port. $1 = log file.
start_server() {
    local log=$1
    shift
    local out
    out=$(mktemp)
    node "$here/node/server.js" "$@" >"$out" 2>"$log" &
    server_pid=$!
    for _ in $(seq 100); do
        server_port=$(sed -n 's/^LISTENING .*:\([0-9]*\)$/\1/p' "$out")
        [[ -n $server_port ]] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$log" >&2
            echo "interop/run.sh: the node server did not start" >&2
            return 1
        fi
        sleep 0.1
    done
    rm -f "$out"
    [[ -n $server_port ]] || {
        echo "interop/run.sh: the node server printed no LISTENING line within 10 s" >&2
        return 1
    }
}

stop_server() {
    [[ -n ${server_pid:-} ]] || return 0
    local rc=0
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" || rc=$?
    server_pid=
    return $rc
}

# Runs both drivers against $1 (HOST:PORT); prints their lines and a combined summary.
vs_smsc() {
    local target=${1:-}
    [[ $target =~ ^(.+):([0-9]+)$ ]] || usage
    local host=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]}
    shift
    local only="" pass=()
    local sysid=${SMPP_SYSTEM_ID:-test} password=${SMPP_PASSWORD:-secret}
    while (($#)); do
        case $1 in
        --only) only=${2:?}; shift 2 ;;
        --system-id) sysid=${2:?}; shift 2 ;;
        --password) password=${2:?}; shift 2 ;;
        *) pass+=("$1"); shift ;;
        esac
    done
    [[ -z $only || $only == node || $only == python ]] || usage
    setup
    local total_p=0 total_f=0 total_s=0 rc=0 out line
    for driver in node python; do
        [[ -z $only || $only == "$driver" ]] || continue
        local cmd
        if [[ $driver == node ]]; then
            cmd=(node "$here/node/client.js")
        else
            cmd=("$py" "$here/python/client.py")
        fi
        echo "--- $driver-client -> $host:$port"
        out=$(mktemp)
        # The drivers bound themselves (--timeout, 60 s); timeout(1) is the backstop.
        if timeout -k 5 90 "${cmd[@]}" --host "$host" --port "$port" --system-id "$sysid" \
            --password "$password" ${pass[@]+"${pass[@]}"} | tee "$out"; then
            :
        fi
        line=$(tail -n 1 "$out")
        rm -f "$out"
        if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
            total_p=$((total_p + BASH_REMATCH[1]))
            total_f=$((total_f + BASH_REMATCH[2]))
            total_s=$((total_s + BASH_REMATCH[3]))
        else
            echo "FAIL $driver-client - ended without a summary line"
            total_f=$((total_f + 1))
        fi
    done
    ((total_f == 0)) || rc=1
    echo "interop: $total_p passed, $total_f failed, $total_s skipped"
    return $rc
}

self_check() {
    setup
    local log rc=0
    log=$(mktemp)
    trap 'stop_server >/dev/null 2>&1 || true' EXIT
    start_server "$log" --port 0 --duration 120 --account test:secret
    echo "--- node server on 127.0.0.1:$server_port (log: $log)"
    vs_smsc "127.0.0.1:$server_port" --system-id test --password secret --expect-mo || rc=$?
    if ! stop_server; then
        echo "FAIL node server exited non-zero (log: $log)"
        rc=1
    fi
    ((rc != 0)) || rm -f "$log"
    return $rc
}

# Records DIR/<driver>-client_node-server.pcap for both drivers, one capture per run.
capture() {
    local dir=${1:-$root/fixtures/pcap/real}
    command -v tcpdump >/dev/null || { echo "tcpdump not found (apt-get install -y tcpdump)" >&2; return 1; }
    command -v tshark >/dev/null || { echo "tshark not found (apt-get install -y tshark)" >&2; return 1; }
    setup
    mkdir -p "$dir"
    local driver
    for driver in node python; do
        local port pcap tlog slog tdpid streams pdus
        port=$(free_port prefer-2775)
        pcap=$dir/$driver-client_node-server.pcap
        tlog=$(mktemp)
        slog=$dir/.$driver-server.ndjson.tmp
        tcpdump -i lo -s 0 -U -Z root -w "$pcap.tmp" "tcp port $port" 2>"$tlog" &
        tdpid=$!
        for _ in $(seq 50); do grep -q 'listening on' "$tlog" && break; sleep 0.1; done
        grep -q 'listening on' "$tlog" || { cat "$tlog" >&2; kill "$tdpid"; return 1; }
        start_server "$slog" --port "$port" --duration 60 --account test:secret
        echo "--- capturing $driver-client <-> node server on 127.0.0.1:$port"
        vs_smsc "127.0.0.1:$port" --only "$driver" --system-id test --password secret --expect-mo
        stop_server
        sleep 0.5
        kill -INT "$tdpid"
        wait "$tdpid" || true
        # Only this run's three connections may be in it (trx, wrong-password bind, rx).
        streams=$(tshark -r "$pcap.tmp" 2>/dev/null -T fields -e tcp.stream | sort -u | wc -l)
        if ((streams != 3)); then
            echo "capture has $streams TCP connections, wanted 3: foreign traffic on port $port? not kept" >&2
            rm -f "$pcap.tmp"
            return 1
        fi
        mv "$pcap.tmp" "$pcap"
        rm -f "$tlog" "$slog"
        pdus=$(tshark -r "$pcap" -d "tcp.port==$port,smpp" -Y smpp -T fields -e smpp.command_id 2>/dev/null |
            tr ',' '\n' | grep -c .)
        echo "--- $pcap: port $port, $(tshark -r "$pcap" 2>/dev/null | wc -l) packets, $pdus SMPP PDUs"
    done
}

cmd=${1:-}
[[ -n $cmd ]] || usage
shift
case $cmd in
setup) "$here/setup.sh" -v ;;
node-server)
    setup
    exec node "$here/node/server.js" --port 0 "$@"
    ;;
vs-smsc) vs_smsc "$@" ;;
self) self_check ;;
capture) capture "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
