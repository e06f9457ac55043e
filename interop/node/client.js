#!/usr/bin/env node
'use strict';
// ESME test driver on the npm `smpp` package (farhadi/node-smpp), to run against any SMSC.
//
//   node interop/node/client.js --host 127.0.0.1 --port 2775 --system-id test --password secret
//
// Each step prints one line, PASS / FAIL / SKIP, and the last line is the summary
// "node-client: N passed, N failed, N skipped". Exit status 0 only when nothing failed; 1 when a step
// failed; 2 on bad arguments or when the whole run overran --timeout.
//
// Steps: bind_transceiver; a bind with a wrong password is refused; submit_sm of GSM text and of UCS2
// text with registered_delivery=1; a two-part message split with a UDH and one split with the SAR
// TLVs; one delivery receipt per submitted part, matched by receipted_message_id or the receipt
// text's id; enquire_link; query_sm; a scheduled message replaced, queried, cancelled, queried and
// cancelled again (--no-cancel-replace leaves these out); bind_receiver on a second connection that
// waits --mo-wait seconds for a mobile-originated deliver_sm (SKIP when none comes, FAIL with
// --expect-mo); unbind of both.

const { parseArgs } = require('util');
const EventEmitter = require('events');
const common = require('./common');

const smpp = common.loadSmpp();

const USAGE = `usage: client.js --host HOST --port PORT --system-id ID --password PW [--system-type T]
                 [--src ADDR] [--dst ADDR] [--timeout S] [--step-timeout S] [--receipt-timeout S]
                 [--mo-wait S] [--expect-mo] [--no-cancel-replace] [--verbose] [--name NAME]`;

