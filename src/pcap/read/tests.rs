//! Tests of the capture reader on captures made with the writer.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use bytes::Bytes;

use super::*;
use crate::pcap::convert::{Format, Link, Rewrite};
use crate::pcap::{Direction, PcapWriter, TcpConversation, TcpFlags, TcpSegment};
use crate::{Bind, BindResp, Command, CommandStatus, Outbind, Pdu, SubmitSm, SubmitSmResp};

const T0: Duration = Duration::from_secs(1_700_000_000);

fn ms(n: u64) -> Duration {
    T0 + Duration::from_millis(n)
}

fn esme() -> SocketAddr {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40_000).into()
}

fn smsc() -> SocketAddr {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 2775).into()
}

fn bind(seq: u32) -> Bytes {
    Command::new(
        seq,
        Pdu::BindTransmitter(Bind {
            system_id: "esme".try_into().unwrap(),
            password: "secret".try_into().unwrap(),
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
        Pdu::BindTransmitterResp(Some(BindResp {
            system_id: "smsc".try_into().unwrap(),
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
            message_id: format!("id{seq}").as_str().try_into().unwrap(),
            ..Default::default()
        })),
    )
    .to_bytes()
}

fn enquire(seq: u32) -> Bytes {
    Command::new(seq, Pdu::EnquireLink).to_bytes()
}

fn read(bytes: Vec<u8>) -> (Vec<Record>, Capture<std::io::Cursor<Bytes>>) {
    read_with(bytes, ReadOptions::default())
}

fn read_with(bytes: Vec<u8>, opts: ReadOptions) -> (Vec<Record>, Capture<std::io::Cursor<Bytes>>) {
    let mut capture = Capture::from_bytes_with(bytes, opts).unwrap();
    let records: Vec<Record> = capture.by_ref().collect();
    (records, capture)
}

fn pdus(records: &[Record]) -> Vec<&CapturedPdu> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Pdu(p) => Some(p),
            Record::Problem(_) => None,
        })
        .collect()
}

/// One line per record: `>` ESME→SMSC, `<` SMSC→ESME, command or problem, offset, gap flag.
fn outline(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let arrow = match r.direction() {
                SmppDirection::EsmeToSmsc => '>',
                SmppDirection::SmscToEsme => '<',
            };
            match r {
                Record::Pdu(p) => {
                    let h = p.header();
                    format!(
                        "{}{arrow} {} seq={} @{}{}",
                        p.conn,
                        h.command_id.name().unwrap_or("?"),
                        h.sequence_number,
                        p.stream_offset,
                        if p.gap_before { " gap_before" } else { "" }
                    )
                }
                Record::Problem(p) => {
                    format!("{}{arrow} !{} @{}", p.conn, p.kind.name(), p.stream_offset)
                }
            }
        })
        .collect()
}

/// A clean session: bind, submit, enquire_link and their responses, then FIN.
fn clean_session(mss: u16) -> Vec<u8> {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc())
        .unwrap()
        .with_mss(mss)
        .unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind_resp(1), ms(2)).unwrap();
    c.client_sends(
        &mut pcap,
        &[submit(2, "Hello"), enquire(3)].concat(),
        ms(10),
    )
    .unwrap();
    c.server_sends(&mut pcap, &submit_resp(2), ms(15)).unwrap();
    c.server_sends(
        &mut pcap,
        &Command::response(CommandStatus::ESME_ROK, 3, Pdu::EnquireLinkResp).to_bytes(),
        ms(16),
    )
    .unwrap();
    c.finish(&mut pcap, ms(20)).unwrap();
    pcap.into_inner()
}

