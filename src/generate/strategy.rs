//! proptest strategies for every PDU, valid by construction and shrinking field by field.
//!
//! `*_any()` gives a whole [`Command`] of one command_id (header rules kept: sequence_number in
//! 1..=0x7FFFFFFF, ESME_ROK in requests, a body in every successful response and none where the spec
//! omits it on error); `*_body_any()` gives a body alone; [`command_any`] and [`pdu_any`] mix all
//! PDUs. Field types implement [`proptest::arbitrary::Arbitrary`], so `any::<COctetString<21>>()`
//! and friends work too.
//!
//! ```
//! use proptest::prelude::*;
//! use smpp::generate::strategy::submit_sm_any;
//! use smpp::Command;
//! proptest!(|(cmd in submit_sm_any())| {
//!     prop_assert_eq!(Command::decode(&cmd.to_bytes()).unwrap(), cmd);
//! });
//! ```

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::{CALLBACK_TAGS, SAR_TAGS, body_omitted_on_error, drop_response_body, single_tags};
use crate::pdu::*;
use crate::tlv::{NetworkErrorCode, Tlv, TlvTag, Tlvs};

/// Octets without NUL, `0..=max` of them: printable ASCII as a rule, any non-NUL octet now and then,
/// empty (a NULL field) often.
fn no_nul_octets(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => vec(0x20u8..0x7f, 0..=max),
        1 => vec(1u8..=255, 0..=max),
    ]
}

/// A C-Octet String of at most `MAX` octets with its NUL.
pub fn c_octet_any<const MAX: usize>() -> impl Strategy<Value = COctetString<MAX>> {
    no_nul_octets(COctetString::<MAX>::MAX_LEN)
        .prop_map(|v| COctetString::new(v).unwrap_or_default())
}

/// A C-Octet String of exactly its maximum length (the boundary a receiver must accept).
pub fn c_octet_full<const MAX: usize>() -> impl Strategy<Value = COctetString<MAX>> {
    vec(0x20u8..0x7f, COctetString::<MAX>::MAX_LEN)
        .prop_map(|v| COctetString::new(v).unwrap_or_default())
}

/// NULL or a valid `YYMMDDhhmmsstnnp` (§7.1.1), absolute (`+`/`-`) or relative (`R`).
pub fn smpp_time_any() -> impl Strategy<Value = SmppTime> {
    let time = (
        (0..=99u8, 1..=12u8, 1..=31u8),
        (0..=23u8, 0..=59u8, 0..=59u8),
        (0..=9u8, 0..=48u8, select(&['+', '-', 'R'][..])),
    )
        .prop_map(|((yy, mo, dd), (hh, mi, ss), (t, nn, p))| {
            let s = format!("{yy:02}{mo:02}{dd:02}{hh:02}{mi:02}{ss:02}{t}{nn:02}{p}");
            SmppTime::new(&s).unwrap_or_default()
        });
    prop_oneof![Just(SmppTime::empty()), time]
}

/// short_message: 0..=254 octets, the maximum included.
pub fn short_message_any() -> impl Strategy<Value = ShortMessage> {
    prop_oneof![
        4 => vec(any::<u8>(), 0..=160),
        1 => vec(any::<u8>(), 0..=ShortMessage::MAX_LEN),
        1 => vec(any::<u8>(), ShortMessage::MAX_LEN),
    ]
    .prop_map(|v| ShortMessage::new(v).unwrap_or_default())
}

/// A sequence_number in 1..=0x7FFFFFFF (§5.1.4), the bounds often.
pub fn sequence_number_any() -> impl Strategy<Value = u32> {
    prop_oneof![
        1 => Just(1),
        1 => Just(MAX_SEQUENCE_NUMBER),
        6 => 1..=MAX_SEQUENCE_NUMBER,
    ]
}

/// A command_status: a named one as a rule, any value (reserved, vendor) otherwise.
pub fn command_status_any() -> impl Strategy<Value = CommandStatus> {
    prop_oneof![
        3 => select(CommandStatus::ALL),
        1 => any::<u32>().prop_map(CommandStatus),
    ]
}