let args;
try {
    args = parseArgs({
        options: {
            host: { type: 'string', default: '127.0.0.1' },
            port: { type: 'string', default: '2775' },
            'system-id': { type: 'string', default: 'test' },
            password: { type: 'string', default: 'secret' },
            'system-type': { type: 'string', default: '' },
            src: { type: 'string', default: '12345' },
            dst: { type: 'string', default: '447700900123' },
            timeout: { type: 'string', default: '60' },
            'step-timeout': { type: 'string', default: '5' },
            'receipt-timeout': { type: 'string', default: '10' },
            'mo-wait': { type: 'string', default: '3' },
            'expect-mo': { type: 'boolean', default: false },
            'no-cancel-replace': { type: 'boolean', default: false },
            verbose: { type: 'boolean', default: false },
            name: { type: 'string', default: 'node-client' },
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
const PORT = Number(args.port);
const STEP_MS = Number(args['step-timeout']) * 1000;
const NAME = args.name;

const ERROR_NAMES = Object.fromEntries(Object.entries(smpp.errors).map(([k, v]) => [v, k]));
const statusName = (s) => `${ERROR_NAMES[s] || 'status'} ${common.hex32(s)}`;
const STATE_NAMES = { 0: 'SCHEDULED(5.0)', 1: 'ENROUTE', 2: 'DELIVERED', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIVERABLE', 6: 'ACCEPTED', 7: 'UNKNOWN', 8: 'REJECTED' };

// ---------------------------------------------------------------------------------------------
// Reporting

const tally = { PASS: 0, FAIL: 0, SKIP: 0 };
function report(status, name, detail) {
    tally[status] += 1;
    process.stdout.write(`${status} ${name}${detail ? ` - ${detail}` : ''}\n`);
}
function finish(code) {
    process.stdout.write(`${NAME}: ${tally.PASS} passed, ${tally.FAIL} failed, ${tally.SKIP} skipped\n`);
    process.exit(code === undefined ? (tally.FAIL ? 1 : 0) : code);
}
class Skip extends Error {}
// Runs one step: a returned string is the PASS detail; a thrown Skip reports SKIP, anything else FAIL.
async function step(name, fn) {
    try {
        const out = await fn();
        const detail = typeof out === 'string' ? out : out && out.detail;
        report('PASS', name, detail);
        return out && out.value !== undefined ? out.value : true;
    } catch (e) {
        report(e instanceof Skip ? 'SKIP' : 'FAIL', name, e.message);
        return undefined;
    }
}
function check(cond, msg) {
    if (!cond) {
        throw new Error(msg);
    }
}

const watchdog = setTimeout(() => {
    report('FAIL', 'overall timeout', `run exceeded --timeout ${args.timeout}s`);
    finish(2);
}, Number(args.timeout) * 1000);

// ---------------------------------------------------------------------------------------------
// A connection: requests with our own response timer (node-smpp has none), and the SMSC's
// deliver_sm / enquire_link / unbind answered as they come.

const inbox = []; // {conn, pdu, used}
const inboxEvents = new EventEmitter();

class Esme {
    constructor(label) {
        this.label = label;
        this.closed = false;
    }

    connect() {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`connect to ${args.host}:${PORT} timed out`)), STEP_MS);
            this.session = smpp.connect({ host: args.host, port: PORT });
            this.session.on('connect', () => {
                clearTimeout(timer);
                resolve();
            });
            this.session.on('error', (e) => {
                clearTimeout(timer);
                this.error = e;
                reject(new Error(`${this.label}: ${e.message}`));
            });
            this.session.on('close', () => {
                this.closed = true;
                inboxEvents.emit('close', this);
            });
            this.session.on('send', (pdu) => this.trace('out', pdu));
            this.session.on('pdu', (pdu) => {
                this.trace('in', pdu);
                this.onPdu(pdu);
            });
        });
    }

    trace(dir, pdu) {
        if (args.verbose) {
            process.stderr.write(JSON.stringify({ t: new Date().toISOString(), conn: this.label, dir, ...common.pduRecord(pdu) }) + '\n');
        }
    }

    onPdu(pdu) {
        if (pdu.command === 'deliver_sm') {
            inbox.push({ conn: this.label, pdu, used: false });
            this.session.send(pdu.response());
            inboxEvents.emit('deliver');
        } else if (pdu.command === 'enquire_link') {
            this.session.send(pdu.response());
        } else if (pdu.command === 'unbind') {
            this.session.send(pdu.response());
            this.session.close();
        } else if (pdu.command === 'unknown' || pdu.command === 'data_sm' || pdu.command === 'alert_notification') {
            if (pdu.command === 'data_sm') {
                this.session.send(pdu.response({ command_status: smpp.errors.ESME_RINVCMDID }));
            } else if (pdu.command === 'unknown') {
                this.session.send(pdu.response());
            }
        }
    }

    request(command, params, timeoutMs = STEP_MS) {
        return new Promise((resolve, reject) => {
            const pdu = new smpp.PDU(command, params || {});
            let timer = null;
            const onClose = (conn) => {
                if (conn === this) {
                    cleanup();
                    reject(new Error(`${this.label}: connection closed while waiting for ${command}_resp`));
                }
            };
            const cleanup = () => {
                clearTimeout(timer);
                inboxEvents.removeListener('close', onClose);
            };
            if (this.closed) {
                return reject(new Error(`${this.label}: connection is closed`));
            }
            const ok = this.session.send(pdu, (resp) => {
                cleanup();
                resolve(resp);
            });
            if (!ok) {
                return reject(new Error(`${this.label}: socket not writable`));
            }
            inboxEvents.on('close', onClose);
            timer = setTimeout(() => {
                delete this.session._callbacks[pdu.sequence_number];
                cleanup();
                reject(new Error(`no ${command}_resp within ${timeoutMs} ms (seq ${pdu.sequence_number})`));
            }, timeoutMs);
        });
    }

    close() {
        if (!this.closed && this.session) {
            this.session.destroy();
        }
    }
}

// Waits until a not yet used deliver_sm satisfies pred; marks it used.
function waitDeliver(pred, deadline) {
    return new Promise((resolve) => {
        const look = () => {
            const hit = inbox.find((e) => !e.used && pred(e));
            if (hit) {
                hit.used = true;
                done(hit);
                return true;
            }
            return false;
        };
        const timer = setTimeout(() => done(null), Math.max(deadline - Date.now(), 0));
        const done = (v) => {
            clearTimeout(timer);
            inboxEvents.removeListener('deliver', look);
            resolve(v);
        };
        if (!look()) {
            inboxEvents.on('deliver', look);
        }
    });
}

function expectOk(resp, what) {
    check(resp.command !== 'generic_nack', `${what}: generic_nack ${statusName(resp.command_status)}`);
    check(resp.command_status === 0, `${what}: ${statusName(resp.command_status)}`);
}

