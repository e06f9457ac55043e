//! Synthetic captures for the reassembly edge cases, made with the pcap writer: the generator
//! here writes `fixtures/pcap/synthetic/*`, a test regenerates them and checks the committed
//! files are identical (set `SMPP_UPDATE_FIXTURES=1` to rewrite them), and each capture is read
//! back with its exact PDUs, gaps and problems asserted.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use smpp::pcap::convert::{Format, Link, Rewrite};
use smpp::pcap::read::{Capture, NoteKind, ProblemKind, Record, SmppDirection};
use smpp::pcap::{Direction, PcapWriter, TcpConversation};
use smpp::{
    Bind, BindResp, Command, CommandStatus, DeliverSm, DeliverSmResp, Pdu, SubmitSm, SubmitSmResp,
};

const T0: Duration = Duration::from_secs(1_700_000_000);

fn ms(n: u64) -> Duration {
    T0 + Duration::from_millis(n)
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn esme() -> SocketAddr {
    addr("192.0.2.10:41000")
}

fn smsc() -> SocketAddr {
    addr("192.0.2.20:2775")
}

fn bind(seq: u32) -> Bytes {
    Command::new(
        seq,
        Pdu::BindTransceiver(Bind {
            system_id: "esme01".try_into().unwrap(),
            password: "secret".try_into().unwrap(),
            system_type: "TEST".try_into().unwrap(),
            interface_version: 0x34,
            ..Default::default()
        }),
    )
    .to_bytes()
}

fn bind_resp(seq: u32) -> Bytes {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::BindTransceiverResp(Some(BindResp {
            system_id: "smsc01".try_into().unwrap(),
            ..Default::default()
        })),
    )
    .to_bytes()
}

fn submit(seq: u32, text: &str) -> Bytes {
    Command::new(
        seq,
        SubmitSm {
            source_addr: "12345".try_into().unwrap(),
            destination_addr: "447911123456".try_into().unwrap(),
            short_message: text.as_bytes().try_into().unwrap(),
            ..Default::default()
        },
    )
    .to_bytes()
}

fn submit_resp(seq: u32) -> Bytes {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::SubmitSmResp(Some(SubmitSmResp {
            message_id: format!("msg-{seq}").as_str().try_into().unwrap(),
            ..Default::default()
        })),
    )
    .to_bytes()
}

fn submit_throttled(seq: u32) -> Bytes {
    Command::empty_response(
        smpp::CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_RTHROTTLED,
        seq,
    )
    .unwrap()
    .to_bytes()
}

fn deliver(seq: u32, text: &str) -> Bytes {
    Command::new(
        seq,
        DeliverSm {
            source_addr: "447911123456".try_into().unwrap(),
            destination_addr: "12345".try_into().unwrap(),
            short_message: text.as_bytes().try_into().unwrap(),
            ..Default::default()
        },
    )
    .to_bytes()
}

fn deliver_resp(seq: u32) -> Bytes {
    Command::response(
        CommandStatus::ESME_ROK,
        seq,
        Pdu::DeliverSmResp(Some(DeliverSmResp::default())),
    )
    .to_bytes()
}

fn enquire(seq: u32) -> Bytes {
    Command::new(seq, Pdu::EnquireLink).to_bytes()
}

fn enquire_resp(seq: u32) -> Bytes {
    Command::response(CommandStatus::ESME_ROK, seq, Pdu::EnquireLinkResp).to_bytes()
}

fn unbind(seq: u32) -> Bytes {
    Command::new(seq, Pdu::Unbind).to_bytes()
}

fn unbind_resp(seq: u32) -> Bytes {
    Command::response(CommandStatus::ESME_ROK, seq, Pdu::UnbindResp).to_bytes()
}

const C2S: Direction = Direction::ClientToServer;
const S2C: Direction = Direction::ServerToClient;

fn writer() -> PcapWriter<Vec<u8>> {
    PcapWriter::new(Vec::new()).unwrap()
}

fn conn(client: SocketAddr, server: SocketAddr) -> TcpConversation {
    TcpConversation::new(client, server).unwrap()
}