#[test]
fn clean_session_in_every_format_and_link_type() {
    let legacy = clean_session(1460);
    let expected = [
        "0> bind_transmitter seq=1 @0",
        "0< bind_transmitter_resp seq=1 @0",
        "0> submit_sm seq=2 @",
        "0> enquire_link seq=3 @",
        "0< submit_sm_resp seq=2 @",
        "0< enquire_link_resp seq=3 @",
    ];
    let formats = [
        Format::Pcap {
            big_endian: false,
            nanoseconds: false,
        },
        Format::Pcap {
            big_endian: true,
            nanoseconds: false,
        },
        Format::Pcap {
            big_endian: true,
            nanoseconds: true,
        },
        Format::Pcap {
            big_endian: false,
            nanoseconds: true,
        },
        Format::PcapNg,
    ];
    let links = [
        Link::Ethernet,
        Link::Vlan(42),
        Link::QinQ {
            outer: 100,
            inner: 42,
        },
        Link::LinuxSll,
        Link::LinuxSll2,
        Link::Raw,
        Link::Ipv4,
        Link::Null,
        Link::Loop,
    ];
    for format in formats {
        for link in links {
            let bytes = Rewrite {
                link,
                format,
                snaplen: None,
            }
            .apply(&legacy)
            .unwrap();
            let (records, capture) = read(bytes);
            let lines = outline(&records);
            assert_eq!(
                lines.len(),
                expected.len(),
                "{format:?} {link:?}: {lines:?}"
            );
            for (line, want) in lines.iter().zip(expected) {
                assert!(
                    line.starts_with(want),
                    "{format:?} {link:?}: {line} vs {want}"
                );
            }
            let p = pdus(&records);
            assert_eq!(p[0].ts, ms(1), "{format:?} {link:?}");
            assert_eq!(p[5].ts, ms(16));
            assert_eq!(
                p[0].key,
                ConnKey {
                    src: esme(),
                    dst: smsc()
                }
            );
            assert_eq!(
                p[1].key,
                ConnKey {
                    src: smsc(),
                    dst: esme()
                }
            );
            let conns = capture.connections();
            assert_eq!(conns.len(), 1);
            let c = &conns[0];
            assert_eq!((c.esme, c.smsc, c.end), (esme(), smsc(), ConnEnd::Fin));
            assert_eq!(c.client, Some(esme()));
            assert_eq!(
                c.direction_basis,
                DirectionBasis::Pdu(CommandId::BIND_TRANSMITTER)
            );
            assert_eq!((c.esme_to_smsc.pdus, c.smsc_to_esme.pdus), (3, 3));
            let s = capture.summary();
            assert_eq!(s.records, 11);
            assert!(s.notes.is_empty(), "{:?}", s.notes);
            assert!(!s.stopped_early);
        }
    }
}

#[test]
fn header_split_across_segments_carries_both_time_stamps() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let c = TcpConversation::new(esme(), smsc()).unwrap();
    let pdu = submit(7, "split");
    // Three segments: 5 octets of the header, the rest of the header, the body.
    for (i, (from, to)) in [(0, 5), (5, 16), (16, pdu.len())].into_iter().enumerate() {
        let seg = c.segment(Direction::ClientToServer, from as u32, &pdu[from..to]);
        pcap.write_segment(ms(i as u64), &seg).unwrap();
    }
    let (records, _) = read(pcap.into_inner());
    let p = pdus(&records);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].first_ts, p[0].ts), (ms(0), ms(2)));
    assert_eq!((p[0].first_frame_number, p[0].frame_number), (1, 3));
    assert_eq!(p[0].frame, pdu);
    assert!(!p[0].gap_before);
}