// ---------------------------------------------------------------------------------------------
// Message helpers

const SRC = { source_addr_ton: 1, source_addr_npi: 1, source_addr: args.src };
const DST = { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: args.dst };

// Text made of characters that are the same in GSM 03.38 and ASCII, so one septet per character.
function filler(prefix, length) {
    const words = 'the quick brown fox jumps over the lazy dog 0123456789 '.repeat(10);
    return (prefix + words).slice(0, length);
}

function chunks(s, n) {
    const out = [];
    for (let i = 0; i < s.length; i += n) {
        out.push(s.slice(i, i + n));
    }
    return out;
}

const isReceipt = (pdu) => (pdu.esm_class & 0x3c) === 0x04;

function receiptInfo(pdu) {
    const sm = pdu.short_message;
    let text = sm && sm.message !== undefined ? sm.message : sm;
    if (Buffer.isBuffer(text)) {
        text = text.toString('latin1');
    }
    if ((!text || !text.length) && pdu.message_payload) {
        const mp = pdu.message_payload;
        text = mp.message !== undefined ? mp.message : mp;
        text = Buffer.isBuffer(text) ? text.toString('latin1') : text;
    }
    const fields = common.parseReceiptText(text || '');
    return { text: text || '', fields, tlvId: pdu.receipted_message_id, state: pdu.message_state };
}

// ---------------------------------------------------------------------------------------------