/// Writes `data` from `dir` as segments cut at `cuts` (offsets into `data`), in the order given
/// by `order` (indices of the pieces), each 1 ms after the previous from `t`, then moves the
/// sender's sequence number past `data`.
fn pieces(
    pcap: &mut PcapWriter<Vec<u8>>,
    c: &mut TcpConversation,
    dir: Direction,
    data: &[u8],
    cuts: &[usize],
    order: &[usize],
    t: u64,
) {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(data.len());
    for (i, &p) in order.iter().enumerate() {
        let (from, to) = (bounds[p], bounds[p + 1]);
        let seg = c.segment(dir, from as u32, &data[from..to]);
        pcap.write_segment(ms(t + i as u64), &seg).unwrap();
    }
    c.advance(dir, data.len() as u32);
}

/// A whole session: bind, two submits (one throttled), a deliver_sm, enquire_link, unbind.
fn clean_session(client: SocketAddr, server: SocketAddr) -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(client, server);
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(3)).unwrap();
    c.client_sends(&mut pcap, &submit(2, "Hello"), ms(10))
        .unwrap();
    c.server_sends(&mut pcap, &submit_resp(2), ms(14)).unwrap();
    c.client_sends(&mut pcap, &submit(3, "again"), ms(20))
        .unwrap();
    c.server_sends(&mut pcap, &submit_throttled(3), ms(21))
        .unwrap();
    c.server_sends(&mut pcap, &deliver(1, "Hi back"), ms(30))
        .unwrap();
    c.client_sends(&mut pcap, &deliver_resp(1), ms(32)).unwrap();
    c.client_sends(&mut pcap, &enquire(4), ms(40)).unwrap();
    c.server_sends(&mut pcap, &enquire_resp(4), ms(41)).unwrap();
    c.client_sends(&mut pcap, &unbind(5), ms(50)).unwrap();
    c.server_sends(&mut pcap, &unbind_resp(5), ms(52)).unwrap();
    c.finish(&mut pcap, ms(60)).unwrap();
    pcap.into_inner()
}

fn clean() -> Vec<u8> {
    clean_session(esme(), smsc())
}

/// The bind's header in three segments (5 + 7 + 4 octets) then its body; a submit_sm in 7-octet
/// segments.
fn split_header() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    pieces(
        &mut pcap,
        &mut c,
        C2S,
        &bind(1),
        &[5, 12, 16],
        &[0, 1, 2, 3],
        1,
    );
    c.server_sends(&mut pcap, &bind_resp(1), ms(10)).unwrap();
    let mut small = c.clone().with_mss(7).unwrap();
    small
        .client_sends(&mut pcap, &submit(2, "split"), ms(20))
        .unwrap();
    small
        .server_sends(&mut pcap, &submit_resp(2), ms(30))
        .unwrap();
    small.finish(&mut pcap, ms(40)).unwrap();
    pcap.into_inner()
}

/// Four requests in one segment, their four responses in one segment.
fn coalesced() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(2)).unwrap();
    let requests = [
        submit(2, "one"),
        submit(3, "two"),
        submit(4, "three"),
        enquire(5),
    ]
    .concat();
    c.client_sends(&mut pcap, &requests, ms(10)).unwrap();
    let responses = [
        submit_resp(2),
        submit_resp(3),
        submit_resp(4),
        enquire_resp(5),
    ]
    .concat();
    c.server_sends(&mut pcap, &responses, ms(15)).unwrap();
    c.finish(&mut pcap, ms(20)).unwrap();
    pcap.into_inner()
}

/// A submit_sm in three segments captured in the order 3, 1, 2.
fn out_of_order() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(2)).unwrap();
    let s = submit(2, "reordered");
    pieces(&mut pcap, &mut c, C2S, &s, &[10, 30], &[2, 0, 1], 10);
    c.server_sends(&mut pcap, &submit_resp(2), ms(20)).unwrap();
    c.finish(&mut pcap, ms(30)).unwrap();
    pcap.into_inner()
}