#[test]
fn out_of_order_retransmission_and_overlap() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let stream = [bind(1), submit(2, "abc"), submit(3, "def")].concat();
    let d = Direction::ClientToServer;
    let seg = |from: usize, to: usize| c.segment(d, from as u32, &stream[from..to]);
    let n = stream.len();
    // 20..40 first, then 0..25 (overlapping), 0..20 again (retransmission), 40..n.
    pcap.write_segment(ms(1), &seg(20, 40)).unwrap();
    pcap.write_segment(ms(2), &seg(0, 25)).unwrap();
    pcap.write_segment(ms(3), &seg(0, 20)).unwrap();
    // An overlap that disagrees: the first copy wins.
    let mut bad = stream[35..45].to_vec();
    bad[0] ^= 0xff;
    pcap.write_segment(ms(4), &c.segment(d, 35, &bad)).unwrap();
    pcap.write_segment(ms(5), &seg(40, n)).unwrap();
    let (records, capture) = read(pcap.into_inner());
    assert_eq!(
        outline(&records)
            .iter()
            .map(|l| l.split(" @").next().unwrap().to_owned())
            .collect::<Vec<_>>(),
        [
            "0> bind_transmitter seq=1",
            "0> submit_sm seq=2",
            "0> submit_sm seq=3"
        ]
    );
    let got: Vec<u8> = pdus(&records)
        .iter()
        .flat_map(|p| p.frame.to_vec())
        .collect();
    assert_eq!(got, stream);
    let tcp = capture.connections()[0].esme_to_smsc.tcp;
    assert_eq!(tcp.out_of_order, 1);
    assert_eq!(tcp.retransmissions, 1);
    // 0..25 over the buffered 20..40, the bad 35..45 and 40..n over what was delivered.
    assert_eq!(tcp.overlaps, 3);
    assert_eq!(tcp.conflicts, 1);
    assert_eq!(tcp.gaps, 0);
}

#[test]
fn gap_then_resync_at_the_next_header() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let stream = [bind(1), submit(2, "lost"), submit(3, "kept")].concat();
    let d = Direction::ClientToServer;
    let b = bind(1).len();
    // The segment holding the middle of submit 2 is never captured.
    pcap.write_segment(ms(1), &c.segment(d, 0, &stream[..b + 10]))
        .unwrap();
    pcap.write_segment(ms(2), &c.segment(d, (b + 20) as u32, &stream[b + 20..]))
        .unwrap();
    c.advance(d, stream.len() as u32);
    c.finish(&mut pcap, ms(3)).unwrap();
    let (records, capture) = read(pcap.into_inner());
    let s2 = b + submit(2, "lost").len();
    assert_eq!(
        outline(&records),
        [
            "0> bind_transmitter seq=1 @0".to_owned(),
            format!("0> !incomplete @{b}"),
            format!("0> !gap @{}", b + 10),
            format!("0> !skipped @{}", b + 20),
            format!("0> submit_sm seq=3 @{s2} gap_before"),
        ]
    );
    let Record::Problem(gap) = &records[2] else {
        panic!()
    };
    assert_eq!(gap.kind, ProblemKind::Gap { missing: 10 });
    let Record::Problem(skip) = &records[3] else {
        panic!()
    };
    assert_eq!(skip.octets[..], stream[b + 20..s2]);
    let tcp = capture.connections()[0].esme_to_smsc.tcp;
    assert_eq!((tcp.gaps, tcp.missing_octets), (1, 10));
}

#[test]
fn too_much_buffered_beyond_a_hole_gives_it_up() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let d = Direction::ClientToServer;
    let e = enquire(1);
    // The first enquire_link is lost; 4 more follow.
    for i in 1..5u32 {
        let pdu = enquire(i + 1);
        pcap.write_segment(ms(u64::from(i)), &c.segment(d, 16 * i, &pdu))
            .unwrap();
    }
    let _ = e;
    let opts = ReadOptions::default().with_max_buffered(40);
    let (records, _) = read_with(pcap.into_inner(), opts);
    // The hole is given up as soon as 48 octets wait beyond it (before the end of the capture).
    let lines = outline(&records);
    assert_eq!(
        lines,
        [
            "0> !gap @0",
            "0> enquire_link seq=2 @16 gap_before",
            "0> enquire_link seq=3 @32",
            "0> enquire_link seq=4 @48",
            "0> enquire_link seq=5 @64",
        ]
    );
    // A PDU's time stamp is that of the segment holding its last octet, not of its release.
    let Record::Pdu(p) = &records[1] else {
        panic!()
    };
    assert_eq!((p.ts, p.frame_number), (ms(1), 4));
}