async function main() {
    const creds = { system_id: args['system-id'], password: args.password, system_type: args['system-type'] };
    // node-smpp binds with interface_version 0x50 (SMPP 5.0) unless told otherwise; a v3.4 ESME
    // must send 0x34 (v3.4 §5.2.4), and a strict v3.4 SMSC may refuse 0x50. We send 0x34.
    const bindParams = { ...creds, interface_version: 0x34, addr_ton: 0, addr_npi: 0, address_range: '' };

    const trx = new Esme('trx');
    const bound = await step('bind_transceiver', async () => {
        await trx.connect();
        const resp = await trx.request('bind_transceiver', bindParams);
        expectOk(resp, 'bind_transceiver_resp');
        const scv = resp.sc_interface_version;
        return `system_id=${JSON.stringify(resp.system_id)} sc_interface_version=${scv === undefined ? 'absent' : common.hex32(scv).replace(/^0x0+/, '0x')}`;
    });
    if (!bound) {
        report('FAIL', 'remaining steps', 'not run: no bind');
        trx.close();
        return;
    }

    await step('bind with a wrong password is refused', async () => {
        const bad = new Esme('badpw');
        try {
            await bad.connect();
            const wrong = args.password === 'badpass1' ? 'badpass2' : 'badpass1';
            const resp = await bad.request('bind_transmitter', { ...bindParams, password: wrong });
            check(resp.command_status !== 0, 'bind with a wrong password succeeded');
            return statusName(resp.command_status);
        } finally {
            bad.close();
        }
    });

    const submitted = []; // {label, id}
    const submit = async (label, params) => {
        const resp = await trx.request('submit_sm', { ...SRC, ...DST, registered_delivery: 1, ...params });
        expectOk(resp, 'submit_sm_resp');
        check(resp.message_id && resp.message_id.length, 'submit_sm_resp without message_id');
        submitted.push({ label, id: resp.message_id });
        return resp.message_id;
    };

    const gsmId = await step('submit_sm GSM 7-bit text, registered_delivery=1', async () => {
        // data_coding 0 (SMSC default alphabet = GSM 03.38 unpacked). Left to itself node-smpp picks
        // 0x01 for GSM-encodable text, but 0x01 is IA5/ASCII in v3.4 §5.2.19, and node-smpp writes
        // GSM 03.38 codes under it ('@' as 0x00, '_' as 0x11): we set 0x00, the honest label.
        const id = await submit('GSM', { data_coding: 0x00, short_message: 'Hello from node-smpp @ interop: GSM 7-bit' });
        return { detail: `message_id=${id}`, value: id };
    });

    await step('submit_sm UCS2 text, registered_delivery=1', async () => {
        const id = await submit('UCS2', { data_coding: 0x08, short_message: 'Привет, мир! Ünïcödé ✓ 中文' });
        return `message_id=${id}`;
    });

    await step('multipart submit_sm, 2 parts with a UDH (IEI 0x00, 8-bit reference)', async () => {
        const parts = chunks(filler('Multipart UDH from node-smpp: ', 250), 153);
        const ids = [];
        for (let i = 0; i < parts.length; i++) {
            const udh = Buffer.from([0x05, 0x00, 0x03, 0x42, parts.length, i + 1]);
            // node-smpp sets the UDHI bit (esm_class 0x40) itself when short_message has a udh.
            ids.push(await submit(`UDH part ${i + 1}/${parts.length}`, { data_coding: 0x00, short_message: { udh, message: parts[i] } }));
        }
        return `message_ids=${ids.join(',')}`;
    });

    await step('multipart submit_sm, 2 parts with the SAR TLVs', async () => {
        const parts = chunks(filler('Multipart SAR from node-smpp: ', 250), 153);
        const ids = [];
        for (let i = 0; i < parts.length; i++) {
            ids.push(
                await submit(`SAR part ${i + 1}/${parts.length}`, {
                    data_coding: 0x00,
                    short_message: parts[i],
                    sar_msg_ref_num: 0x1234,
                    sar_total_segments: parts.length,
                    sar_segment_seqnum: i + 1,
                })
            );
        }
        return `message_ids=${ids.join(',')}`;
    });

    // One receipt per submitted part. Exact id matches first; the same number written in the other
    // base (hex vs decimal) is accepted but reported.
    const receiptDeadline = Date.now() + Number(args['receipt-timeout']) * 1000;
    for (const sub of submitted) {
        await step(`delivery receipt for ${sub.label}`, async () => {
            let how = null;
            const hit = await waitDeliver((e) => {
                if (!isReceipt(e.pdu)) {
                    return false;
                }
                const r = receiptInfo(e.pdu);
                if (r.tlvId !== undefined && common.sameId(r.tlvId, sub.id) === true) {
                    how = 'receipted_message_id';
                } else if (common.sameId(r.fields.id, sub.id) === true) {
                    how = 'text id';
                } else if (common.sameId(r.tlvId, sub.id) || common.sameId(r.fields.id, sub.id)) {
                    how = `id in another base (${common.sameId(r.tlvId, sub.id) || common.sameId(r.fields.id, sub.id)})`;
                } else {
                    return false;
                }
                return true;
            }, receiptDeadline);
            check(hit, `no receipt for message_id ${sub.id} within --receipt-timeout ${args['receipt-timeout']}s`);
            const r = receiptInfo(hit.pdu);
            const parts = [`message_id=${sub.id}`, `matched by ${how}`, `stat=${r.fields.stat || '?'}`];
            parts.push(`message_state=${r.state === undefined ? 'absent' : STATE_NAMES[r.state] || r.state}`);
            if (r.tlvId !== undefined && r.fields.id !== undefined && common.sameId(r.tlvId, r.fields.id) !== true) {
                parts.push(`TLV id ${r.tlvId} != text id ${r.fields.id}`);
            }
            if (hit.pdu.source_addr !== args.dst || hit.pdu.destination_addr !== args.src) {
                parts.push(`addresses not swapped (${hit.pdu.source_addr} -> ${hit.pdu.destination_addr})`);
            }
            parts.push(`on ${hit.conn}`);
            return parts.join(', ');
        });
    }

    await step('enquire_link', async () => {
        const resp = await trx.request('enquire_link');
        expectOk(resp, 'enquire_link_resp');
        return 'enquire_link_resp ESME_ROK';
    });

    await step('query_sm of the GSM message', async () => {
        check(gsmId, 'not run: the GSM submit failed');
        const resp = await trx.request('query_sm', { message_id: gsmId, ...SRC });
        expectOk(resp, 'query_sm_resp');
        check(resp.message_id === gsmId, `query_sm_resp message_id ${resp.message_id} != ${gsmId}`);
        const fd = resp.final_date instanceof Date ? resp.final_date.toISOString() : JSON.stringify(resp.final_date);
        return `message_state=${STATE_NAMES[resp.message_state] || resp.message_state} final_date=${fd}`;
    });

    if (!args['no-cancel-replace']) {
        await cancelReplace(trx);
    }

    await receiverCheck(bindParams);

    await step('unbind (transceiver)', async () => {
        const resp = await trx.request('unbind');
        expectOk(resp, 'unbind_resp');
        return 'unbind_resp ESME_ROK';
    });
    trx.close();
}

