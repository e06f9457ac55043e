'use strict';
// Helpers shared by interop/node/server.js and interop/node/client.js.

const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');

// The npm `smpp` package is installed by interop/setup.sh into the build folder, never globally.
const NODE_DIR = process.env.SMPP_INTEROP_NODE_DIR || path.join(REPO, 'target', 'interop', 'node');

function loadSmpp() {
    const where = path.join(NODE_DIR, 'node_modules', 'smpp');
    try {
        return require(where);
    } catch (e) {
        process.stderr.write(`cannot load npm smpp from ${where}: run interop/setup.sh first (${e.message})\n`);
        process.exit(3);
    }
}

function smppVersion() {
    return require(path.join(NODE_DIR, 'node_modules', 'smpp', 'package.json')).version;
}

// Only loopback traffic is allowed on the machines this runs on; refuse anything else up front.
function assertLoopback(host) {
    if (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
        return;
    }
    process.stderr.write(`refusing host ${host}: the interop peers only talk over loopback (127.0.0.0/8, ::1)\n`);
    process.exit(2);
}

function parseHostPort(s) {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s || '');
    if (!m) {
        throw new Error(`expected HOST:PORT, got ${JSON.stringify(s)}`);
    }
    return { host: m[1], port: Number(m[2]) };
}

// A value of a decoded or encoded node-smpp PDU as plain JSON.
function jsonable(v) {
    if (Buffer.isBuffer(v)) {
        return { hex: v.toString('hex') };
    }
    if (v instanceof Date) {
        return isNaN(v.getTime()) ? String(v) : v.toISOString();
    }
    if (Array.isArray(v)) {
        return v.map(jsonable);
    }
    if (v && typeof v === 'object') {
        const o = {};
        for (const k of Object.keys(v)) {
            o[k] = jsonable(v[k]);
        }
        return o;
    }
    return v;
}

const HEADER = new Set(['command', 'command_length', 'command_id', 'command_status', 'sequence_number']);

const hex32 = (n) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

// One NDJSON-ready record for a PDU.
function pduRecord(pdu) {
    const fields = {};
    for (const k of Object.keys(pdu)) {
        if (!HEADER.has(k)) {
            fields[k] = jsonable(pdu[k]);
        }
    }
    return {
        command: pdu.command,
        command_id: hex32(pdu.command_id),
        command_status: pdu.command_status,
        sequence_number: pdu.sequence_number,
        command_length: pdu.command_length || undefined,
        fields,
    };
}

// Receipt text per SMPP v3.4 Appendix B: "id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm
// done date:YYMMDDhhmm stat:DDDDDDD err:E text: . . ." (vendor specific; parse leniently).
function parseReceiptText(text) {
    const out = {};
    const re = /(id|sub|dlvrd|submit date|done date|stat|err|text):(.*?)(?=\s+(?:id|sub|dlvrd|submit date|done date|stat|err|text):|$)/gi;
    let m;
    while ((m = re.exec(text)) !== null) {
        out[m[1].toLowerCase()] = m[2].trim();
    }
    return out;
}

// The message_id of a receipt and the id it should match may be written in different bases
// (hex in submit_sm_resp, decimal in the receipt text: jsmpp #56, Jasmin #24). Report both ways.
function sameId(a, b) {
    if (a === undefined || b === undefined || a === null || b === null) {
        return false;
    }
    a = String(a);
    b = String(b);
    if (a === b) {
        return true;
    }
    if (/^[0-9]+$/.test(a) && /^[0-9a-f]+$/i.test(b) && BigInt(a) === BigInt('0x' + b)) {
        return 'decimal-vs-hex';
    }
    if (/^[0-9]+$/.test(b) && /^[0-9a-f]+$/i.test(a) && BigInt(b) === BigInt('0x' + a)) {
        return 'hex-vs-decimal';
    }
    return false;
}

module.exports = {
    REPO,
    loadSmpp,
    smppVersion,
    assertLoopback,
    parseHostPort,
    jsonable,
    pduRecord,
    hex32,
    parseReceiptText,
    sameId,
};