/// A submit_sm and its response, each captured twice (the second copy 200 ms later).
fn retransmission() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    let s = submit(2, "again and again");
    let seg = c.segment(C2S, 0, &s);
    pcap.write_segment(ms(1), &seg).unwrap();
    pcap.write_segment(ms(201), &seg).unwrap();
    c.advance(C2S, s.len() as u32);
    let r = submit_resp(2);
    let seg = c.segment(S2C, 0, &r);
    pcap.write_segment(ms(202), &seg).unwrap();
    pcap.write_segment(ms(402), &seg).unwrap();
    c.advance(S2C, r.len() as u32);
    c.finish(&mut pcap, ms(500)).unwrap();
    pcap.into_inner()
}

/// Segments that overlap: 0..30, 20..end, then 10..40 again (all agree).
fn overlap() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    let s = [submit(2, "overlapping segments"), enquire(3)].concat();
    for (i, (from, to)) in [(0, 30), (20, s.len()), (10, 40)].into_iter().enumerate() {
        let seg = c.segment(C2S, from as u32, &s[from..to]);
        pcap.write_segment(ms(1 + i as u64), &seg).unwrap();
    }
    c.advance(C2S, s.len() as u32);
    c.server_sends(
        &mut pcap,
        &[submit_resp(2), enquire_resp(3)].concat(),
        ms(10),
    )
    .unwrap();
    c.finish(&mut pcap, ms(20)).unwrap();
    pcap.into_inner()
}

/// Octets 20..40 of a submit_sm were never captured (the SMSC acknowledged them): a gap, then
/// the stream resynchronises at the next submit_sm.
fn gap_resync() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(2)).unwrap();
    let s = [
        submit(2, "this one loses its middle"),
        submit(3, "this one arrives"),
    ]
    .concat();
    pieces(&mut pcap, &mut c, C2S, &s, &[20, 40], &[0, 2], 10);
    c.server_sends(
        &mut pcap,
        &[submit_resp(2), submit_resp(3)].concat(),
        ms(20),
    )
    .unwrap();
    c.finish(&mut pcap, ms(30)).unwrap();
    pcap.into_inner()
}

/// The capture stops 25 octets into a submit_sm.
fn cut_off() -> Vec<u8> {
    let mut pcap = writer();
    let mut c = conn(esme(), smsc());
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(2)).unwrap();
    let s = submit(2, "never finished");
    c.client_sends(&mut pcap, &s[..25], ms(10)).unwrap();
    pcap.into_inner()
}

fn ipv6() -> Vec<u8> {
    clean_session(addr("[2001:db8::10]:41000"), addr("[2001:db8::20]:2775"))
}

fn rewrite(link: Link, format: Format) -> Vec<u8> {
    Rewrite {
        link,
        format,
        snaplen: None,
    }
    .apply(&clean())
    .unwrap()
}

fn vlan() -> Vec<u8> {
    rewrite(Link::Vlan(42), Format::default())
}

fn sll2() -> Vec<u8> {
    rewrite(Link::LinuxSll2, Format::default())
}

fn pcapng() -> Vec<u8> {
    rewrite(Link::Ethernet, Format::PcapNg)
}

fn nanosecond_big_endian() -> Vec<u8> {
    rewrite(
        Link::Raw,
        Format::Pcap {
            big_endian: true,
            nanoseconds: true,
        },
    )
}

/// Every fixture: file name and generator.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("clean.pcap", clean()),
        ("split_header.pcap", split_header()),
        ("coalesced.pcap", coalesced()),
        ("out_of_order.pcap", out_of_order()),
        ("retransmission.pcap", retransmission()),
        ("overlap.pcap", overlap()),
        ("gap_resync.pcap", gap_resync()),
        ("cut_off.pcap", cut_off()),
        ("ipv6.pcap", ipv6()),
        ("vlan.pcap", vlan()),
        ("sll2.pcap", sll2()),
        ("clean.pcapng", pcapng()),
        ("raw_nanosecond_be.pcap", nanosecond_big_endian()),
    ]
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pcap/synthetic")
}