async function cancelReplace(trx) {
    // Relative schedule_delivery_time of one day: the message must stay ENROUTE meanwhile, so it can
    // be replaced and cancelled. No receipt requested.
    const sid = await step('submit_sm scheduled +1 day (for replace_sm / cancel_sm)', async () => {
        const resp = await trx.request('submit_sm', {
            ...SRC,
            ...DST,
            data_coding: 0x00,
            registered_delivery: 0,
            schedule_delivery_time: '000001000000000R',
            short_message: 'Scheduled message, to be replaced',
        });
        expectOk(resp, 'submit_sm_resp');
        return { detail: `message_id=${resp.message_id}`, value: resp.message_id };
    });
    const needId = () => check(sid, 'not run: the scheduled submit failed');
    const query = async (want) => {
        needId();
        const resp = await trx.request('query_sm', { message_id: sid, ...SRC });
        expectOk(resp, 'query_sm_resp');
        check(want.includes(resp.message_state), `message_state ${STATE_NAMES[resp.message_state] || resp.message_state}, wanted ${want.map((s) => STATE_NAMES[s]).join(' or ')}`);
        return `message_state=${STATE_NAMES[resp.message_state]}`;
    };

    await step('replace_sm of the scheduled message', async () => {
        needId();
        const resp = await trx.request('replace_sm', { message_id: sid, ...SRC, registered_delivery: 0, short_message: 'Replaced text' });
        expectOk(resp, 'replace_sm_resp');
        return 'replace_sm_resp ESME_ROK';
    });
    await step('query_sm of the scheduled message: still pending', () => query([1, 6, 0]));
    await step('cancel_sm of the scheduled message', async () => {
        needId();
        const resp = await trx.request('cancel_sm', { service_type: '', message_id: sid, ...SRC, ...DST });
        expectOk(resp, 'cancel_sm_resp');
        return 'cancel_sm_resp ESME_ROK';
    });
    await step('query_sm after cancel_sm: DELETED', () => query([4]));
    await step('cancel_sm again is refused', async () => {
        needId();
        const resp = await trx.request('cancel_sm', { service_type: '', message_id: sid, ...SRC, ...DST });
        check(resp.command_status !== 0, 'second cancel_sm of the same message succeeded');
        return statusName(resp.command_status);
    });
}

async function receiverCheck(bindParams) {
    const rx = new Esme('rx');
    const ok = await step('bind_receiver on a second connection', async () => {
        await rx.connect();
        const resp = await rx.request('bind_receiver', bindParams);
        expectOk(resp, 'bind_receiver_resp');
        return `system_id=${JSON.stringify(resp.system_id)}`;
    });
    if (!ok) {
        rx.close();
        return;
    }
    await step('mobile-originated deliver_sm on the receiver', async () => {
        const hit = await waitDeliver((e) => e.conn === 'rx' && !isReceipt(e.pdu), Date.now() + Number(args['mo-wait']) * 1000);
        if (!hit) {
            const msg = `no MO deliver_sm within --mo-wait ${args['mo-wait']}s`;
            if (args['expect-mo']) {
                throw new Error(msg);
            }
            throw new Skip(`${msg} (the SMSC has no MO source?)`);
        }
        const sm = hit.pdu.short_message;
        const text = sm && sm.message !== undefined ? sm.message : sm;
        return `from ${hit.pdu.source_addr} to ${hit.pdu.destination_addr}: ${JSON.stringify(Buffer.isBuffer(text) ? text.toString('hex') : text)}`;
    });
    await step('unbind (receiver)', async () => {
        const resp = await rx.request('unbind');
        expectOk(resp, 'unbind_resp');
        return 'unbind_resp ESME_ROK';
    });
    rx.close();
}

main()
    .catch((e) => report('FAIL', 'driver error', e.stack))
    .finally(() => {
        clearTimeout(watchdog);
        // Let the last writes (deliver_sm_resp, close) leave before exiting.
        setTimeout(() => finish(), 100);
    });
