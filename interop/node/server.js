#!/usr/bin/env node
'use strict';
// An SMSC built on the npm `smpp` package (farhadi/node-smpp), for interop tests of ESMEs.
//
//   node interop/node/server.js --port 2775 --account test:secret [--duration 60]
//
// - accepts bind_transmitter / bind_receiver / bind_transceiver for the given accounts; an unknown
//   system_id gets ESME_RINVSYSID, a wrong password ESME_RINVPASWD (the connection stays OPEN);
// - answers submit_sm / submit_multi / data_sm with a message_id and keeps every message in an
//   in-memory store on which query_sm, cancel_sm and replace_sm work;
// - "delivers" each message after --receipt-delay ms unless it carries a schedule_delivery_time
//   (then it stays ENROUTE until that time, so it can be replaced and cancelled), and sends a delivery
//   receipt (deliver_sm, esm_class 0x04, Appendix B text + receipted_message_id and message_state
//   TLVs) when registered_delivery asks for one: to the submitting session when it is a transceiver,
//   else to a receiver/transceiver bound with the same system_id, else queued until one binds;
// - sends one mobile-originated deliver_sm to each bind_receiver session (--mo rx, the default),
//   to every receiving session (--mo all), or never (--mo none);
// - answers enquire_link and unbind; anything else gets generic_nack ESME_RINVCMDID, and a request
//   not allowed in the session's state gets its response with ESME_RINVBNDSTS;
// - logs every PDU in and out as one NDJSON object per line on stderr;
// - prints "LISTENING <host>:<port>" on stdout once it accepts connections (--port 0 picks a free port);
// - stops after --duration seconds (0 = no limit) or on SIGTERM/SIGINT: unbinds every bound session,
//   logs a summary and exits 0 (1 when it could not listen).

const { parseArgs } = require('util');
const common = require('./common');

const smpp = common.loadSmpp();

const USAGE = `usage: server.js [--host 127.0.0.1] [--port 2775] [--account ID:PASSWORD]...
                 [--duration SECONDS] [--receipt-delay MS] [--mo rx|all|none] [--mo-delay MS]
                 [--smsc-id NAME] [--quiet]`;

let args;
try {
    args = parseArgs({
        options: {
            host: { type: 'string', default: '127.0.0.1' },
            port: { type: 'string', default: '2775' },
            account: { type: 'string', multiple: true },
            duration: { type: 'string', default: '300' },
            'receipt-delay': { type: 'string', default: '200' },
            mo: { type: 'string', default: 'rx' },
            'mo-delay': { type: 'string', default: '300' },
            'smsc-id': { type: 'string', default: 'node-smpp-smsc' },
            quiet: { type: 'boolean', default: false },
            help: { type: 'boolean', default: false },
        },
    }).values;
} catch (e) {
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    process.exit(2);
}
if (args.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
}
common.assertLoopback(args.host);
if (!['rx', 'all', 'none'].includes(args.mo)) {
    process.stderr.write(`--mo must be rx, all or none\n${USAGE}\n`);
    process.exit(2);
}

const accounts = new Map();
for (const a of args.account || ['test:secret']) {
    const i = a.indexOf(':');
    if (i <= 0) {
        process.stderr.write(`--account wants ID:PASSWORD, got ${a}\n`);
        process.exit(2);
    }
    accounts.set(a.slice(0, i), a.slice(i + 1));
}
const RECEIPT_DELAY = Number(args['receipt-delay']);
const MO_DELAY = Number(args['mo-delay']);
const DURATION = Number(args.duration);

const E = smpp.errors;
const STATE = { ENROUTE: 1, DELIVERED: 2, EXPIRED: 3, DELETED: 4, UNDELIVERABLE: 5, ACCEPTED: 6, UNKNOWN: 7, REJECTED: 8 };
const STAT_TEXT = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

// ---------------------------------------------------------------------------------------------
// Logging: one JSON object per line on stderr.

const counts = { in: {}, out: {} };
function log(obj) {
    if (args.quiet && obj.dir) {
        return;
    }
    process.stderr.write(JSON.stringify({ t: new Date().toISOString(), ...obj }) + '\n');
}
function logPdu(sess, dir, pdu) {
    const key = pdu.command + (pdu.command_status ? `:${common.hex32(pdu.command_status)}` : '');
    counts[dir][key] = (counts[dir][key] || 0) + 1;
    log({ conn: sess.id, peer: sess.peer, dir, ...common.pduRecord(pdu) });
}

// ---------------------------------------------------------------------------------------------
// Sessions

