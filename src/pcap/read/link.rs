//! From one captured record to the TCP segment inside it: link layers, VLAN tags, IPv4/IPv6.
//!
//! [`etherparse`]'s lax slicing does the Ethernet, VLAN, Linux cooked (SLL), IP and TCP headers;
//! only the headers etherparse does not know (SLL2, BSD loopback) are stepped over here.

use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, LinuxSllProtocolType, TransportSlice};

/// `LINKTYPE_NULL`: BSD loopback, a 4-octet address family in the capturing host's byte order.
pub const LINKTYPE_NULL: u32 = 0;
/// `LINKTYPE_RAW`: raw IPv4 or IPv6, no link header.
pub const LINKTYPE_RAW: u32 = 101;
/// `DLT_RAW` as some systems number it in pcap files (12 on most BSDs, 14 on OpenBSD).
pub const LINKTYPE_RAW_BSD: [u32; 2] = [12, 14];
/// `LINKTYPE_LOOP`: OpenBSD loopback, a 4-octet address family in network byte order.
pub const LINKTYPE_LOOP: u32 = 108;
/// `LINKTYPE_LINUX_SLL`: Linux cooked capture v1 (16-octet header).
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// `LINKTYPE_IPV4`: raw IPv4.
pub const LINKTYPE_IPV4: u32 = 228;
/// `LINKTYPE_IPV6`: raw IPv6.
pub const LINKTYPE_IPV6: u32 = 229;
/// `LINKTYPE_LINUX_SLL2`: Linux cooked capture v2 (20-octet header, protocol type first).
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// Octets in a Linux cooked v2 header.
const SLL2_HEADER_LEN: usize = 20;
/// Octets in a BSD loopback (NULL/LOOP) header.
const LOOPBACK_HEADER_LEN: usize = 4;

/// Whether the reader knows how to find IP packets in records of `linktype`.
#[must_use]
pub fn is_supported_link_type(linktype: u32) -> bool {
    matches!(
        linktype,
        super::super::LINKTYPE_ETHERNET
            | LINKTYPE_NULL
            | LINKTYPE_RAW
            | 12
            | 14
            | LINKTYPE_LOOP
            | LINKTYPE_LINUX_SLL
            | LINKTYPE_IPV4
            | LINKTYPE_IPV6
            | LINKTYPE_LINUX_SLL2
    )
}

/// The TCP segment found in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    /// The acknowledgement number (meaningful when `ack` is set).
    pub ack_number: u32,
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    /// The payload octets that were captured.
    pub payload: &'a [u8],
    /// Payload octets the segment carried but the record does not hold (snapshot length).
    pub missing: u32,
}

/// Why a record holds no TCP segment to reassemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skip {
    /// Not IPv4 or IPv6 (ARP, another ether type, another address family).
    NotIp,
    /// IP, but not TCP.
    NotTcp,
    /// An IP fragment: the reader does not reassemble IP fragments.
    Fragment,
    /// The link, IP or TCP header is cut short or malformed.
    Malformed(String),
}

/// Finds the TCP segment in a record of `linktype` (which [`is_supported_link_type`] accepts).
pub(crate) fn parse(linktype: u32, data: &[u8], caplen_short_by: u32) -> Result<Segment<'_>, Skip> {
    let sliced = match linktype {
        super::super::LINKTYPE_ETHERNET => LaxSlicedPacket::from_ethernet(data)
            .map_err(|e| Skip::Malformed(format!("Ethernet: {e}")))?,
        LINKTYPE_LINUX_SLL => {
            let sll = etherparse::LinuxSllSlice::from_slice(data)
                .map_err(|e| Skip::Malformed(format!("Linux cooked header: {e}")))?;
            let rest = data.get(sll.header_slice().len()..).unwrap_or_default();
            match sll.protocol_type() {
                LinuxSllProtocolType::EtherType(et) => LaxSlicedPacket::from_ether_type(et, rest),
                _ => return Err(Skip::NotIp),
            }
        }
        LINKTYPE_LINUX_SLL2 => {
            // SLL2 (Linux cooked v2): protocol type (2, big-endian), reserved (2), interface
            // index (4), ARPHRD type (2), packet type (1), address length (1), address (8).
            let header = data.get(..SLL2_HEADER_LEN).ok_or_else(|| {
                Skip::Malformed(format!(
                    "Linux cooked v2 header needs {SLL2_HEADER_LEN} octets, the record has {}",
                    data.len()
                ))
            })?;
            let proto = u16::from_be_bytes([header[0], header[1]]);
            LaxSlicedPacket::from_ether_type(EtherType(proto), &data[SLL2_HEADER_LEN..])
        }
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            // The address family (AF_INET 2; AF_INET6 24, 28 or 30 depending on the system) is
            // not needed: the IP version nibble tells IPv4 from IPv6, anything else is not IP.
            let rest = data.get(LOOPBACK_HEADER_LEN..).ok_or_else(|| {
                Skip::Malformed(format!(
                    "loopback header needs {LOOPBACK_HEADER_LEN} octets, the record has {}",
                    data.len()
                ))
            })?;
            from_ip(rest)?
        }
        _ => from_ip(data)?,
    };
    segment(&sliced, caplen_short_by)
}

fn from_ip(data: &[u8]) -> Result<LaxSlicedPacket<'_>, Skip> {
    match data.first().map(|b| b >> 4) {
        Some(4 | 6) => {
            LaxSlicedPacket::from_ip(data).map_err(|e| Skip::Malformed(format!("IP header: {e}")))
        }
        _ => Err(Skip::NotIp),
    }
}