#[test]
fn committed_fixtures_match_the_generator() {
    let update = std::env::var_os("SMPP_UPDATE_FIXTURES").is_some();
    let tmp = std::env::temp_dir().join(format!("smpp-pcap-synthetic-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (name, bytes) in fixtures() {
        let fresh = tmp.join(name);
        std::fs::write(&fresh, &bytes).unwrap();
        let committed = dir().join(name);
        if update {
            std::fs::write(&committed, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&committed).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with SMPP_UPDATE_FIXTURES=1 to write it)",
                committed.display()
            )
        });
        assert!(
            on_disk == std::fs::read(&fresh).unwrap(),
            "{name} differs from what the generator makes (SMPP_UPDATE_FIXTURES=1 rewrites it)"
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// One line per record, read from the committed file.
fn outline(name: &str) -> Vec<String> {
    let mut capture = Capture::open(dir().join(name)).unwrap();
    let lines = capture.by_ref().map(|r| line(&r)).collect();
    assert!(
        capture.summary().notes.is_empty() || name == "cut_off.pcap",
        "{name}: {:?}",
        capture.summary().notes
    );
    lines
}

/// `#frame > command seq @offset` (`<` for SMSC → ESME), or `#frame > !problem @offset`.
fn line(r: &Record) -> String {
    let arrow = match r.direction() {
        SmppDirection::EsmeToSmsc => '>',
        SmppDirection::SmscToEsme => '<',
    };
    match r {
        Record::Pdu(p) => {
            let h = p.header();
            format!(
                "#{} {arrow} {} {} @{}{}",
                p.frame_number,
                h.command_id.name().unwrap_or("?"),
                h.sequence_number,
                p.stream_offset,
                if p.gap_before { " after-gap" } else { "" }
            )
        }
        Record::Problem(p) => format!(
            "#{} {arrow} !{} @{}",
            p.frame_number,
            p.kind.name(),
            p.stream_offset
        ),
    }
}

/// The PDUs of `clean_session`: record number, direction, command, sequence, stream offset.
const CLEAN: [&str; 12] = [
    "#4 > bind_transceiver 1 @0",
    "#5 < bind_transceiver_resp 1 @0",
    "#6 > submit_sm 2 @39",
    "#7 < submit_sm_resp 2 @23",
    "#8 > submit_sm 3 @94",
    "#9 < submit_sm_resp 3 @45",
    "#10 < deliver_sm 1 @61",
    "#11 > deliver_sm_resp 1 @149",
    "#12 > enquire_link 4 @166",
    "#13 < enquire_link_resp 4 @118",
    "#14 > unbind 5 @182",
    "#15 < unbind_resp 5 @134",
];

#[test]
fn clean_captures_in_every_form_give_the_same_pdus() {
    for name in [
        "clean.pcap",
        "vlan.pcap",
        "sll2.pcap",
        "clean.pcapng",
        "raw_nanosecond_be.pcap",
        "ipv6.pcap",
    ] {
        assert_eq!(outline(name), CLEAN, "{name}");
    }
    // Time stamps, directions and addresses survive every form.
    for name in ["clean.pcap", "clean.pcapng", "raw_nanosecond_be.pcap"] {
        let pdus: Vec<_> = Capture::open(dir().join(name))
            .unwrap()
            .filter_map(Record::into_pdu)
            .collect();
        assert_eq!(pdus[0].ts, ms(1), "{name}");
        assert_eq!(pdus[3].ts, ms(14), "{name}");
        assert_eq!(
            pdus[0].key.to_string(),
            "192.0.2.10:41000 → 192.0.2.20:2775"
        );
        assert_eq!(pdus[6].direction, SmppDirection::SmscToEsme);
    }
    let v6 = Capture::open(dir().join("ipv6.pcap"))
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(
        v6.key().to_string(),
        "[2001:db8::10]:41000 → [2001:db8::20]:2775"
    );
}

#[test]
fn reads_split_header() {
    assert_eq!(
        outline("split_header.pcap"),
        [
            "#7 > bind_transceiver 1 @0",
            "#8 < bind_transceiver_resp 1 @0",
            // 54 octets in 7-octet segments: frames 9..=16
            "#16 > submit_sm 2 @39",
            // 23 octets: frames 17..=20
            "#20 < submit_sm_resp 2 @23",
        ]
    );
    let pdus: Vec<_> = Capture::open(dir().join("split_header.pcap"))
        .unwrap()
        .filter_map(Record::into_pdu)
        .collect();
    assert_eq!((pdus[0].first_frame_number, pdus[0].frame_number), (4, 7));
    assert_eq!((pdus[0].first_ts, pdus[0].ts), (ms(1), ms(4)));
    assert_eq!(pdus[0].frame, bind(1));
}

#[test]
fn reads_coalesced() {
    assert_eq!(
        outline("coalesced.pcap"),
        [
            "#4 > bind_transceiver 1 @0",
            "#5 < bind_transceiver_resp 1 @0",
            "#6 > submit_sm 2 @39",
            "#6 > submit_sm 3 @92",
            "#6 > submit_sm 4 @145",
            "#6 > enquire_link 5 @200",
            "#7 < submit_sm_resp 2 @23",
            "#7 < submit_sm_resp 3 @45",
            "#7 < submit_sm_resp 4 @67",
            "#7 < enquire_link_resp 5 @89",
        ]
    );
}

#[test]
fn reads_out_of_order() {
    assert_eq!(
        outline("out_of_order.pcap"),
        [
            "#4 > bind_transceiver 1 @0",
            "#5 < bind_transceiver_resp 1 @0",
            // pieces written 3, 1, 2: the submit completes with the third record
            "#8 > submit_sm 2 @39",
            "#9 < submit_sm_resp 2 @23",
        ]
    );
}

#[test]
fn reads_retransmission() {
    assert_eq!(
        outline("retransmission.pcap"),
        ["#4 > submit_sm 2 @0", "#6 < submit_sm_resp 2 @0"]
    );
    let capture = Capture::open(dir().join("retransmission.pcap")).unwrap();
    let (sessions, _) = capture.sessions();
    let s = &sessions[0].summary;
    assert_eq!(s.esme_to_smsc.tcp.retransmissions, 1);
    assert_eq!(s.smsc_to_esme.tcp.retransmissions, 1);
}

#[test]
fn reads_overlap() {
    assert_eq!(
        outline("overlap.pcap"),
        [
            "#5 > submit_sm 2 @0",
            "#5 > enquire_link 3 @70",
            "#7 < submit_sm_resp 2 @0",
            "#7 < enquire_link_resp 3 @22",
        ]
    );
    let (sessions, _) = Capture::open(dir().join("overlap.pcap"))
        .unwrap()
        .sessions();
    let tcp = sessions[0].summary.esme_to_smsc.tcp;
    assert_eq!(
        (tcp.overlaps, tcp.retransmissions, tcp.conflicts),
        (1, 1, 0)
    );
}

#[test]
fn reads_gap_resync() {
    let lines = outline("gap_resync.pcap");
    assert_eq!(
        lines,
        [
            "#4 > bind_transceiver 1 @0",
            "#5 < bind_transceiver_resp 1 @0",
            // Record 8, the SMSC's response, acknowledges the missing octets: the hole is given
            // up there, before the responses. The submit_sm cut by the gap started in record 6;
            // the octets after the gap came in record 7.
            "#6 > !incomplete @39",
            "#7 > !gap @59",
            "#7 > !skipped @79",
            "#7 > submit_sm 3 @114 after-gap",
            "#8 < submit_sm_resp 2 @23",
            "#8 < submit_sm_resp 3 @45",
        ]
    );
    let records: Vec<Record> = Capture::open(dir().join("gap_resync.pcap"))
        .unwrap()
        .collect();
    let Record::Problem(gap) = &records[3] else {
        panic!()
    };
    assert_eq!(gap.kind, ProblemKind::Gap { missing: 20 });
}

#[test]
fn reads_cut_off() {
    assert_eq!(
        outline("cut_off.pcap"),
        [
            "#4 > bind_transceiver 1 @0",
            "#5 < bind_transceiver_resp 1 @0",
            "#6 > !incomplete @39",
        ]
    );
    // The same file cut in the middle of its last record.
    let mut bytes = std::fs::read(dir().join("cut_off.pcap")).unwrap();
    bytes.truncate(bytes.len() - 5);
    let mut capture = Capture::from_bytes(bytes).unwrap();
    let lines: Vec<String> = capture.by_ref().map(|r| line(&r)).collect();
    assert_eq!(
        lines,
        [
            "#4 > bind_transceiver 1 @0",
            "#5 < bind_transceiver_resp 1 @0"
        ]
    );
    assert_eq!(capture.summary().notes[0].kind, NoteKind::CutOff);
}