// v3.4 Table 2-1: which ESME-issued requests each bind state allows. The spec lists replace_sm for
// BOUND_TX only; that is a slip (a transceiver may do everything a transmitter may), so TRX is allowed.
// enquire_link is also answered in OPEN, as SMPP 5.0 allows; v3.4 lists only the bound states.
const ALLOWED = {
    submit_sm: ['BOUND_TX', 'BOUND_TRX'],
    submit_multi: ['BOUND_TX', 'BOUND_TRX'],
    data_sm: ['BOUND_TX', 'BOUND_RX', 'BOUND_TRX'],
    query_sm: ['BOUND_TX', 'BOUND_TRX'],
    cancel_sm: ['BOUND_TX', 'BOUND_TRX'],
    replace_sm: ['BOUND_TX', 'BOUND_TRX'],
    unbind: ['BOUND_TX', 'BOUND_RX', 'BOUND_TRX'],
    enquire_link: ['OPEN', 'BOUND_TX', 'BOUND_RX', 'BOUND_TRX'],
};
const BIND_STATE = { bind_transmitter: 'BOUND_TX', bind_receiver: 'BOUND_RX', bind_transceiver: 'BOUND_TRX' };
const canReceive = (s) => s.state === 'BOUND_RX' || s.state === 'BOUND_TRX';

const sessions = new Set();
let nextConn = 1;
let shuttingDown = false;

function send(sess, pdu, onResponse) {
    if (sess.state === 'CLOSED') {
        return false;
    }
    let timer = null;
    const ok = sess.smpp.send(
        pdu,
        onResponse
            ? (resp) => {
                  clearTimeout(timer);
                  onResponse(resp);
              }
            : undefined,
        (sent) => logPdu(sess, 'out', sent)
    );
    if (ok && onResponse && !pdu.isResponse()) {
        // node-smpp has no response timer of its own.
        timer = setTimeout(() => {
            delete sess.smpp._callbacks[pdu.sequence_number];
            log({ conn: sess.id, event: 'response-timeout', command: pdu.command, sequence_number: pdu.sequence_number });
            onResponse(null);
        }, 5000);
        timer.unref();
    }
    return ok;
}

function respond(sess, pdu, options) {
    return send(sess, pdu.response(options || {}));
}

const server = smpp.createServer((session) => {
    const sess = {
        id: nextConn++,
        peer: `${session.socket.remoteAddress}:${session.socket.remotePort}`,
        smpp: session,
        state: 'OPEN',
        systemId: null,
        interfaceVersion: null,
        addressRange: '',
    };
    sessions.add(sess);
    log({ conn: sess.id, peer: sess.peer, event: 'connect' });
    if (shuttingDown) {
        session.destroy();
        return;
    }
    session.on('pdu', (pdu) => {
        logPdu(sess, 'in', pdu);
        try {
            handle(sess, pdu);
        } catch (e) {
            log({ conn: sess.id, event: 'handler-error', error: String(e && e.stack) });
            if (!pdu.isResponse()) {
                respond(sess, pdu, { command_status: E.ESME_RSYSERR });
            }
        }
    });
    session.on('error', (e) => log({ conn: sess.id, event: 'error', error: e.message }));
    session.on('close', () => {
        sess.state = 'CLOSED';
        sessions.delete(sess);
        log({ conn: sess.id, event: 'close' });
    });
});

function handle(sess, pdu) {
    if (pdu.isResponse()) {
        // deliver_sm_resp / unbind_resp / generic_nack: node-smpp matches them to our callbacks.
        return;
    }
    if (pdu.command in BIND_STATE) {
        return bind(sess, pdu);
    }
    if (pdu.command === 'unknown' || !(pdu.command in HANDLERS)) {
        // Unknown command ids, and requests an SMSC never accepts from an ESME (outbind,
        // alert_notification, deliver_sm, broadcast_sm, ...).
        if (pdu.command === 'deliver_sm') {
            return respond(sess, pdu, { command_status: E.ESME_RINVBNDSTS });
        }
        return send(sess, new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: E.ESME_RINVCMDID }));
    }
    if (!ALLOWED[pdu.command].includes(sess.state)) {
        return respond(sess, pdu, { command_status: E.ESME_RINVBNDSTS });
    }
    return HANDLERS[pdu.command](sess, pdu);
}