/// A command_id SMPP v3.4 does not define: reserved request and response ids, the vendor block,
/// SMPP 5.0 ids, the responses outbind and alert_notification lack, and any other value.
pub fn command_id_unknown() -> impl Strategy<Value = CommandId> {
    prop_oneof![
        select(
            &[
                0x0000_0000,
                0x0000_000A,
                0x0000_0014,
                0x0000_0111,
                0x0000_0112,
                0x0001_0200,
                0x0001_02FF,
                0x8000_000B,
                0x8000_0102,
                0x8000_0111,
                0x8001_0200,
                0xFFFF_FFFF,
            ][..]
        ),
        0x0000_0000u32..=0x0000_01FF,
        0x0001_0200u32..=0x0001_02FF,
        0x8000_0000u32..=0x8000_01FF,
        any::<u32>(),
    ]
    .prop_map(CommandId)
    .prop_filter("a v3.4 command_id", |id| !id.is_known())
}

/// A TLV tag v3.4 does not define: SMPP 5.0, vendor (0x1400-0x3FFF), reserved, or any other.
pub fn tlv_tag_unknown() -> impl Strategy<Value = TlvTag> {
    prop_oneof![
        select(
            &[
                0x0000u16, 0x0428, 0x0600, 0x0613, 0x1400, 0x3FFF, 0x8081, 0xFFFF
            ][..]
        ),
        0x1400u16..=0x3FFF,
        any::<u16>(),
    ]
    .prop_map(TlvTag)
    .prop_filter("a v3.4 tag", |t| t.name().is_none())
}

/// A TLV with an unknown tag and a short value; valid in any PDU with a body (§3.3: ignored).
pub fn tlv_unknown_any() -> impl Strategy<Value = Tlv> {
    (tlv_tag_unknown(), vec(any::<u8>(), 0..=16)).prop_map(|(tag, v)| Tlv::Other {
        tag,
        value: OctetString::new(v).unwrap_or_default(),
    })
}

/// A well-formed TLV with this known tag (an unknown-tag TLV when `tag` is not a v3.4 tag).
pub fn tlv_any(tag: TlvTag) -> BoxedStrategy<Tlv> {
    match crate::tlv::strategy_known(tag) {
        Some(s) => s,
        None => tlv_unknown_any().boxed(),
    }
}

/// The SAR triple (§5.3.2.22-24), segments numbered from 1.
fn sar_any() -> impl Strategy<Value = Vec<Tlv>> {
    (any::<u16>(), 1..=255u8)
        .prop_flat_map(|(r, total)| (Just(r), Just(total), 1..=total))
        .prop_map(|(r, total, seq)| {
            vec![
                Tlv::SarMsgRefNum(r),
                Tlv::SarTotalSegments(total),
                Tlv::SarSegmentSeqnum(seq),
            ]
        })
}

/// callback_num once or twice, with callback_num_pres_ind and callback_num_atag as many times
/// when `pres` / `atag` (T 4-10).
fn callback_any(pres: bool, atag: bool) -> impl Strategy<Value = Vec<Tlv>> {
    let one = (
        any::<OctetString<4, 19>>(),
        any::<u8>(),
        any::<OctetString<0, 65>>(),
    );
    (vec(one, 1..=2), any::<bool>(), any::<bool>()).prop_map(move |(v, p, a)| {
        let mut out = Vec::new();
        for (num, pi, at) in v {
            out.push(Tlv::CallbackNum(num));
            if pres && p {
                out.push(Tlv::CallbackNumPresInd(pi));
            }
            if atag && a {
                out.push(Tlv::CallbackNumAtag(at));
            }
        }
        out
    })
}

/// TLVs valid in a PDU that allows `allowed` (a body's `ALLOWED_TLVS`): allowed known tags with
/// well-formed values and unknown tags, in any order; the SAR triple whole; callback_num_pres_ind
/// and callback_num_atag only beside callback_num. Never a known tag `allowed` lacks.
pub fn tlvs_any(allowed: &[TlvTag]) -> BoxedStrategy<Tlvs> {
    tlvs_with(allowed, true)
}