#[test]
fn capture_cut_off_mid_pdu_and_mid_record() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let s = submit(2, "cut");
    c.client_sends(&mut pcap, &[enquire(1), s.slice(..20)].concat(), ms(1))
        .unwrap();
    let mut bytes = pcap.into_inner();
    let (records, capture) = read(bytes.clone());
    assert_eq!(
        outline(&records),
        ["0> enquire_link seq=1 @0", "0> !incomplete @16"]
    );
    let Record::Problem(p) = &records[1] else {
        panic!()
    };
    assert_eq!(
        p.kind,
        ProblemKind::Incomplete {
            command_length: Some(s.len() as u32),
            available: 20,
            cut_by: Cut::End
        }
    );
    assert_eq!(capture.connections()[0].end, ConnEnd::EndOfCapture);
    // The file itself cut in the middle of the last record.
    bytes.truncate(bytes.len() - 10);
    let (records, capture) = read(bytes);
    assert!(records.is_empty(), "{records:?}");
    assert_eq!(capture.summary().notes[0].kind, NoteKind::CutOff);
    assert!(capture.summary().stopped_early);
}

#[test]
fn snaplen_truncation_leaves_a_gap() {
    let legacy = clean_session(1460);
    let bytes = Rewrite {
        snaplen: Some(80),
        ..Default::default()
    }
    .apply(&legacy)
    .unwrap();
    let (records, capture) = read(bytes);
    // Ethernet 14 + IPv4 20 + TCP 20 = 54: 26 octets of each payload are kept.
    let lines = outline(&records);
    assert!(lines.contains(&"0> !incomplete @0".to_owned()), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("0> !gap @26")),
        "{lines:?}"
    );
    assert!(
        capture
            .summary()
            .notes
            .iter()
            .any(|n| matches!(n.kind, NoteKind::Truncated { .. }))
    );
    assert!(capture.summary().truncated_records > 0);
}

#[test]
fn outbind_makes_the_connecting_side_the_smsc() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    // The SMSC (10.0.0.2:50000) connects to the ESME's port 2775.
    let smsc_addr: SocketAddr = "10.0.0.2:50000".parse().unwrap();
    let esme_addr: SocketAddr = "10.0.0.1:2775".parse().unwrap();
    let mut c = TcpConversation::new(smsc_addr, esme_addr).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let outbind = Command::new(
        1,
        Outbind {
            system_id: "smsc".try_into().unwrap(),
            ..Default::default()
        },
    )
    .to_bytes();
    c.client_sends(&mut pcap, &outbind, ms(1)).unwrap();
    c.server_sends(&mut pcap, &bind(1), ms(2)).unwrap();
    let (records, capture) = read(pcap.into_inner());
    assert_eq!(
        outline(&records),
        ["0< outbind seq=1 @0", "0> bind_transmitter seq=1 @0"]
    );
    let conn = &capture.connections()[0];
    assert_eq!((conn.esme, conn.smsc), (esme_addr, smsc_addr));
    assert_eq!(conn.client, Some(smsc_addr));
}

#[test]
fn other_ports_need_the_heuristic() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let a: SocketAddr = "10.0.0.1:40000".parse().unwrap();
    let b: SocketAddr = "10.0.0.2:9000".parse().unwrap();
    let mut c = TcpConversation::new(a, b).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(&mut pcap, &enquire(1), ms(1)).unwrap();
    // Another connection on port 9001 carrying HTTP.
    let mut h = TcpConversation::new(a, "10.0.0.2:9001".parse::<SocketAddr>().unwrap()).unwrap();
    h.handshake(&mut pcap, ms(2)).unwrap();
    h.client_sends(&mut pcap, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", ms(3))
        .unwrap();
    let bytes = pcap.into_inner();
    let (records, capture) = read(bytes.clone());
    assert!(records.is_empty());
    assert_eq!(capture.summary().other_tcp_segments, 8);
    for opts in [
        ReadOptions::default().with_port(0),
        ReadOptions::default().with_any_port(true),
        ReadOptions::default().with_port(9000),
    ] {
        let (records, capture) = read_with(bytes.clone(), opts);
        assert_eq!(outline(&records), ["0> enquire_link seq=1 @0"], "{opts:?}");
        let conns = capture.connections();
        assert_eq!(conns.len(), 1);
        let expected = if opts.port == 9000 {
            Detection::Port
        } else {
            Detection::Heuristic
        };
        assert_eq!(conns[0].detected_by, expected);
        assert_eq!(conns[0].direction_basis, DirectionBasis::Syn);
    }
}