fn segment<'a>(p: &LaxSlicedPacket<'a>, caplen_short_by: u32) -> Result<Segment<'a>, Skip> {
    let (src, dst, payload) = match &p.net {
        Some(LaxNetSlice::Ipv4(v4)) => {
            let h = v4.header();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                v4.payload(),
            )
        }
        Some(LaxNetSlice::Ipv6(v6)) => {
            let h = v6.header();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                v6.payload(),
            )
        }
        Some(LaxNetSlice::Arp(_)) | None => {
            return Err(match &p.stop_err {
                Some((e, layer)) if p.net.is_none() && p.link.is_some() => {
                    Skip::Malformed(format!("{layer}: {e}"))
                }
                _ => Skip::NotIp,
            });
        }
    };
    if payload.fragmented {
        return Err(Skip::Fragment);
    }
    if payload.ip_number != etherparse::ip_number::TCP {
        return Err(Skip::NotTcp);
    }
    let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
        return Err(Skip::Malformed(match &p.stop_err {
            Some((e, layer)) => format!("{layer}: {e}"),
            None => "TCP header missing".to_owned(),
        }));
    };
    // A record cut by the snapshot length misses the end of the frame: the end of the payload.
    let missing = if payload.incomplete {
        caplen_short_by
    } else {
        0
    };
    Ok(Segment {
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack_number: tcp.acknowledgment_number(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcap::{TcpFlags, TcpSegment};
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

    fn ethernet_frame(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Vec<u8> {
        TcpSegment {
            src,
            dst,
            seq: 7,
            ack: Some(9),
            flags: TcpFlags::PSH,
            window: 100,
            mss_option: None,
            payload,
        }
        .to_frame()
        .unwrap()
    }

    fn v4() -> (SocketAddr, SocketAddr) {
        (
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40_000).into(),
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 2775).into(),
        )
    }

    #[test]
    fn every_link_type_finds_the_segment() {
        let (src, dst) = v4();
        let eth = ethernet_frame(src, dst, b"hello");
        let ip = &eth[14..];
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 10, 0, 0, 1, 0, 0, 0x08, 0x00];
        sll.extend_from_slice(ip);
        let mut sll2 = vec![
            0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 10, 0, 0, 1, 0, 0,
        ];
        sll2.extend_from_slice(ip);
        let mut null = 2u32.to_le_bytes().to_vec();
        null.extend_from_slice(ip);
        let mut vlan = eth[..12].to_vec();
        vlan.extend_from_slice(&[0x81, 0x00, 0x00, 0x2a]);
        vlan.extend_from_slice(&eth[12..]);
        for (lt, data) in [
            (1, &eth[..]),
            (1, &vlan[..]),
            (LINKTYPE_RAW, ip),
            (12, ip),
            (LINKTYPE_IPV4, ip),
            (LINKTYPE_LINUX_SLL, &sll[..]),
            (LINKTYPE_LINUX_SLL2, &sll2[..]),
            (LINKTYPE_NULL, &null[..]),
            (LINKTYPE_LOOP, &null[..]),
        ] {
            assert!(is_supported_link_type(lt));
            let seg = parse(lt, data, 0).unwrap_or_else(|e| panic!("link type {lt}: {e:?}"));
            assert_eq!((seg.src, seg.dst, seg.seq), (src, dst, 7), "link type {lt}");
            assert_eq!(seg.payload, b"hello", "link type {lt}");
            assert!(seg.ack && !seg.syn && !seg.fin && !seg.rst);
        }
    }

    #[test]
    fn ipv6_and_truncation() {
        let src = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 1, 0, 0).into();
        let dst = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 2775, 0, 0).into();
        let eth = ethernet_frame(src, dst, b"0123456789");
        let seg = parse(1, &eth, 0).unwrap();
        assert_eq!((seg.src, seg.payload), (src, &b"0123456789"[..]));
        let cut = &eth[..eth.len() - 4];
        let seg = parse(1, cut, 4).unwrap();
        assert_eq!((seg.payload, seg.missing), (&b"012345"[..], 4));
        assert_eq!(parse(LINKTYPE_IPV6, &eth[14..], 0).unwrap().dst, dst);
    }

    #[test]
    fn skips() {
        let (src, dst) = v4();
        let eth = ethernet_frame(src, dst, b"x");
        assert!(matches!(parse(1, &eth[..20], 0), Err(Skip::Malformed(_))));
        assert_eq!(parse(LINKTYPE_RAW, &[0x10; 40], 0), Err(Skip::NotIp));
        assert!(matches!(
            parse(LINKTYPE_NULL, &[2], 0),
            Err(Skip::Malformed(_))
        ));
        let mut arp = eth.clone();
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert!(parse(1, &arp, 0).is_err());
        let mut udp = eth[14..].to_vec();
        udp[9] = 17;
        assert_eq!(parse(LINKTYPE_RAW, &udp, 0), Err(Skip::NotTcp));
        let mut frag = eth[14..].to_vec();
        frag[6] = 0x20; // more fragments
        assert_eq!(parse(LINKTYPE_RAW, &frag, 0), Err(Skip::Fragment));
        for n in 0..eth.len() {
            let _ = parse(1, &eth[..n], 0);
            let _ = parse(LINKTYPE_LINUX_SLL2, &eth[..n], 0);
        }
    }
}
