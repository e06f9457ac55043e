//! Unit tests of the pcap writer: the file layout read back by a minimal pcap reader, and every
//! frame's IP/TCP headers and checksums re-checked with etherparse.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::Duration;

use etherparse::{NetHeaders, PacketHeaders, TcpHeader, TransportHeader};

use super::*;

/// One record of a legacy pcap file.
struct Record {
    secs: u32,
    micros: u32,
    frame: Vec<u8>,
}

/// A minimal little-endian legacy pcap reader: checks the global header and the record lengths.
fn read_pcap(bytes: &[u8]) -> Vec<Record> {
    let le32 = |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let le16 = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
    assert!(bytes.len() >= 24, "no global header");
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "magic (LE, microseconds)"
    );
    assert_eq!(le16(bytes, 4), 2, "version major");
    assert_eq!(le16(bytes, 6), 4, "version minor");
    assert_eq!(le32(bytes, 8), 0, "thiszone");
    assert_eq!(le32(bytes, 12), 0, "sigfigs");
    let snaplen = le32(bytes, 16);
    assert_eq!(snaplen, DEFAULT_SNAPLEN);
    assert_eq!(le32(bytes, 20), LINKTYPE_ETHERNET);
    let mut records = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        assert!(at + 16 <= bytes.len(), "truncated record header at {at}");
        let (secs, micros) = (le32(bytes, at), le32(bytes, at + 4));
        let (incl, orig) = (le32(bytes, at + 8) as usize, le32(bytes, at + 12) as usize);
        assert!(micros < 1_000_000, "microseconds field out of range");
        assert_eq!(incl, orig, "frames are never truncated");
        assert!(incl <= snaplen as usize);
        assert!(
            at + 16 + incl <= bytes.len(),
            "truncated record body at {at}"
        );
        records.push(Record {
            secs,
            micros,
            frame: bytes[at + 16..at + 16 + incl].to_vec(),
        });
        at += 16 + incl;
    }
    assert_eq!(at, bytes.len(), "trailing octets after the last record");
    records
}

/// A decoded frame, its checksums verified.
#[derive(Debug)]
struct Seen {
    src: SocketAddr,
    dst: SocketAddr,
    tcp: TcpHeader,
    payload: Vec<u8>,
}

fn decode_frame(frame: &[u8]) -> Seen {
    let headers = PacketHeaders::from_ethernet_slice(frame).expect("parsable frame");
    let payload = headers.payload.slice().to_vec();
    let Some(TransportHeader::Tcp(tcp)) = headers.transport else {
        panic!("not TCP");
    };
    let (src_ip, dst_ip, checksum) = match headers.net {
        Some(NetHeaders::Ipv4(ip, _)) => {
            assert_eq!(
                ip.header_checksum,
                ip.calc_header_checksum(),
                "IPv4 checksum"
            );
            let sum = tcp.calc_checksum_ipv4(&ip, &payload).expect("sum");
            (
                Ipv4Addr::from(ip.source).into(),
                Ipv4Addr::from(ip.destination).into(),
                sum,
            )
        }
        Some(NetHeaders::Ipv6(ip, _)) => {
            let sum = tcp.calc_checksum_ipv6(&ip, &payload).expect("sum");
            (
                Ipv6Addr::from(ip.source).into(),
                Ipv6Addr::from(ip.destination).into(),
                sum,
            )
        }
        other => panic!("unexpected network header {other:?}"),
    };
    assert_eq!(tcp.checksum, checksum, "TCP checksum");
    let src = SocketAddr::new(src_ip, tcp.source_port);
    let dst = SocketAddr::new(dst_ip, tcp.destination_port);
    Seen {
        src,
        dst,
        tcp,
        payload,
    }
}

fn v4(last: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, last), port)
}

const T0: Duration = Duration::from_secs(1_700_000_000);