#[test]
fn mid_stream_start_without_syn() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let c = TcpConversation::new(esme(), smsc()).unwrap();
    let s = submit(5, "tail");
    let stream = [s.slice(10..), enquire(6)].concat();
    pcap.write_segment(ms(1), &c.segment(Direction::ClientToServer, 0, &stream))
        .unwrap();
    let (records, capture) = read(pcap.into_inner());
    let skipped = s.len() - 10;
    assert_eq!(
        outline(&records),
        [
            "0> !skipped @0".to_owned(),
            format!("0> enquire_link seq=6 @{skipped} gap_before")
        ]
    );
    let Record::Problem(p) = &records[0] else {
        panic!()
    };
    assert!(matches!(
        p.kind,
        ProblemKind::Skipped {
            cause: SkipCause::StreamStart,
            ..
        }
    ));
    // No SYN, no telling PDU: the side not on port 2775 is the ESME.
    assert_eq!(
        capture.connections()[0].direction_basis,
        DirectionBasis::Port
    );
}

#[test]
fn rst_ends_and_a_new_syn_replaces_a_connection() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(
        &mut pcap,
        &[enquire(1), enquire(2).slice(..4)].concat(),
        ms(1),
    )
    .unwrap();
    let rst = TcpSegment {
        flags: TcpFlags::RST,
        ..c.segment(Direction::ServerToClient, 0, &[])
    };
    pcap.write_segment(ms(2), &rst).unwrap();
    // Same addresses and ports, another ISN.
    let mut again = TcpConversation::new(esme(), smsc()).unwrap().with_isn(5, 6);
    again.handshake(&mut pcap, ms(3)).unwrap();
    again.client_sends(&mut pcap, &enquire(9), ms(4)).unwrap();
    let (records, capture) = read(pcap.into_inner());
    assert_eq!(
        outline(&records),
        [
            "0> enquire_link seq=1 @0",
            "0> !incomplete @16",
            "1> enquire_link seq=9 @0"
        ]
    );
    let conns = capture.connections();
    assert_eq!(
        conns.iter().map(|c| c.end).collect::<Vec<_>>(),
        [ConnEnd::Rst, ConnEnd::EndOfCapture]
    );
}

#[test]
fn sequence_numbers_wrap_around() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc())
        .unwrap()
        .with_isn(u32::MAX - 20, 7)
        .with_mss(7)
        .unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    c.client_sends(
        &mut pcap,
        &[enquire(1), enquire(2), enquire(3)].concat(),
        ms(1),
    )
    .unwrap();
    let (records, _) = read(pcap.into_inner());
    assert_eq!(
        outline(&records),
        [
            "0> enquire_link seq=1 @0",
            "0> enquire_link seq=2 @16",
            "0> enquire_link seq=3 @32"
        ]
    );
}