/// [`tlvs_any`], without message_payload unless `payload`.
fn tlvs_with(allowed: &[TlvTag], payload: bool) -> BoxedStrategy<Tlvs> {
    let single = single_tags(allowed, payload);
    let one: BoxedStrategy<Tlv> = if single.is_empty() {
        tlv_unknown_any().boxed()
    } else {
        let known = select(single).prop_flat_map(tlv_any);
        prop_oneof![3 => known, 1 => tlv_unknown_any()].boxed()
    };
    let sar = if SAR_TAGS.iter().all(|t| allowed.contains(t)) {
        prop_oneof![3 => Just(Vec::new()), 1 => sar_any()].boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let callback = if allowed.contains(&TlvTag::CALLBACK_NUM) {
        let pres = allowed.contains(&CALLBACK_TAGS[1]);
        let atag = allowed.contains(&CALLBACK_TAGS[2]);
        prop_oneof![3 => Just(Vec::new()), 1 => callback_any(pres, atag)].boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let singles = prop_oneof![6 => vec(one.clone(), 0..=3), 1 => vec(one, 0..=12)];
    (singles, sar, callback)
        .prop_map(|(mut a, b, c)| {
            a.extend(b);
            a.extend(c);
            a
        })
        .prop_shuffle()
        .prop_map(Tlvs::from)
        .boxed()
}

/// short_message and TLVs of a body with both (§5.3.2.32: one or the other carries the user data):
/// a short_message and no message_payload, or an empty short_message and maybe message_payload.
fn user_data_any(allowed: &'static [TlvTag]) -> impl Strategy<Value = (ShortMessage, Tlvs)> {
    prop_oneof![
        3 => (short_message_any(), tlvs_with(allowed, false)),
        1 => (Just(ShortMessage::empty()), tlvs_with(allowed, true)),
    ]
}

/// `Arbitrary` for open wire enums: named values as a rule, any number otherwise.
macro_rules! open_enum {
    ($($t:ident($int:ty)),* $(,)?) => {$(
        impl Arbitrary for $t {
            type Parameters = ();
            type Strategy = BoxedStrategy<Self>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                prop_oneof![3 => select($t::ALL), 1 => any::<$int>().prop_map($t)].boxed()
            }
        }
    )*};
}

open_enum!(
    Ton(u8),
    Npi(u8),
    DataCoding(u8),
    MessageState(u8),
    CommandId(u32),
    CommandStatus(u32),
    TlvTag(u16)
);

/// `Arbitrary` for bit-field newtypes: any octet.
macro_rules! bits {
    ($($t:ident),*) => {$(
        impl Arbitrary for $t {
            type Parameters = ();
            type Strategy = BoxedStrategy<Self>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                any::<u8>().prop_map($t).boxed()
            }
        }
    )*};
}

bits!(EsmClass, RegisteredDelivery);

impl<const MAX: usize> Arbitrary for COctetString<MAX> {
    type Parameters = ();
    type Strategy = BoxedStrategy<Self>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        c_octet_any().boxed()
    }
}

impl<const MIN: usize, const MAX: usize> Arbitrary for OctetString<MIN, MAX> {
    type Parameters = ();
    type Strategy = BoxedStrategy<Self>;
    /// `MIN..=MAX` octets, at most 300 (message_payload allows 65535; 300 is past short_message's
    /// 254).
    fn arbitrary_with(_: ()) -> Self::Strategy {
        vec(any::<u8>(), MIN..=MAX.min(300).max(MIN))
            .prop_map(|v| OctetString::new(v).unwrap_or_default())
            .boxed()
    }
}

impl Arbitrary for SmppTime {
    type Parameters = ();
    type Strategy = BoxedStrategy<Self>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        smpp_time_any().boxed()
    }
}

impl Arbitrary for ShortMessage {
    type Parameters = ();
    type Strategy = BoxedStrategy<Self>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        short_message_any().boxed()
    }
}

impl Arbitrary for NetworkErrorCode {
    type Parameters = ();
    type Strategy = BoxedStrategy<Self>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        (any::<u8>(), any::<u16>())
            .prop_map(|(network_type, error_code)| NetworkErrorCode {
                network_type,
                error_code,
            })
            .boxed()
    }
}