#[test]
fn conversation_reads_back_with_valid_checksums_and_sequence_numbers() {
    let (client, server) = (v4(1, 40_000), v4(2, 2775));
    let mut pcap = PcapWriter::new(Vec::new()).expect("header");
    let mut conn = TcpConversation::new(client, server)
        .expect("same family")
        .with_isn(0xffff_fff0, 7)
        .with_mss(10)
        .expect("mss");
    conn.handshake(&mut pcap, T0).expect("handshake");
    let request: Vec<u8> = (0u8..25).collect(); // 3 segments: 10 + 10 + 5, seq wraps past 2^32
    conn.client_sends(&mut pcap, &request, T0 + Duration::from_micros(1_500))
        .expect("send");
    conn.server_sends(&mut pcap, b"reply", T0 + Duration::from_millis(2))
        .expect("send");
    conn.client_sends(&mut pcap, &[], T0)
        .expect("empty send writes nothing");
    conn.finish(&mut pcap, T0 + Duration::from_secs(1))
        .expect("finish");
    assert_eq!(pcap.frames_written(), 3 + 3 + 1 + 3);
    let records = read_pcap(&pcap.into_inner());
    assert_eq!(records.len(), 10);
    assert_eq!((records[3].secs, records[3].micros), (1_700_000_000, 1_500));
    assert_eq!((records[9].secs, records[9].micros), (1_700_000_001, 0));

    let seen: Vec<Seen> = records.iter().map(|r| decode_frame(&r.frame)).collect();
    let (c, s): (SocketAddr, SocketAddr) = (client.into(), server.into());
    // (from client?, seq, ack, syn, fin, psh, payload length)
    type Expect = (bool, u32, Option<u32>, bool, bool, bool, usize);
    let expected: [Expect; 10] = [
        (true, 0xffff_fff0, None, true, false, false, 0),
        (false, 7, Some(0xffff_fff1), true, false, false, 0),
        (true, 0xffff_fff1, Some(8), false, false, false, 0),
        (true, 0xffff_fff1, Some(8), false, false, false, 10),
        (true, 0xffff_fffb, Some(8), false, false, false, 10),
        (true, 0x0000_0005, Some(8), false, false, true, 5),
        (false, 8, Some(0x0000_000a), false, false, true, 5),
        (true, 0x0000_000a, Some(13), false, true, false, 0),
        (false, 13, Some(0x0000_000b), false, true, false, 0),
        (true, 0x0000_000b, Some(14), false, false, false, 0),
    ];
    for (i, (frame, want)) in seen.iter().zip(expected).enumerate() {
        let (from_client, seq, ack, syn, fin, psh, len) = want;
        let (src, dst) = if from_client { (c, s) } else { (s, c) };
        assert_eq!((frame.src, frame.dst), (src, dst), "frame {i} endpoints");
        assert_eq!(frame.tcp.sequence_number, seq, "frame {i} seq");
        assert_eq!(frame.tcp.ack, ack.is_some(), "frame {i} ACK flag");
        assert_eq!(
            frame.tcp.acknowledgment_number,
            ack.unwrap_or(0),
            "frame {i} ack"
        );
        assert_eq!(
            (frame.tcp.syn, frame.tcp.fin, frame.tcp.psh, frame.tcp.rst),
            (syn, fin, psh, false),
            "frame {i} flags"
        );
        assert_eq!(frame.payload.len(), len, "frame {i} payload length");
        assert_eq!(frame.tcp.window_size, TcpConversation::DEFAULT_WINDOW);
    }
    let mss_options: Vec<_> = seen[0].tcp.options_iterator().collect();
    assert_eq!(
        mss_options,
        vec![Ok(etherparse::TcpOptionElement::MaximumSegmentSize(10))]
    );
    let data: Vec<u8> = seen[3..6].iter().flat_map(|f| f.payload.clone()).collect();
    assert_eq!(data, request);
    assert_eq!(seen[6].payload, b"reply");
}