function bind(sess, pdu) {
    if (sess.state !== 'OPEN') {
        return respond(sess, pdu, { command_status: E.ESME_RALYBND });
    }
    if (!accounts.has(pdu.system_id)) {
        return respond(sess, pdu, { command_status: E.ESME_RINVSYSID });
    }
    if (accounts.get(pdu.system_id) !== pdu.password) {
        return respond(sess, pdu, { command_status: E.ESME_RINVPASWD });
    }
    sess.state = BIND_STATE[pdu.command];
    sess.systemId = pdu.system_id;
    sess.interfaceVersion = pdu.interface_version;
    sess.addressRange = pdu.address_range || '';
    if (pdu.interface_version !== 0x34) {
        // node-smpp binds with 0x50 (SMPP 5.0) unless told otherwise; v3.3 ESMEs send <= 0x33.
        log({ conn: sess.id, event: 'note', note: `bind with interface_version ${common.hex32(pdu.interface_version)} (v3.4 is 0x34)` });
    }
    const options = { system_id: args['smsc-id'] };
    // v3.4 §3.4: a v3.4 SMSC should return sc_interface_version, and must not send TLVs to an ESME
    // that bound with interface_version < 0x34.
    if (pdu.interface_version >= 0x34) {
        options.sc_interface_version = 0x34;
    }
    respond(sess, pdu, options);
    log({ conn: sess.id, event: 'bound', state: sess.state, system_id: sess.systemId });
    if (canReceive(sess)) {
        flushQueue(sess.systemId);
        if (args.mo === 'all' || (args.mo === 'rx' && sess.state === 'BOUND_RX')) {
            setTimeout(() => sendMo(sess), MO_DELAY).unref();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Message store

const store = new Map(); // message_id -> message
let nextId = 1;
let moCount = 0;
const queued = new Map(); // system_id -> [deliver_sm option objects] for receivers not bound yet
const rr = new Map(); // system_id -> round-robin counter

function newId() {
    // Decimal, 10 digits, the same in submit_sm_resp, the receipt text and receipted_message_id.
    return String(nextId++).padStart(10, '0');
}

// node-smpp decodes short_message / message_payload into {udh?, message} (message a string when it
// knows the data_coding, else a Buffer).
function messageText(pdu) {
    for (const v of [pdu.short_message, pdu.message_payload]) {
        const m = v && v.message !== undefined ? v.message : v;
        if (typeof m === 'string' && m.length) {
            return m;
        }
    }
    return '';
}

function rawShortMessage(pdu) {
    const sm = pdu.short_message;
    if (Buffer.isBuffer(sm)) {
        return sm;
    }
    return null;
}

function storeMessage(sess, pdu, dest) {
    const id = newId();
    const msg = {
        id,
        systemId: sess.systemId,
        session: sess,
        serviceType: pdu.service_type || '',
        src: { ton: pdu.source_addr_ton || 0, npi: pdu.source_addr_npi || 0, addr: pdu.source_addr || '' },
        dst: dest,
        registeredDelivery: pdu.registered_delivery || 0,
        dataCoding: pdu.data_coding || 0,
        text: messageText(pdu),
        state: STATE.ENROUTE,
        submitDate: new Date(),
        doneDate: null,
        timer: null,
    };
    store.set(id, msg);
    schedule(msg, pdu.schedule_delivery_time);
    return msg;
}

function schedule(msg, when) {
    clearTimeout(msg.timer);
    let delay = RECEIPT_DELAY;
    if (when instanceof Date && !isNaN(when.getTime())) {
        delay = Math.max(when.getTime() - Date.now(), 0);
    }
    if (delay > 0x7fffffff) {
        return; // beyond any run of this server: stays ENROUTE
    }
    msg.timer = setTimeout(() => finish(msg, STATE.DELIVERED), delay);
    msg.timer.unref();
}

function finish(msg, state) {
    clearTimeout(msg.timer);
    msg.timer = null;
    msg.state = state;
    msg.doneDate = new Date();
    // registered_delivery bits 1-0: 01 receipt on success or failure, 10 on failure only.
    const want = msg.registeredDelivery & 0x03;
    if (want === 1 || (want === 2 && state !== STATE.DELIVERED)) {
        deliver(msg.systemId, receiptFor(msg), msg.session);
    }
}

const yymmddhhmm = (d) => d.toISOString().replace(/[-T:]/g, '').slice(2, 12);

// Characters whose GSM 03.38 and ASCII codes agree, so the receipt reads the same whichever way
// the ESME decodes data_coding 0.
const asciiSafe = (s) => s.replace(/[^A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]/g, '?');

function receiptFor(msg) {
    const stat = STAT_TEXT[msg.state];
    const dlvrd = msg.state === STATE.DELIVERED ? '001' : '000';
    const text =
        `id:${msg.id} sub:001 dlvrd:${dlvrd} submit date:${yymmddhhmm(msg.submitDate)} ` +
        `done date:${yymmddhhmm(msg.doneDate)} stat:${stat} err:000 text:${asciiSafe(msg.text.slice(0, 20))}`;
    return {
        service_type: '',
        // v3.4 §2.11: a receipt goes from the original destination back to the original source.
        source_addr_ton: msg.dst.ton,
        source_addr_npi: msg.dst.npi,
        source_addr: msg.dst.addr,
        dest_addr_ton: msg.src.ton,
        dest_addr_npi: msg.src.npi,
        destination_addr: msg.src.addr,
        esm_class: 0x04,
        data_coding: 0x00,
        short_message: Buffer.from(text, 'ascii'),
        _tlvs: { receipted_message_id: msg.id, message_state: msg.state },
    };
}

function pickReceiver(systemId, preferred) {
    if (preferred && preferred.state !== 'CLOSED' && canReceive(preferred)) {
        return preferred;
    }
    const candidates = [...sessions].filter((s) => s.systemId === systemId && canReceive(s));
    if (!candidates.length) {
        return null;
    }
    const n = rr.get(systemId) || 0;
    rr.set(systemId, n + 1);
    return candidates[n % candidates.length];
}

function deliver(systemId, options, preferred) {
    const sess = pickReceiver(systemId, preferred);
    if (!sess) {
        const q = queued.get(systemId) || [];
        if (q.length < 1000) {
            q.push(options);
        } else {
            log({ event: 'queue-full', system_id: systemId });
        }
        queued.set(systemId, q);
        return;
    }
    const { _tlvs, ...params } = options;
    // v3.4 §3.4: no TLVs towards an ESME that bound with interface_version < 0x34.
    if (_tlvs && sess.interfaceVersion >= 0x34) {
        Object.assign(params, _tlvs);
    }
    send(sess, new smpp.PDU('deliver_sm', params), (resp) => {
        if (!resp || resp.command_status !== 0) {
            log({ conn: sess.id, event: 'deliver-failed', status: resp ? resp.command_status : 'timeout' });
        }
    });
}

function flushQueue(systemId) {
    const q = queued.get(systemId) || [];
    queued.delete(systemId);
    for (const options of q) {
        deliver(systemId, options, null);
    }
}

function sendMo(sess) {
    if (!canReceive(sess)) {
        return;
    }
    moCount += 1;
    deliver(
        sess.systemId,
        {
            service_type: '',
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: '447700900001',
            dest_addr_ton: 0,
            dest_addr_npi: 0,
            destination_addr: /^[0-9]+$/.test(sess.addressRange) ? sess.addressRange : '12345',
            esm_class: 0x00,
            data_coding: 0x00,
            short_message: Buffer.from(`MO interop test ${moCount}`, 'ascii'),
        },
        sess
    );
}

function findOwned(sess, pdu, failStatus) {
    const msg = store.get(pdu.message_id);
    if (!msg || msg.systemId !== sess.systemId) {
        return [null, failStatus];
    }
    // query_sm / cancel_sm / replace_sm: the source address must match the original's (§4.8-§4.10).
    if ((pdu.source_addr || '') !== msg.src.addr) {
        return [null, failStatus];
    }
    return [msg, 0];
}

const HANDLERS = {
    submit_sm(sess, pdu) {
        const msg = storeMessage(sess, pdu, { ton: pdu.dest_addr_ton || 0, npi: pdu.dest_addr_npi || 0, addr: pdu.destination_addr || '' });
        respond(sess, pdu, { message_id: msg.id });
    },

    submit_multi(sess, pdu) {
        const dests = (pdu.dest_address || []).filter((d) => 'destination_addr' in d);
        if (!pdu.dest_address || !pdu.dest_address.length) {
            return respond(sess, pdu, { command_status: E.ESME_RINVNUMDESTS });
        }
        const first = dests[0] || { dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '' };
        const msg = storeMessage(sess, pdu, { ton: first.dest_addr_ton, npi: first.dest_addr_npi, addr: first.destination_addr });
        respond(sess, pdu, { message_id: msg.id, unsuccess_sme: [] });
    },

    data_sm(sess, pdu) {
        const msg = storeMessage(sess, pdu, { ton: pdu.dest_addr_ton || 0, npi: pdu.dest_addr_npi || 0, addr: pdu.destination_addr || '' });
        respond(sess, pdu, { message_id: msg.id });
    },

    query_sm(sess, pdu) {
        const [msg, status] = findOwned(sess, pdu, E.ESME_RQUERYFAIL);
        if (!msg) {
            return respond(sess, pdu, { command_status: status });
        }
        respond(sess, pdu, {
            message_id: msg.id,
            // node-smpp writes a Date as the 16-character absolute form (UTC, "00+").
            final_date: msg.doneDate || '',
            message_state: msg.state,
            error_code: 0,
        });
    },

    cancel_sm(sess, pdu) {
        let victims;
        if (pdu.message_id) {
            const [msg] = findOwned(sess, pdu, E.ESME_RCANCELFAIL);
            victims = msg ? [msg] : [];
        } else {
            // NULL message_id: every pending message from source_addr to destination_addr
            // (and of service_type, when given).
            victims = [...store.values()].filter(
                (m) =>
                    m.systemId === sess.systemId &&
                    m.src.addr === (pdu.source_addr || '') &&
                    m.dst.addr === (pdu.destination_addr || '') &&
                    (!pdu.service_type || pdu.service_type === m.serviceType)
            );
        }
        victims = victims.filter((m) => m.state === STATE.ENROUTE);
        if (!victims.length) {
            return respond(sess, pdu, { command_status: E.ESME_RCANCELFAIL });
        }
        for (const m of victims) {
            clearTimeout(m.timer);
            m.state = STATE.DELETED;
            m.doneDate = new Date();
        }
        respond(sess, pdu);
    },

    replace_sm(sess, pdu) {
        const [msg, status] = findOwned(sess, pdu, E.ESME_RREPLACEFAIL);
        if (!msg || msg.state !== STATE.ENROUTE) {
            return respond(sess, pdu, { command_status: msg ? E.ESME_RREPLACEFAIL : status });
        }
        const raw = rawShortMessage(pdu);
        // replace_sm carries no data_coding: the replacement is in the original message's coding.
        if (raw) {
            const enc = msg.dataCoding === 0x08 ? 'UCS2' : msg.dataCoding === 0x03 ? 'LATIN1' : 'ASCII';
            msg.text = smpp.encodings[enc].decode(raw);
        }
        msg.registeredDelivery = pdu.registered_delivery || 0;
        if (pdu.schedule_delivery_time) {
            schedule(msg, pdu.schedule_delivery_time);
        }
        respond(sess, pdu);
    },

    enquire_link(sess, pdu) {
        respond(sess, pdu);
    },

    unbind(sess, pdu) {
        sess.state = 'UNBOUND';
        respond(sess, pdu);
        // After unbind_resp the connection is done with; end() sends FIN once the response is written.
        sess.smpp.close();
    },
};

// ---------------------------------------------------------------------------------------------
// Start and stop

function summary() {
    const states = {};
    for (const m of store.values()) {
        states[STAT_TEXT[m.state]] = (states[STAT_TEXT[m.state]] || 0) + 1;
    }
    log({ event: 'summary', pdus_in: counts.in, pdus_out: counts.out, messages: store.size, message_states: states, mo_sent: moCount });
}

function shutdown(why) {
    if (shuttingDown) {
        return;
    }
    shuttingDown = true;
    log({ event: 'shutdown', reason: why });
    server.close();
    const bound = [...sessions].filter((s) => s.state.startsWith('BOUND'));
    for (const s of bound) {
        send(s, new smpp.PDU('unbind'), () => s.smpp.close());
    }
    const deadline = Date.now() + 2000;
    const poll = setInterval(() => {
        if (sessions.size === 0 || Date.now() > deadline) {
            clearInterval(poll);
            for (const s of sessions) {
                s.smpp.destroy();
            }
            summary();
            process.exit(0);
        }
    }, 50);
}

server.on('error', (e) => {
    log({ event: 'listen-error', error: e.message });
    process.stderr.write(`server.js: cannot listen on ${args.host}:${args.port}: ${e.message}\n`);
    process.exit(1);
});

server.listen(Number(args.port), args.host, () => {
    const addr = server.address();
    log({ event: 'listening', address: `${addr.address}:${addr.port}`, accounts: [...accounts.keys()], npm_smpp: common.smppVersion() });
    process.stdout.write(`LISTENING ${addr.address}:${addr.port}\n`);
});

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (DURATION > 0) {
    setTimeout(() => shutdown(`duration ${DURATION}s`), DURATION * 1000);
}