#[test]
fn ipv6_and_sessions_for_the_replayer() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let a: SocketAddr = "[2001:db8::1]:40000".parse().unwrap();
    let b: SocketAddr = "[2001:db8::2]:2775".parse().unwrap();
    let mut c1 = TcpConversation::new(a, b).unwrap();
    let mut c2 = TcpConversation::new(esme(), smsc()).unwrap();
    c1.handshake(&mut pcap, ms(0)).unwrap();
    c2.handshake(&mut pcap, ms(0)).unwrap();
    c1.client_sends(&mut pcap, &bind(1), ms(1)).unwrap();
    c2.client_sends(&mut pcap, &bind(1), ms(2)).unwrap();
    c1.server_sends(&mut pcap, &bind_resp(1), ms(3)).unwrap();
    c2.server_sends(&mut pcap, &bind_resp(1), ms(4)).unwrap();
    c1.client_sends(&mut pcap, &submit(2, "v6"), ms(5)).unwrap();
    let capture = Capture::from_bytes(pcap.into_inner()).unwrap();
    let (sessions, summary) = capture.sessions();
    assert_eq!(summary.records, 6 + 5);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].summary.esme, a);
    let sent: Vec<u32> = sessions[0]
        .pdus(SmppDirection::EsmeToSmsc)
        .map(|p| p.header().sequence_number)
        .collect();
    assert_eq!(sent, [1, 2]);
    assert_eq!(sessions[0].pdus(SmppDirection::SmscToEsme).count(), 1);
    assert_eq!(sessions[1].records.len(), 2);
    assert!(!sessions[0].has_problems());
    let ts: Vec<Duration> = sessions[0].records.iter().map(Record::ts).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn bad_command_length_is_skipped() {
    let mut pcap = PcapWriter::new(Vec::new()).unwrap();
    let mut c = TcpConversation::new(esme(), smsc()).unwrap();
    c.handshake(&mut pcap, ms(0)).unwrap();
    let stream = [&[0u8, 0, 0, 4, 1, 2, 3][..], &enquire(1)].concat();
    c.client_sends(&mut pcap, &stream, ms(1)).unwrap();
    let (records, _) = read(pcap.into_inner());
    assert_eq!(
        outline(&records),
        [
            "0> !bad_command_length @0",
            "0> enquire_link seq=1 @7 gap_before"
        ]
    );
    let Record::Problem(p) = &records[0] else {
        panic!()
    };
    assert_eq!(p.octets.len(), 7);
    assert!(p.kind.decode_error(&p.octets).is_some());
}

#[test]
fn not_captures_and_garbage() {
    assert!(matches!(
        Capture::from_bytes(b"hello world".to_vec()),
        Err(ReadError::NotACapture(_))
    ));
    assert!(matches!(
        Capture::from_bytes(vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0]),
        Err(ReadError::Header(_))
    ));
    // A record claiming 4 GiB: no allocation, a note.
    let mut bytes = PcapWriter::new(Vec::new()).unwrap().into_inner();
    bytes.extend_from_slice(&[
        0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
    bytes.extend_from_slice(&[0; 100]);
    let (records, capture) = read(bytes);
    assert!(records.is_empty());
    assert!(capture.summary().stopped_early);
    assert!(!capture.summary().notes.is_empty());
}

#[test]
fn every_prefix_of_a_capture_reads_without_panic() {
    let legacy = clean_session(7);
    let ng = Rewrite {
        format: Format::PcapNg,
        link: Link::LinuxSll2,
        snaplen: None,
    }
    .apply(&legacy)
    .unwrap();
    for bytes in [&legacy, &ng] {
        for n in (0..bytes.len()).step_by(3) {
            if let Ok(capture) = Capture::from_bytes(bytes[..n].to_vec()) {
                let _ = capture.count();
            }
        }
    }
}

#[test]
fn timestamps() {
    assert_eq!(rfc3339(T0), "2023-11-14T22:13:20.000000Z");
    assert_eq!(
        rfc3339(Duration::new(951_782_400, 0)),
        "2000-02-29T00:00:00.000000Z"
    );
    assert_eq!(ts_resolution(6), Some(1_000_000));
    assert_eq!(ts_resolution(0x80 | 10), Some(1024));
    assert_eq!(ts_resolution(20), None);
    assert_eq!(ts_resolution(0xff), None);
    assert_eq!(
        ng_timestamp(1_500_000, 1_000_000, -1),
        Duration::from_millis(500)
    );
    assert_eq!(ng_timestamp(u64::MAX, 1, i64::MAX).as_secs(), u64::MAX);
}