#[test]
fn hand_made_segments_out_of_order_and_retransmitted() {
    let mut pcap = PcapWriter::new(Vec::new()).expect("header");
    let mut conn = TcpConversation::new(v4(1, 40_001), v4(2, 2775)).expect("conn");
    let first = conn.next_seq(Direction::ClientToServer);
    let a = conn.segment(Direction::ClientToServer, 0, b"abc");
    let b = conn.segment(Direction::ClientToServer, 3, b"def");
    pcap.write_segment(T0, &b).expect("b");
    pcap.write_segment(T0, &a).expect("a");
    pcap.write_segment(T0, &a).expect("retransmission");
    conn.advance(Direction::ClientToServer, 6);
    conn.ack(&mut pcap, Direction::ServerToClient, T0)
        .expect("ack");
    let rst = TcpSegment {
        flags: TcpFlags::RST,
        ack: None,
        ..conn.segment(Direction::ServerToClient, 0, &[])
    };
    pcap.write_segment(T0, &rst).expect("rst");
    let seen: Vec<Seen> = read_pcap(&pcap.into_inner())
        .iter()
        .map(|r| decode_frame(&r.frame))
        .collect();
    let seqs: Vec<u32> = seen.iter().map(|f| f.tcp.sequence_number).collect();
    let srv = TcpConversation::DEFAULT_SERVER_ISN.wrapping_add(1);
    assert_eq!(seqs, [first + 3, first, first, srv, srv]);
    assert_eq!(seen[3].tcp.acknowledgment_number, first + 6);
    assert!(seen[3].payload.is_empty() && !seen[3].tcp.psh);
    assert!(seen[4].tcp.rst && !seen[4].tcp.ack);
}

#[test]
fn ipv6_frames_have_valid_tcp_checksums() {
    let client = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 40_000, 0, 0);
    let server = SocketAddrV6::new(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2), 2775, 0, 0);
    let mut pcap = PcapWriter::new(Vec::new()).expect("header");
    let mut conn = TcpConversation::new(client, server).expect("conn");
    conn.handshake(&mut pcap, T0).expect("handshake");
    conn.client_sends(&mut pcap, b"hello", T0).expect("send");
    let seen: Vec<Seen> = read_pcap(&pcap.into_inner())
        .iter()
        .map(|r| decode_frame(&r.frame))
        .collect();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3].src, SocketAddr::from(client));
    assert_eq!(seen[3].payload, b"hello");
    assert_eq!(
        mac_for(std::net::IpAddr::from(*server.ip()))[2..],
        [0, 0, 0, 2]
    );
}

#[test]
fn errors_are_reported_not_panicked() {
    let mut pcap = PcapWriter::new(Vec::new()).expect("header");
    let too_late = Duration::from_secs(u64::from(u32::MAX) + 1);
    assert!(matches!(
        pcap.write_frame(too_late, &[0; 14]),
        Err(PcapError::TimestampOutOfRange(_))
    ));
    let huge = vec![0u8; DEFAULT_SNAPLEN as usize + 1];
    assert!(matches!(
        pcap.write_frame(T0, &huge),
        Err(PcapError::FrameTooLarge { .. })
    ));
    let v6 = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 1, 0, 0);
    assert!(matches!(
        TcpConversation::new(v4(1, 1), v6),
        Err(PcapError::MixedAddressFamilies { .. })
    ));
    let conn = TcpConversation::new(v4(1, 1), v4(2, 2)).expect("conn");
    assert!(matches!(conn.with_mss(0), Err(PcapError::InvalidMss)));
    let oversized = vec![0u8; 70_000];
    let segment = TcpSegment {
        src: v4(1, 1).into(),
        dst: v4(2, 2).into(),
        seq: 0,
        ack: None,
        flags: TcpFlags::NONE,
        window: 0,
        mss_option: None,
        payload: &oversized,
    };
    assert!(matches!(
        pcap.write_segment(T0, &segment),
        Err(PcapError::Build(_))
    ));
    assert_eq!(pcap.frames_written(), 0);
    assert_eq!(
        pcap.get_ref().len(),
        24,
        "failed writes leave no partial record"
    );
}
