#!/usr/bin/env python3
"""ESME test driver on python `smpplib` (python-smpplib), to run against any SMSC.

    target/interop/venv/bin/python interop/python/client.py --host 127.0.0.1 --port 2775 \\
        --system-id test --password secret

Each step prints one line, PASS / FAIL / SKIP, and the last line is the summary
"python-client: N passed, N failed, N skipped". Exit status 0 only when nothing failed; 1 when a step
failed; 2 on bad arguments or when the whole run overran --timeout.

Steps: bind_transceiver; a bind with a wrong password is refused; submit_sm of GSM text and of UCS2
text with registered_delivery=1; a multipart message split by smpplib's gsm.make_parts (UDH); one
delivery receipt per submitted part, matched by receipted_message_id or the receipt text's id;
enquire_link; query_sm; bind_receiver on a second connection that waits --mo-wait seconds for a
mobile-originated deliver_sm (SKIP when none comes, FAIL with --expect-mo); unbind of both.
smpplib 2.2.4 has no cancel_sm / replace_sm commands, so those are left to the node client.
"""

import argparse
import ipaddress
import json
import os
import random
import re
import select
import signal
import sys
import time

try:
    import smpplib.client
    import smpplib.consts
    import smpplib.exceptions
    import smpplib.gsm
    import smpplib.smpp
except ImportError as e:  # pragma: no cover
    sys.stderr.write("cannot import smpplib (%s): run interop/setup.sh and use target/interop/venv/bin/python\n" % e)
    sys.exit(3)

STATE_NAMES = {0: "SCHEDULED(5.0)", 1: "ENROUTE", 2: "DELIVERED", 3: "EXPIRED", 4: "DELETED",
               5: "UNDELIVERABLE", 6: "ACCEPTED", 7: "UNKNOWN", 8: "REJECTED"}
STATUS_NAMES = {v: k[5:] for k, v in vars(smpplib.consts).items()
                if k.startswith("SMPP_ESME_") and isinstance(v, int)}


def status_name(status):
    return "%s 0x%08x" % (STATUS_NAMES.get(status, "status"), status)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2775)
    p.add_argument("--system-id", default="test")
    p.add_argument("--password", default="secret")
    p.add_argument("--system-type", default="")
    p.add_argument("--src", default="12345")
    p.add_argument("--dst", default="447700900123")
    p.add_argument("--timeout", type=float, default=60, help="bound on the whole run, seconds")
    p.add_argument("--step-timeout", type=float, default=5, help="response timer, seconds")
    p.add_argument("--receipt-timeout", type=float, default=10)
    p.add_argument("--mo-wait", type=float, default=3)
    p.add_argument("--expect-mo", action="store_true", help="no MO deliver_sm is a FAIL, not a SKIP")
    p.add_argument("--no-cancel-replace", action="store_true",
                   help="accepted for symmetry with the node client; this client never sends them")
    p.add_argument("--verbose", action="store_true", help="log every PDU as NDJSON on stderr")
    p.add_argument("--name", default="python-client")
    a = p.parse_args()
    if a.host != "localhost":
        try:
            if not ipaddress.ip_address(a.host).is_loopback:
                raise ValueError
        except ValueError:
            p.error("refusing host %s: the interop peers only talk over loopback (127.0.0.0/8, ::1)" % a.host)
    return a


ARGS = parse_args()
TALLY = {"PASS": 0, "FAIL": 0, "SKIP": 0}


def report(status, name, detail=None):
    TALLY[status] += 1
    print("%s %s%s" % (status, name, " - %s" % detail if detail else ""), flush=True)


def finish(code=None):
    print("%s: %d passed, %d failed, %d skipped" % (ARGS.name, TALLY["PASS"], TALLY["FAIL"], TALLY["SKIP"]),
          flush=True)
    if code is None:
        code = 1 if TALLY["FAIL"] else 0
    sys.stdout.flush()
    os._exit(code)


def on_alarm(_sig, _frame):
    report("FAIL", "overall timeout", "run exceeded --timeout %ss" % ARGS.timeout)
    finish(2)