/// One submit_multi destination: an SME address (dest_flag 1) or a distribution list (2).
pub fn dest_address_any() -> BoxedStrategy<DestAddress> {
    prop_oneof![
        3 => (any::<Ton>(), any::<Npi>(), c_octet_any()).prop_map(|(t, n, a)| {
            DestAddress::SmeAddress { dest_addr_ton: t, dest_addr_npi: n, destination_addr: a }
        }),
        1 => c_octet_any().prop_map(|dl_name| DestAddress::DistributionList { dl_name }),
    ]
    .boxed()
}

/// One failed destination of a submit_multi_resp.
pub fn unsuccess_sme_any() -> BoxedStrategy<UnsuccessSme> {
    (
        any::<Ton>(),
        any::<Npi>(),
        c_octet_any(),
        command_status_any(),
    )
        .prop_map(
            |(dest_addr_ton, dest_addr_npi, destination_addr, error_status_code)| UnsuccessSme {
                dest_addr_ton,
                dest_addr_npi,
                destination_addr,
                error_status_code,
            },
        )
        .boxed()
}

/// A counted list: a few entries as a rule, up to the 254 the count octet allows now and then.
pub fn entries_any<T: Entry + core::fmt::Debug>(
    entry: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Entries<T>> {
    prop_oneof![8 => vec(entry.clone(), 0..=4), 1 => vec(entry, 0..=Entries::<T>::MAX)]
        .prop_map(|v| Entries::new(v).unwrap_or_default())
}

prop_compose! {
    /// The body of bind_transmitter, bind_receiver and bind_transceiver.
    pub fn bind_body_any()(
        system_id in any::<COctetString<16>>(),
        password in any::<COctetString<9>>(),
        system_type in any::<COctetString<13>>(),
        interface_version in prop_oneof![Just(INTERFACE_VERSION_34), any::<u8>()],
        addr_ton in any::<Ton>(),
        addr_npi in any::<Npi>(),
        address_range in any::<COctetString<41>>(),
        tlvs in tlvs_any(Bind::ALLOWED_TLVS),
    ) -> Bind {
        Bind { system_id, password, system_type, interface_version, addr_ton, addr_npi, address_range, tlvs }
    }
}

prop_compose! {
    /// The body of the three bind responses.
    pub fn bind_resp_body_any()(
        system_id in any::<COctetString<16>>(),
        tlvs in tlvs_any(BindResp::ALLOWED_TLVS),
    ) -> BindResp {
        BindResp { system_id, tlvs }
    }
}

prop_compose! {
    /// The body of outbind.
    pub fn outbind_body_any()(
        system_id in any::<COctetString<16>>(),
        password in any::<COctetString<9>>(),
        tlvs in tlvs_any(Outbind::ALLOWED_TLVS),
    ) -> Outbind {
        Outbind { system_id, password, tlvs }
    }
}

prop_compose! {
    /// The body of submit_sm.
    pub fn submit_sm_body_any()(
        service_type in any::<COctetString<6>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        dest_addr_ton in any::<Ton>(),
        dest_addr_npi in any::<Npi>(),
        destination_addr in any::<COctetString<21>>(),
        esm_class in any::<EsmClass>(),
        protocol_id in any::<u8>(),
        priority_flag in 0..=3u8,
        schedule_delivery_time in smpp_time_any(),
        validity_period in smpp_time_any(),
        registered_delivery in any::<RegisteredDelivery>(),
        replace_if_present_flag in 0..=1u8,
        data_coding in any::<DataCoding>(),
        sm_default_msg_id in any::<u8>(),
        (short_message, tlvs) in user_data_any(SubmitSm::ALLOWED_TLVS),
    ) -> SubmitSm {
        SubmitSm {
            service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton,
            dest_addr_npi, destination_addr, esm_class, protocol_id, priority_flag,
            schedule_delivery_time, validity_period, registered_delivery, replace_if_present_flag,
            data_coding, sm_default_msg_id, short_message, tlvs,
        }
    }
}

/// A submit_sm body with this data_coding.
pub fn submit_sm_with(data_coding: DataCoding) -> impl Strategy<Value = SubmitSm> {
    submit_sm_body_any().prop_map(move |mut b| {
        b.data_coding = data_coding;
        b
    })
}

prop_compose! {
    /// The body of submit_sm_resp.
    pub fn submit_sm_resp_body_any()(
        message_id in any::<COctetString<65>>(),
        tlvs in tlvs_any(SubmitSmResp::ALLOWED_TLVS),
    ) -> SubmitSmResp {
        SubmitSmResp { message_id, tlvs }
    }
}

prop_compose! {
    /// The body of submit_multi.
    pub fn submit_multi_body_any()(
        service_type in any::<COctetString<6>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        dest_addresses in entries_any(dest_address_any()),
        esm_class in any::<EsmClass>(),
        protocol_id in any::<u8>(),
        priority_flag in 0..=3u8,
        schedule_delivery_time in smpp_time_any(),
        validity_period in smpp_time_any(),
        registered_delivery in any::<RegisteredDelivery>(),
        replace_if_present_flag in Just(0u8),
        data_coding in any::<DataCoding>(),
        sm_default_msg_id in any::<u8>(),
        (short_message, tlvs) in user_data_any(SubmitMulti::ALLOWED_TLVS),
    ) -> SubmitMulti {
        SubmitMulti {
            service_type, source_addr_ton, source_addr_npi, source_addr, dest_addresses,
            esm_class, protocol_id, priority_flag, schedule_delivery_time, validity_period,
            registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id,
            short_message, tlvs,
        }
    }
}

prop_compose! {
    /// The body of submit_multi_resp.
    pub fn submit_multi_resp_body_any()(
        message_id in any::<COctetString<65>>(),
        unsuccess_sme in entries_any(unsuccess_sme_any()),
        tlvs in tlvs_any(SubmitMultiResp::ALLOWED_TLVS),
    ) -> SubmitMultiResp {
        SubmitMultiResp { message_id, unsuccess_sme, tlvs }
    }
}

prop_compose! {
    /// The body of deliver_sm.
    pub fn deliver_sm_body_any()(
        service_type in any::<COctetString<6>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        dest_addr_ton in any::<Ton>(),
        dest_addr_npi in any::<Npi>(),
        destination_addr in any::<COctetString<21>>(),
        esm_class in any::<EsmClass>(),
        protocol_id in any::<u8>(),
        priority_flag in 0..=3u8,
        schedule_delivery_time in Just(SmppTime::empty()),
        validity_period in Just(SmppTime::empty()),
        registered_delivery in any::<RegisteredDelivery>(),
        replace_if_present_flag in Just(0u8),
        data_coding in any::<DataCoding>(),
        sm_default_msg_id in Just(0u8),
        (short_message, tlvs) in user_data_any(DeliverSm::ALLOWED_TLVS),
    ) -> DeliverSm {
        DeliverSm {
            service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton,
            dest_addr_npi, destination_addr, esm_class, protocol_id, priority_flag,
            schedule_delivery_time, validity_period, registered_delivery, replace_if_present_flag,
            data_coding, sm_default_msg_id, short_message, tlvs,
        }
    }
}

prop_compose! {
    /// The body of deliver_sm_resp (message_id is unused: NULL as a rule).
    pub fn deliver_sm_resp_body_any()(
        message_id in prop_oneof![3 => Just(COctetString::empty()), 1 => any::<COctetString<65>>()],
        tlvs in tlvs_any(DeliverSmResp::ALLOWED_TLVS),
    ) -> DeliverSmResp {
        DeliverSmResp { message_id, tlvs }
    }
}

prop_compose! {
    /// The body of data_sm.
    pub fn data_sm_body_any()(
        service_type in any::<COctetString<6>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<65>>(),
        dest_addr_ton in any::<Ton>(),
        dest_addr_npi in any::<Npi>(),
        destination_addr in any::<COctetString<65>>(),
        esm_class in any::<EsmClass>(),
        registered_delivery in any::<RegisteredDelivery>(),
        data_coding in any::<DataCoding>(),
        tlvs in tlvs_any(DataSm::ALLOWED_TLVS),
    ) -> DataSm {
        DataSm {
            service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton,
            dest_addr_npi, destination_addr, esm_class, registered_delivery, data_coding, tlvs,
        }
    }
}

prop_compose! {
    /// The body of data_sm_resp.
    pub fn data_sm_resp_body_any()(
        message_id in any::<COctetString<65>>(),
        tlvs in tlvs_any(DataSmResp::ALLOWED_TLVS),
    ) -> DataSmResp {
        DataSmResp { message_id, tlvs }
    }
}

prop_compose! {
    /// The body of query_sm.
    pub fn query_sm_body_any()(
        message_id in any::<COctetString<65>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        tlvs in tlvs_any(QuerySm::ALLOWED_TLVS),
    ) -> QuerySm {
        QuerySm { message_id, source_addr_ton, source_addr_npi, source_addr, tlvs }
    }
}

prop_compose! {
    /// The body of query_sm_resp.
    pub fn query_sm_resp_body_any()(
        message_id in any::<COctetString<65>>(),
        final_date in smpp_time_any(),
        message_state in any::<MessageState>(),
        error_code in any::<u8>(),
        tlvs in tlvs_any(QuerySmResp::ALLOWED_TLVS),
    ) -> QuerySmResp {
        QuerySmResp { message_id, final_date, message_state, error_code, tlvs }
    }
}

prop_compose! {
    /// The body of cancel_sm.
    pub fn cancel_sm_body_any()(
        service_type in any::<COctetString<6>>(),
        message_id in any::<COctetString<65>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        dest_addr_ton in any::<Ton>(),
        dest_addr_npi in any::<Npi>(),
        destination_addr in any::<COctetString<21>>(),
        tlvs in tlvs_any(CancelSm::ALLOWED_TLVS),
    ) -> CancelSm {
        CancelSm {
            service_type, message_id, source_addr_ton, source_addr_npi, source_addr,
            dest_addr_ton, dest_addr_npi, destination_addr, tlvs,
        }
    }
}

prop_compose! {
    /// The body of replace_sm.
    pub fn replace_sm_body_any()(
        message_id in any::<COctetString<65>>(),
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<21>>(),
        schedule_delivery_time in smpp_time_any(),
        validity_period in smpp_time_any(),
        registered_delivery in any::<RegisteredDelivery>(),
        sm_default_msg_id in any::<u8>(),
        short_message in short_message_any(),
        tlvs in tlvs_any(ReplaceSm::ALLOWED_TLVS),
    ) -> ReplaceSm {
        ReplaceSm {
            message_id, source_addr_ton, source_addr_npi, source_addr, schedule_delivery_time,
            validity_period, registered_delivery, sm_default_msg_id, short_message, tlvs,
        }
    }
}

prop_compose! {
    /// The body of alert_notification.
    pub fn alert_notification_body_any()(
        source_addr_ton in any::<Ton>(),
        source_addr_npi in any::<Npi>(),
        source_addr in any::<COctetString<65>>(),
        esme_addr_ton in any::<Ton>(),
        esme_addr_npi in any::<Npi>(),
        esme_addr in any::<COctetString<65>>(),
        tlvs in tlvs_any(AlertNotification::ALLOWED_TLVS),
    ) -> AlertNotification {
        AlertNotification {
            source_addr_ton, source_addr_npi, source_addr, esme_addr_ton, esme_addr_npi,
            esme_addr, tlvs,
        }
    }
}

/// A request: ESME_ROK and a valid sequence_number.
fn request(pdu: impl Strategy<Value = Pdu>) -> impl Strategy<Value = Command> {
    (pdu, sequence_number_any()).prop_map(|(pdu, seq)| Command::new(seq, pdu))
}

/// A response: ESME_ROK half of the time; on error no body where the spec omits it, and either
/// form where it says nothing.
fn response(pdu: impl Strategy<Value = Pdu>) -> impl Strategy<Value = Command> {
    let status = prop_oneof![Just(CommandStatus::ESME_ROK), command_status_any()];
    (pdu, status, sequence_number_any(), any::<bool>()).prop_map(|(mut pdu, status, seq, drop)| {
        if !status.is_ok() && (body_omitted_on_error(pdu.command_id()) || drop) {
            drop_response_body(&mut pdu);
        }
        Command::response(status, seq, pdu)
    })
}

macro_rules! commands {
    (
        requests { $( $(#[$rm:meta])* $rfn:ident => $rpdu:expr, )* }
        responses { $( $(#[$sm:meta])* $sfn:ident => $spdu:expr, )* }
    ) => {
        $(
            $(#[$rm])*
            pub fn $rfn() -> impl Strategy<Value = Command> {
                request($rpdu)
            }
        )*
        $(
            $(#[$sm])*
            pub fn $sfn() -> impl Strategy<Value = Command> {
                response($spdu)
            }
        )*

        /// Any valid v3.4 PDU (never [`Pdu::Unknown`]); responses carry their body.
        pub fn pdu_any() -> impl Strategy<Value = Pdu> {
            prop_oneof![
                $( $rpdu.boxed(), )*
                $( $spdu.boxed(), )*
            ]
        }

        /// Any valid whole PDU, of any command_id v3.4 defines.
        pub fn command_any() -> impl Strategy<Value = Command> {
            prop_oneof![
                $( $rfn().boxed(), )*
                $( $sfn().boxed(), )*
            ]
        }
    };
}

commands! {
    requests {
        /// bind_transmitter.
        bind_transmitter_any => bind_body_any().prop_map(Pdu::BindTransmitter),
        /// bind_receiver.
        bind_receiver_any => bind_body_any().prop_map(Pdu::BindReceiver),
        /// bind_transceiver.
        bind_transceiver_any => bind_body_any().prop_map(Pdu::BindTransceiver),
        /// outbind.
        outbind_any => outbind_body_any().prop_map(Pdu::Outbind),
        /// unbind.
        unbind_any => Just(Pdu::Unbind),
        /// submit_sm.
        submit_sm_any => submit_sm_body_any().prop_map(Pdu::SubmitSm),
        /// submit_multi.
        submit_multi_any => submit_multi_body_any().prop_map(Pdu::SubmitMulti),
        /// deliver_sm.
        deliver_sm_any => deliver_sm_body_any().prop_map(Pdu::DeliverSm),
        /// data_sm.
        data_sm_any => data_sm_body_any().prop_map(Pdu::DataSm),
        /// query_sm.
        query_sm_any => query_sm_body_any().prop_map(Pdu::QuerySm),
        /// cancel_sm.
        cancel_sm_any => cancel_sm_body_any().prop_map(Pdu::CancelSm),
        /// replace_sm.
        replace_sm_any => replace_sm_body_any().prop_map(Pdu::ReplaceSm),
        /// enquire_link.
        enquire_link_any => Just(Pdu::EnquireLink),
        /// alert_notification.
        alert_notification_any => alert_notification_body_any().prop_map(Pdu::AlertNotification),
    }
    responses {
        /// generic_nack, with any status.
        generic_nack_any => Just(Pdu::GenericNack),
        /// bind_transmitter_resp.
        bind_transmitter_resp_any => bind_resp_body_any().prop_map(|b| Pdu::BindTransmitterResp(Some(b))),
        /// bind_receiver_resp.
        bind_receiver_resp_any => bind_resp_body_any().prop_map(|b| Pdu::BindReceiverResp(Some(b))),
        /// bind_transceiver_resp.
        bind_transceiver_resp_any => bind_resp_body_any().prop_map(|b| Pdu::BindTransceiverResp(Some(b))),
        /// unbind_resp.
        unbind_resp_any => Just(Pdu::UnbindResp),
        /// submit_sm_resp.
        submit_sm_resp_any => submit_sm_resp_body_any().prop_map(|b| Pdu::SubmitSmResp(Some(b))),
        /// submit_multi_resp.
        submit_multi_resp_any => submit_multi_resp_body_any().prop_map(|b| Pdu::SubmitMultiResp(Some(b))),
        /// deliver_sm_resp.
        deliver_sm_resp_any => deliver_sm_resp_body_any().prop_map(|b| Pdu::DeliverSmResp(Some(b))),
        /// data_sm_resp.
        data_sm_resp_any => data_sm_resp_body_any().prop_map(|b| Pdu::DataSmResp(Some(b))),
        /// query_sm_resp.
        query_sm_resp_any => query_sm_resp_body_any().prop_map(|b| Pdu::QuerySmResp(Some(b))),
        /// cancel_sm_resp.
        cancel_sm_resp_any => Just(Pdu::CancelSmResp),
        /// replace_sm_resp.
        replace_sm_resp_any => Just(Pdu::ReplaceSmResp),
        /// enquire_link_resp.
        enquire_link_resp_any => Just(Pdu::EnquireLinkResp),
    }
}