class StepFailed(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise StepFailed(msg)


def step(name, fn):
    """Runs one step: a returned string (or (detail, value)) is PASS; Skip is SKIP; anything else FAIL."""
    try:
        out = fn()
    except Skip as e:
        report("SKIP", name, str(e))
        return None
    except Exception as e:  # noqa: BLE001 - every failure of a step is reported, whatever it is
        report("FAIL", name, "%s: %s" % (type(e).__name__, e) if not isinstance(e, StepFailed) else str(e))
        return None
    if isinstance(out, tuple):
        report("PASS", name, out[0])
        return out[1]
    report("PASS", name, out)
    return True


def text(v):
    if v is None:
        return None
    return v.decode("latin-1") if isinstance(v, (bytes, bytearray)) else str(v)


# ---------------------------------------------------------------------------------------------
# A connection. smpplib's own loop (read_once/listen) hands responses to callbacks without matching
# them to requests, so this reads PDUs itself: responses by sequence_number, the SMSC's deliver_sm
# and enquire_link answered as they come (deliver_sm kept in INBOX for the receipt checks).

INBOX = []  # [conn_label, pdu, used]


class Esme:
    def __init__(self, label):
        self.label = label
        # allow_unknown_opt_params=True: v3.4 §3.3 says a receiver ignores TLVs it does not know;
        # smpplib 2.2.4 raises on them unless told otherwise (and warns that the default will change).
        self.client = smpplib.client.Client(ARGS.host, ARGS.port, timeout=ARGS.step_timeout,
                                            allow_unknown_opt_params=True)

    def trace(self, direction, pdu):
        if ARGS.verbose:
            fields = {k: (v.hex() if isinstance(v, (bytes, bytearray)) else v)
                      for k, v in vars(pdu).items()
                      if not k.startswith("_") and k not in ("command", "status", "length", "allow_unknown_opt_params")
                      and v is not None}
            sys.stderr.write(json.dumps({"t": time.time(), "conn": self.label, "dir": direction,
                                         "command": pdu.command, "command_status": pdu.status,
                                         "sequence_number": pdu.sequence, "fields": fields}) + "\n")

    def send(self, pdu):
        self.trace("out", pdu)
        self.client.send_pdu(pdu)

    def pump(self, predicate, deadline):
        """Reads PDUs until one satisfies predicate (returned) or deadline passes (None)."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            # select before read_pdu: smpplib's read_pdu on a socket timeout mid-PDU loses framing.
            readable, _, _ = select.select([self.client._socket], [], [], remaining)
            if not readable:
                return None
            pdu = self.client.read_pdu()
            self.trace("in", pdu)
            if pdu.command == "deliver_sm":
                INBOX.append([self.label, pdu, False])
                self.send(self.response("deliver_sm_resp", pdu))
            elif pdu.command == "enquire_link":
                self.send(self.response("enquire_link_resp", pdu))
            elif pdu.command == "unbind":
                self.send(self.response("unbind_resp", pdu))
            if predicate(pdu):
                return pdu

    def response(self, command, request):
        """The response to `request`, with its sequence_number."""
        resp = smpplib.smpp.make_pdu(command, client=self.client)
        # Not make_pdu(..., sequence=N): smpplib 2.2.4 drops that keyword (its setter only fills
        # attributes that read as None, and `sequence` reads as the client's counter), so the
        # response would carry the client's last sequence_number instead of the request's.
        resp.sequence = request.sequence
        return resp

    def request(self, command, **fields):
        pdu = smpplib.smpp.make_pdu(command, client=self.client, **fields)
        self.send(pdu)
        seq = pdu.sequence
        resp = self.pump(lambda p: p.is_response() and p.sequence == seq,
                         time.monotonic() + ARGS.step_timeout)
        check(resp is not None, "no response to %s within %ss (seq %d)" % (command, ARGS.step_timeout, seq))
        return resp

    def bind(self, command, **fields):
        self.client.connect()
        # smpplib's bind_* would raise on an error status; send it ourselves to see the status.
        return self.request(command, **fields)

    def close(self):
        if self.client._socket is not None:
            self.client._socket.close()
            self.client._socket = None
        self.client.state = smpplib.consts.SMPP_CLIENT_STATE_CLOSED


def expect_ok(resp, what):
    check(resp.command != "generic_nack", "%s: generic_nack %s" % (what, status_name(resp.status)))
    check(resp.status == 0, "%s: %s" % (what, status_name(resp.status)))


def wait_deliver(predicate, deadline, conns):
    """Waits for an unused deliver_sm matching predicate(label, pdu), reading every connection."""
    while True:
        for entry in INBOX:
            if not entry[2] and predicate(entry[0], entry[1]):
                entry[2] = True
                return entry
        if time.monotonic() >= deadline:
            return None
        # Read a little from each connection, then look again.
        for c in conns:
            if c.client._socket is not None:
                c.pump(lambda _p: True, min(deadline, time.monotonic() + 0.05))


def is_receipt(pdu):
    return (pdu.esm_class or 0) & 0x3C == 0x04


RECEIPT_RE = re.compile(r"(id|sub|dlvrd|submit date|done date|stat|err|text):(.*?)"
                        r"(?=\s+(?:id|sub|dlvrd|submit date|done date|stat|err|text):|$)", re.I | re.S)


def receipt_fields(pdu):
    body = text(pdu.short_message) or text(getattr(pdu, "message_payload", None)) or ""
    return {k.lower(): v.strip() for k, v in RECEIPT_RE.findall(body)}


def same_id(a, b):
    """True for equal ids; a string naming the base mix-up when one is the other in hex/decimal."""
    if a is None or b is None:
        return False
    a, b = str(a), str(b)
    if a == b:
        return True
    hexdigits = "0123456789abcdefABCDEF"
    if a.isdigit() and b and all(c in hexdigits for c in b) and int(a, 10) == int(b, 16):
        return "decimal-vs-hex"
    if b.isdigit() and a and all(c in hexdigits for c in a) and int(b, 10) == int(a, 16):
        return "hex-vs-decimal"
    return False


# ---------------------------------------------------------------------------------------------

SRC = dict(source_addr_ton=1, source_addr_npi=1, source_addr=ARGS.src)
DST = dict(dest_addr_ton=1, dest_addr_npi=1, destination_addr=ARGS.dst)


def main():
    creds = dict(system_id=ARGS.system_id, password=ARGS.password, system_type=ARGS.system_type,
                 interface_version=0x34, addr_ton=0, addr_npi=0, address_range="")
    trx = Esme("trx")

    def bind_trx():
        resp = trx.bind("bind_transceiver", **creds)
        expect_ok(resp, "bind_transceiver_resp")
        scv = getattr(resp, "sc_interface_version", None)
        return "system_id=%r sc_interface_version=%s" % (
            text(resp.system_id), "absent" if scv is None else "0x%02x" % scv)

    if not step("bind_transceiver", bind_trx):
        report("FAIL", "remaining steps", "not run: no bind")
        trx.close()
        return

    def bad_password():
        bad = Esme("badpw")
        try:
            wrong = "badpass2" if ARGS.password == "badpass1" else "badpass1"
            resp = bad.bind("bind_transmitter", **dict(creds, password=wrong))
            check(resp.status != 0, "bind with a wrong password succeeded")
            return status_name(resp.status)
        finally:
            bad.close()

    step("bind with a wrong password is refused", bad_password)

    submitted = []  # (label, message_id)

    def submit(label, **fields):
        # Never source_addr_subunit here: smpplib 2.2.4 encodes it in 2 octets for submit_sm, the
        # spec (§5.3.2.2, and smpplib's own data_sm) says 1.
        resp = trx.request("submit_sm", **dict(SRC, **DST, registered_delivery=1, **fields))
        expect_ok(resp, "submit_sm_resp")
        mid = text(resp.message_id)
        check(mid, "submit_sm_resp without message_id")
        submitted.append((label, mid))
        return mid

    def gsm():
        # smpplib's gsm_encode gives GSM 03.38 unpacked codes ('@' = 0x00), data_coding 0.
        mid = submit("GSM", data_coding=smpplib.consts.SMPP_ENCODING_DEFAULT,
                     short_message=smpplib.gsm.gsm_encode("Hello from smpplib @ interop: GSM 7-bit"))
        return "message_id=%s" % mid, mid

    gsm_id = step("submit_sm GSM 7-bit text, registered_delivery=1", gsm)

    def ucs2():
        mid = submit("UCS2", data_coding=smpplib.consts.SMPP_ENCODING_ISO10646,
                     short_message="Привет, мир! Ünïcödé ✓ 中文".encode("utf-16-be"))
        return "message_id=%s" % mid

    step("submit_sm UCS2 text, registered_delivery=1", ucs2)

    def multipart():
        # make_parts picks the UDH reference with random.randint: seeded, so runs are repeatable.
        random.seed(0x34)
        body = ("Multipart UDH from smpplib: " + "the quick brown fox jumps over the lazy dog 0123456789 " * 6)[:250]
        parts, coding, esm_class = smpplib.gsm.make_parts(body)
        check(len(parts) == 2, "make_parts gave %d parts, wanted 2" % len(parts))
        check(esm_class == smpplib.consts.SMPP_GSMFEAT_UDHI, "make_parts esm_class 0x%02x" % esm_class)
        ids = [submit("UDH part %d/%d" % (i + 1, len(parts)), data_coding=coding, esm_class=esm_class,
                      short_message=part)
               for i, part in enumerate(parts)]
        return "message_ids=%s (UDH %s)" % (",".join(ids), parts[0][:6].hex())

    step("multipart submit_sm, 2 parts by smpplib.gsm.make_parts (UDH)", multipart)

    receipt_deadline = time.monotonic() + ARGS.receipt_timeout
    for label, mid in submitted:
        def receipt(label=label, mid=mid):
            how = {}

            def match(_conn, pdu):
                if not is_receipt(pdu):
                    return False
                tlv_id = text(getattr(pdu, "receipted_message_id", None))
                text_id = receipt_fields(pdu).get("id")
                if same_id(tlv_id, mid) is True:
                    how["by"] = "receipted_message_id"
                elif same_id(text_id, mid) is True:
                    how["by"] = "text id"
                elif same_id(tlv_id, mid) or same_id(text_id, mid):
                    how["by"] = "id in another base (%s)" % (same_id(tlv_id, mid) or same_id(text_id, mid))
                else:
                    return False
                return True

            hit = wait_deliver(match, receipt_deadline, [trx])
            check(hit, "no receipt for message_id %s within --receipt-timeout %ss" % (mid, ARGS.receipt_timeout))
            conn, pdu, _ = hit
            fields = receipt_fields(pdu)
            state = getattr(pdu, "message_state", None)
            tlv_id = text(getattr(pdu, "receipted_message_id", None))
            parts = ["message_id=%s" % mid, "matched by %s" % how["by"], "stat=%s" % fields.get("stat", "?"),
                     "message_state=%s" % ("absent" if state is None else STATE_NAMES.get(state, state))]
            if tlv_id is not None and "id" in fields and same_id(tlv_id, fields["id"]) is not True:
                parts.append("TLV id %s != text id %s" % (tlv_id, fields["id"]))
            if text(pdu.source_addr) != ARGS.dst or text(pdu.destination_addr) != ARGS.src:
                parts.append("addresses not swapped (%s -> %s)" % (text(pdu.source_addr), text(pdu.destination_addr)))
            parts.append("on %s" % conn)
            return ", ".join(parts)

        step("delivery receipt for %s" % label, receipt)

    def enquire():
        resp = trx.request("enquire_link")
        expect_ok(resp, "enquire_link_resp")
        return "enquire_link_resp ESME_ROK"

    step("enquire_link", enquire)

    def query():
        check(gsm_id, "not run: the GSM submit failed")
        # smpplib's state table allows query_sm only when bound RX or TRX; v3.4 Table 2-1 says TX or
        # TRX (query_sm is an ESME->SMSC request). We are bound TRX, which both accept.
        resp = trx.request("query_sm", message_id=gsm_id, **SRC)
        expect_ok(resp, "query_sm_resp")
        check(text(resp.message_id) == gsm_id, "query_sm_resp message_id %s != %s" % (text(resp.message_id), gsm_id))
        return "message_state=%s final_date=%r" % (STATE_NAMES.get(resp.message_state, resp.message_state),
                                                   text(resp.final_date))

    step("query_sm of the GSM message", query)

    receiver_check(creds, trx)

    def unbind():
        resp = trx.request("unbind")
        expect_ok(resp, "unbind_resp")
        return "unbind_resp ESME_ROK"

    step("unbind (transceiver)", unbind)
    trx.close()


def receiver_check(creds, trx):
    rx = Esme("rx")

    def bind_rx():
        resp = rx.bind("bind_receiver", **creds)
        expect_ok(resp, "bind_receiver_resp")
        return "system_id=%r" % text(resp.system_id)

    if not step("bind_receiver on a second connection", bind_rx):
        rx.close()
        return

    def mo():
        hit = wait_deliver(lambda conn, pdu: conn == "rx" and not is_receipt(pdu),
                           time.monotonic() + ARGS.mo_wait, [rx, trx])
        if hit is None:
            msg = "no MO deliver_sm within --mo-wait %ss" % ARGS.mo_wait
            if ARGS.expect_mo:
                raise StepFailed(msg)
            raise Skip(msg + " (the SMSC has no MO source?)")
        pdu = hit[1]
        return "from %s to %s: %r" % (text(pdu.source_addr), text(pdu.destination_addr), text(pdu.short_message))

    step("mobile-originated deliver_sm on the receiver", mo)

    def unbind_rx():
        resp = rx.request("unbind")
        expect_ok(resp, "unbind_resp")
        return "unbind_resp ESME_ROK"

    step("unbind (receiver)", unbind_rx)
    rx.close()


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, ARGS.timeout)
    try:
        main()
    except Exception as e:  # noqa: BLE001
        report("FAIL", "driver error", "%s: %s" % (type(e).__name__, e))
    finish()
