//! Test support: what Wireshark's SMPP dissector must show for a PDU, derived from our decode.
//!
//! Include it next to `tshark.rs` (it uses `crate::tshark::SmppPdu`):
//!
//! ```ignore
//! #[path = "support/tshark.rs"]
//! mod tshark;
//! #[path = "support/tshark_map.rs"]
//! mod tshark_map;
//! ```
//!
//! [`expected`] walks a decoded [`Command`]: its header, every mandatory field of
//! `Pdu::fields()` and every TLV of `Tlvs::iter()`, in wire order. Each field goes through one
//! mapping table, [`MANDATORY`] or [`TLVS`] (built from `tshark_fields.md`), which names the
//! Wireshark field(s) and how the value is printed ([`Shown`]); [`OVERRIDES`] holds the per-PDU
//! differences. The result is the exact list of `(field, value, raw octets)` tshark must print for
//! that PDU, in tree order. [`compare`] then checks tshark's fields against it one by one: a field
//! tshark shows that we do not expect fails, as does a missing field or a different value or raw
//! octets.
//!
//! Wherever Wireshark does not show a spec field, or shows it differently from the spec, the
//! mapping says so with an [`Exception`]; [`Expected::exceptions`] lists every one that applied,
//! so a run can report them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use smpp::fields::FieldValue;
use smpp::text::{Alphabet, Mode};
use smpp::{Command, CommandId, DestAddress, Tlv, TlvTag, UnsuccessSme};

use crate::tshark::SmppPdu;

/// Everything in which Wireshark 4.0's view of a PDU departs from the spec's field list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exception {
    /// The header of a request has no `command_status` field: Wireshark shows it only for
    /// responses. Our decoder (strict) has already checked it is 0 in every request.
    RequestStatusNotShown,
    /// A response with a non-zero command_status: Wireshark dissects no body, even when one is
    /// there (data_sm_resp, deliver_sm_resp, query_sm_resp and submit_multi_resp may carry one
    /// on error). Our decode of that body is then not cross-checked; only its presence is.
    ErrorResponseBodyNotShown,
    /// An empty (NULL) C-Octet String produces no field at all.
    EmptyStringNotShown,
    /// An empty service_type is shown as the text `(Default)`.
    EmptyServiceTypeShownAsDefault,
    /// A NULL schedule_delivery_time / validity_period is shown as the relative time 0.
    NullTimeShownAsRelativeZero,
    /// A NULL final_date produces no field.
    NullTimeNotShown,
    /// A relative time counts only days, hours, minutes and seconds: Wireshark drops the years,
    /// the months and the tenths of `YYMMDDhhmmsstnnR` (the spec counts them all).
    RelativeTimeDropsYearsMonthsTenths,
    /// submit_multi's validity_period, when NULL, is shown as a second
    /// `smpp.schedule_delivery_time_r` (copy-paste bug in Wireshark's `submit_multi()`; a
    /// non-NULL one is shown right).
    SubmitMultiNullValidityShownAsSchedule,
    /// A bit-mask octet (esm_class, registered_delivery, replace_if_present_flag,
    /// ms_msg_wait_facilities, callback_num_pres_ind, its_session_info's second octet) has no
    /// whole-octet field: only bit-fields, each shifted down by its mask. The whole octet is
    /// still compared through the fields' raw octets.
    BitFieldsOnly,
    /// number_of_dests / no_unsuccess have no field: the `smpp.dlist` / `smpp.dlist_resp` node
    /// sits on the count octet, so the count is compared through the node's raw octet.
    CountIsListNode,
    /// A list count of 0: no `smpp.dlist` / `smpp.dlist_resp` node at all.
    EmptyListNotShown,
    /// dest_flag has no field; Wireshark's choice of SME fields or `dl_name` shows it.
    DestFlagNotShown,
    /// sm_length is shown, but an sm_length of 0 produces no `smpp.message` field.
    EmptyShortMessageNotShown,
    /// callback_num and callback_num_atag are `FT_NONE` nodes without a value: compared through
    /// their raw octets only.
    ValueOnlyInRawOctets,
    /// `smpp.message_text` is not a spec field: Wireshark decodes the user data (short_message
    /// or message_payload) as text for some data_coding values, after the TLVs. Compared with
    /// our `smpp::text::decode` of the same octets.
    DerivedMessageText,
    /// network_error_code and its_session_info are shown as two (three) fields, one per part.
    SplitIntoParts,
    /// A data_coding of coding group 1111 (0xF0–0xFF) is also shown as the GSM DCS bit-fields of
    /// 3GPP TS 23.038 (`smpp.dcs.*`), which SMPP v3.4 does not define.
    DataCodingAsGsmDcs,
}

impl Exception {
    /// Every exception, for reports.
    pub const ALL: [Exception; 17] = [
        Self::RequestStatusNotShown,
        Self::ErrorResponseBodyNotShown,
        Self::EmptyStringNotShown,
        Self::EmptyServiceTypeShownAsDefault,
        Self::NullTimeShownAsRelativeZero,
        Self::NullTimeNotShown,
        Self::RelativeTimeDropsYearsMonthsTenths,
        Self::SubmitMultiNullValidityShownAsSchedule,
        Self::BitFieldsOnly,
        Self::CountIsListNode,
        Self::EmptyListNotShown,
        Self::DestFlagNotShown,
        Self::EmptyShortMessageNotShown,
        Self::ValueOnlyInRawOctets,
        Self::DerivedMessageText,
        Self::SplitIntoParts,
        Self::DataCodingAsGsmDcs,
    ];
}

/// What an empty C-Octet String becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfEmpty {
    /// No field ([`Exception::EmptyStringNotShown`]).
    NotShown,
    /// This text (`""` is faithful; anything else is an exception).
    Shows(&'static str),
}

/// What a NULL time becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfNull {
    /// This relative-time field with `0.000000000` ([`Exception::NullTimeShownAsRelativeZero`];
    /// a field other than the time's own `rel` is
    /// [`Exception::SubmitMultiNullValidityShownAsSchedule`]).
    RelativeZero(&'static str),
    /// No field ([`Exception::NullTimeNotShown`]).
    NotShown,
}

/// How Wireshark shows one spec field: the field name(s) and the value format of
/// `tshark_fields.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// An integer of `width` octets, printed in decimal.
    Dec(&'static str, usize),
    /// An integer of `width` octets, printed `0x` + 2×`width` lower-case hex digits.
    Hex(&'static str, usize),
    /// One octet shown as bit-fields `(field, mask)`, each `(value & mask) >> shift` printed as
    /// `0x` + 2 hex digits ([`Exception::BitFieldsOnly`]).
    Bits(&'static [(&'static str, u8)]),
    /// A C-Octet String: its characters, raw octets with the NUL.
    Str(&'static str, IfEmpty),
    /// An `FT_BYTES` value: `aa:bb:cc`; no field when empty.
    Bytes(&'static str),
    /// An `FT_NONE` node: empty value, the octets only in raw form; no field when empty.
    Node(&'static str),
    /// An SMPP time (§7.1.1): absolute → `abs`, relative → `rel`.
    Time {
        /// The absolute-time field.
        abs: &'static str,
        /// The relative-time field.
        rel: &'static str,
        /// What a NULL time shows.
        if_null: IfNull,
    },
    /// short_message: `smpp.sm_length` then `smpp.message`.
    ShortMessage,
    /// network_error_code: `smpp.network_error.type` (dec) + `smpp.network_error.code` (hex4).
    NetworkError,
    /// its_session_info: `smpp.its_session.number` (dec) + sequence (bits 7–1) + ind (bit 0).
    ItsSession,
    /// data_coding: `smpp.data_coding` (hex2), plus the GSM DCS bit-fields for coding group
    /// 1111 ([`Exception::DataCodingAsGsmDcs`]).
    DataCoding,
    /// alert_on_message_delivery (v3.4: no value): `smpp.alert_on_message_delivery_null`.
    AlertOnDelivery,
    /// submit_multi's dest_addresses (number_of_dests, then dest_flag + address per entry).
    DestAddresses,
    /// submit_multi_resp's unsuccess_sme (no_unsuccess, then the entries).
    UnsuccessSmes,
}

const ESM_CLASS: &[(&str, u8)] = &[
    ("smpp.esm.submit.msg_mode", 0x03),
    ("smpp.esm.submit.msg_type", 0x3C),
    ("smpp.esm.submit.features", 0xC0),
];

/// registered_delivery: bits 7–5 are reserved and have no field (the raw octet still shows them).
const REGISTERED_DELIVERY: &[(&str, u8)] = &[
    ("smpp.regdel.receipt", 0x03),
    ("smpp.regdel.acks", 0x0C),
    ("smpp.regdel.notif", 0x10),
];

/// replace_if_present_flag: Wireshark masks it with 0x01 (values 2–255 are reserved).
const REPLACE_IF_PRESENT: &[(&str, u8)] = &[("smpp.replace_if_present_flag", 0x01)];

/// ms_msg_wait_facilities `I00000TT`.
const MS_MSG_WAIT: &[(&str, u8)] = &[("smpp.msg_wait.ind", 0x80), ("smpp.msg_wait.type", 0x03)];

/// callback_num_pres_ind `0000ppss`.
const CALLBACK_PRES: &[(&str, u8)] = &[
    ("smpp.callback_num.pres", 0x0C),
    ("smpp.callback_num.scrn", 0x03),
];

/// Mandatory fields by spec name (`Pdu::fields()` names) → how Wireshark shows them.
pub const MANDATORY: &[(&str, Shown)] = &[
    ("system_id", Shown::Str("smpp.system_id", IfEmpty::NotShown)),
    ("password", Shown::Str("smpp.password", IfEmpty::NotShown)),
    (
        "system_type",
        Shown::Str("smpp.system_type", IfEmpty::NotShown),
    ),
    // BASE_CUSTOM: the JSON value is the number (52 for 0x34); only the GUI prints "3.4".
    ("interface_version", Shown::Dec("smpp.interface_version", 1)),
    ("addr_ton", Shown::Hex("smpp.addr_ton", 1)),
    ("addr_npi", Shown::Hex("smpp.addr_npi", 1)),
    (
        "address_range",
        Shown::Str("smpp.address_range", IfEmpty::NotShown),
    ),
    (
        "service_type",
        Shown::Str("smpp.service_type", IfEmpty::Shows("(Default)")),
    ),
    ("source_addr_ton", Shown::Hex("smpp.source_addr_ton", 1)),
    ("source_addr_npi", Shown::Hex("smpp.source_addr_npi", 1)),
    // Shown as "" when empty in submit_sm, deliver_sm, submit_multi, data_sm, replace_sm; see
    // OVERRIDES for the PDUs where it vanishes instead.
    (
        "source_addr",
        Shown::Str("smpp.source_addr", IfEmpty::Shows("")),
    ),
    ("dest_addr_ton", Shown::Hex("smpp.dest_addr_ton", 1)),
    ("dest_addr_npi", Shown::Hex("smpp.dest_addr_npi", 1)),
    (
        "destination_addr",
        Shown::Str("smpp.destination_addr", IfEmpty::Shows("")),
    ),
    ("esm_class", Shown::Bits(ESM_CLASS)),
    ("protocol_id", Shown::Hex("smpp.protocol_id", 1)),
    ("priority_flag", Shown::Hex("smpp.priority_flag", 1)),
    (
        "schedule_delivery_time",
        Shown::Time {
            abs: "smpp.schedule_delivery_time",
            rel: "smpp.schedule_delivery_time_r",
            if_null: IfNull::RelativeZero("smpp.schedule_delivery_time_r"),
        },
    ),
    (
        "validity_period",
        Shown::Time {
            abs: "smpp.validity_period",
            rel: "smpp.validity_period_r",
            if_null: IfNull::RelativeZero("smpp.validity_period_r"),
        },
    ),
    ("registered_delivery", Shown::Bits(REGISTERED_DELIVERY)),
    ("replace_if_present_flag", Shown::Bits(REPLACE_IF_PRESENT)),
    ("data_coding", Shown::DataCoding),
    ("sm_default_msg_id", Shown::Dec("smpp.sm_default_msg_id", 1)),
    ("short_message", Shown::ShortMessage),
    (
        "message_id",
        Shown::Str("smpp.message_id", IfEmpty::NotShown),
    ),
    ("dest_addresses", Shown::DestAddresses),
    ("unsuccess_sme", Shown::UnsuccessSmes),
    (
        "final_date",
        Shown::Time {
            abs: "smpp.final_date",
            rel: "smpp.final_date_r",
            if_null: IfNull::NotShown,
        },
    ),
    ("message_state", Shown::Dec("smpp.message_state", 1)),
    ("error_code", Shown::Dec("smpp.error_code", 1)),
    ("esme_addr_ton", Shown::Hex("smpp.esme_addr_ton", 1)),
    ("esme_addr_npi", Shown::Hex("smpp.esme_addr_npi", 1)),
    ("esme_addr", Shown::Str("smpp.esme_addr", IfEmpty::NotShown)),
];

/// Per-PDU departures from [`MANDATORY`]: (command_id, spec name, how it is shown instead).
pub const OVERRIDES: &[(CommandId, &str, Shown)] = &[
    // An empty source_addr vanishes in these three (Wireshark reads it with a helper that adds
    // nothing for an empty string), where submit_sm & co show "".
    (
        CommandId::QUERY_SM,
        "source_addr",
        Shown::Str("smpp.source_addr", IfEmpty::NotShown),
    ),
    (
        CommandId::CANCEL_SM,
        "source_addr",
        Shown::Str("smpp.source_addr", IfEmpty::NotShown),
    ),
    (
        CommandId::ALERT_NOTIFICATION,
        "source_addr",
        Shown::Str("smpp.source_addr", IfEmpty::NotShown),
    ),
    // cancel_sm by message_id may leave the destination NULL: no field then.
    (
        CommandId::CANCEL_SM,
        "destination_addr",
        Shown::Str("smpp.destination_addr", IfEmpty::NotShown),
    ),
    // Wireshark bug: submit_multi() shows a NULL validity_period with
    // hf_smpp_schedule_delivery_time_r (Exception::SubmitMultiNullValidityShownAsSchedule).
    (
        CommandId::SUBMIT_MULTI,
        "validity_period",
        Shown::Time {
            abs: "smpp.validity_period",
            rel: "smpp.validity_period_r",
            if_null: IfNull::RelativeZero("smpp.schedule_delivery_time_r"),
        },
    ),
];

/// TLVs by spec name (`TlvTag::name()`) → how Wireshark shows the value. Every TLV also gets an
/// `smpp.opt_param` node, `smpp.opt_param_tag` (hex4) and `smpp.opt_param_len` (dec).
pub const TLVS: &[(&str, Shown)] = &[
    ("dest_addr_subunit", Shown::Hex("smpp.dest_addr_subunit", 1)),
    ("dest_network_type", Shown::Hex("smpp.dest_network_type", 1)),
    ("dest_bearer_type", Shown::Hex("smpp.dest_bearer_type", 1)),
    (
        "dest_telematics_id",
        Shown::Hex("smpp.dest_telematics_id", 2),
    ),
    (
        "source_addr_subunit",
        Shown::Hex("smpp.source_addr_subunit", 1),
    ),
    (
        "source_network_type",
        Shown::Hex("smpp.source_network_type", 1),
    ),
    (
        "source_bearer_type",
        Shown::Hex("smpp.source_bearer_type", 1),
    ),
    // One octet, as the spec says (the reference's "Wireshark reads 2" is not true of 4.0).
    (
        "source_telematics_id",
        Shown::Hex("smpp.source_telematics_id", 1),
    ),
    ("qos_time_to_live", Shown::Dec("smpp.qos_time_to_live", 4)),
    ("payload_type", Shown::Dec("smpp.payload_type", 1)),
    (
        "additional_status_info_text",
        Shown::Str("smpp.additional_status_info_text", IfEmpty::NotShown),
    ),
    (
        "receipted_message_id",
        Shown::Str("smpp.receipted_message_id", IfEmpty::NotShown),
    ),
    ("ms_msg_wait_facilities", Shown::Bits(MS_MSG_WAIT)),
    ("privacy_indicator", Shown::Dec("smpp.privacy_indicator", 1)),
    ("source_subaddress", Shown::Bytes("smpp.source_subaddress")),
    ("dest_subaddress", Shown::Bytes("smpp.dest_subaddress")),
    (
        "user_message_reference",
        Shown::Hex("smpp.user_message_reference", 2),
    ),
    (
        "user_response_code",
        Shown::Hex("smpp.user_response_code", 1),
    ),
    ("source_port", Shown::Hex("smpp.source_port", 2)),
    // The spec's name; Wireshark 4.0 uses it too (not `dest_port`).
    ("destination_port", Shown::Hex("smpp.destination_port", 2)),
    ("sar_msg_ref_num", Shown::Dec("smpp.sar_msg_ref_num", 2)),
    (
        "language_indicator",
        Shown::Dec("smpp.language_indicator", 1),
    ),
    // Declared FT_UINT16 but read as one octet, as the spec says.
    (
        "sar_total_segments",
        Shown::Dec("smpp.sar_total_segments", 1),
    ),
    (
        "sar_segment_seqnum",
        Shown::Dec("smpp.sar_segment_seqnum", 1),
    ),
    // Capital SC, as T 5-7 spells the name.
    (
        "sc_interface_version",
        Shown::Dec("smpp.SC_interface_version", 1),
    ),
    ("callback_num_pres_ind", Shown::Bits(CALLBACK_PRES)),
    ("callback_num_atag", Shown::Node("smpp.callback_num_atag")),
    (
        "number_of_messages",
        Shown::Dec("smpp.number_of_messages", 1),
    ),
    ("callback_num", Shown::Node("smpp.callback_num")),
    ("dpf_result", Shown::Dec("smpp.dpf_result", 1)),
    ("set_dpf", Shown::Dec("smpp.set_dpf", 1)),
    (
        "ms_availability_status",
        Shown::Dec("smpp.ms_availability_status", 1),
    ),
    ("network_error_code", Shown::NetworkError),
    ("message_payload", Shown::Bytes("smpp.message_payload")),
    (
        "delivery_failure_reason",
        Shown::Dec("smpp.delivery_failure_reason", 1),
    ),
    (
        "more_messages_to_send",
        Shown::Dec("smpp.more_messages_to_send", 1),
    ),
    ("message_state", Shown::Dec("smpp.message_state", 1)),
    ("ussd_service_op", Shown::Dec("smpp.ussd_service_op", 1)),
    ("display_time", Shown::Dec("smpp.display_time", 1)),
    ("sms_signal", Shown::Hex("smpp.sms_signal", 2)),
    ("ms_validity", Shown::Dec("smpp.ms_validity", 1)),
    ("alert_on_message_delivery", Shown::AlertOnDelivery),
    ("its_reply_type", Shown::Dec("smpp.its_reply_type", 1)),
    ("its_session_info", Shown::ItsSession),
];

/// A tag v3.4 does not define: `smpp.vendor_op` in the vendor block 0x1400–0x3FFF, else
/// `smpp.reserved_op`; FT_BYTES.
pub fn unknown_tlv(tag: TlvTag) -> Shown {
    if (0x1400..=0x3FFF).contains(&tag.0) {
        Shown::Bytes("smpp.vendor_op")
    } else {
        Shown::Bytes("smpp.reserved_op")
    }
}

/// data_coding values whose user data Wireshark 4.0 decodes into `smpp.message_text` (with
/// `smpp.decode_sms_over_smpp` = None, DCS 0x00 is not decoded), and the alphabet our
/// `smpp::text` decodes them with.
pub const DECODED_AS_TEXT: &[(u8, Alphabet)] = &[
    (0x01, Alphabet::Ia5),
    (0x03, Alphabet::Latin1),
    (0x08, Alphabet::Ucs2),
    // GSM 7-bit, one septet per octet (the harness sets `smpp.gsm7_unpacked`), message class 0.
    (0xF0, Alphabet::Gsm7),
];

/// The rule for mandatory field `name` of PDU `id`.
pub fn mandatory_rule(id: CommandId, name: &str) -> Shown {
    OVERRIDES
        .iter()
        .find(|(i, n, _)| *i == id && *n == name)
        .map(|(_, _, s)| *s)
        .or_else(|| MANDATORY.iter().find(|(n, _)| *n == name).map(|(_, s)| *s))
        .unwrap_or_else(|| panic!("no mapping for mandatory field {name} of {id:?}"))
}

/// The rule for a TLV tag.
pub fn tlv_rule(tag: TlvTag) -> Shown {
    match tag.name() {
        Some(name) => TLVS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("no mapping for TLV {name}")),
        None => unknown_tlv(tag),
    }
}

/// One field tshark must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Want {
    /// Wireshark field name (`smpp.system_id`).
    pub field: &'static str,
    /// The value as tshark's JSON prints it.
    pub value: String,
    /// The octets the field covers (`None`: not compared).
    pub raw: Option<Vec<u8>>,
    /// Where it comes from, for messages (`submit_sm.source_addr`, `tlv 0x0381 callback_num`).
    pub origin: String,
}

/// What tshark must show for one PDU.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Every field, in tree order.
    pub wants: Vec<Want>,
    /// Every exception that applied, with where.
    pub exceptions: Vec<(Exception, String)>,
    /// TLV tags whose value is in `wants` (not hidden by an exception).
    pub tlv_tags: Vec<TlvTag>,
}

/// A value on our side, from `Pdu::fields()` or a typed TLV.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ours {
    Int(u32),
    Str(Vec<u8>),
    Octets(Vec<u8>),
    NoValue,
    NetworkError(u8, u16),
    Dests(Vec<DestAddress>),
    Unsuccess(Vec<UnsuccessSme>),
}

impl From<FieldValue<'_>> for Ours {
    fn from(v: FieldValue<'_>) -> Self {
        match v {
            FieldValue::Int(i) => Self::Int(i),
            FieldValue::COctet(s) => Self::Str(s.to_vec()),
            FieldValue::Octets(o) => Self::Octets(o.to_vec()),
            FieldValue::DestAddresses(d) => Self::Dests(d.to_vec()),
            FieldValue::UnsuccessSmes(u) => Self::Unsuccess(u.to_vec()),
        }
    }
}

/// Our typed decode of a TLV value.
fn tlv_value(t: &Tlv) -> Ours {
    match t {
        Tlv::DestAddrSubunit(v)
        | Tlv::DestNetworkType(v)
        | Tlv::DestBearerType(v)
        | Tlv::SourceAddrSubunit(v)
        | Tlv::SourceNetworkType(v)
        | Tlv::SourceBearerType(v)
        | Tlv::SourceTelematicsId(v)
        | Tlv::PayloadType(v)
        | Tlv::MsMsgWaitFacilities(v)
        | Tlv::PrivacyIndicator(v)
        | Tlv::UserResponseCode(v)
        | Tlv::LanguageIndicator(v)
        | Tlv::SarTotalSegments(v)
        | Tlv::SarSegmentSeqnum(v)
        | Tlv::ScInterfaceVersion(v)
        | Tlv::CallbackNumPresInd(v)
        | Tlv::NumberOfMessages(v)
        | Tlv::DpfResult(v)
        | Tlv::SetDpf(v)
        | Tlv::MsAvailabilityStatus(v)
        | Tlv::DeliveryFailureReason(v)
        | Tlv::MoreMessagesToSend(v)
        | Tlv::UssdServiceOp(v)
        | Tlv::DisplayTime(v)
        | Tlv::MsValidity(v)
        | Tlv::ItsReplyType(v) => Ours::Int(u32::from(*v)),
        Tlv::DestTelematicsId(v)
        | Tlv::UserMessageReference(v)
        | Tlv::SourcePort(v)
        | Tlv::DestinationPort(v)
        | Tlv::SarMsgRefNum(v)
        | Tlv::SmsSignal(v) => Ours::Int(u32::from(*v)),
        Tlv::QosTimeToLive(v) => Ours::Int(*v),
        Tlv::MessageState(v) => Ours::Int(u32::from(v.0)),
        Tlv::AdditionalStatusInfoText(s) => Ours::Str(s.as_bytes().to_vec()),
        Tlv::ReceiptedMessageId(s) => Ours::Str(s.as_bytes().to_vec()),
        Tlv::SourceSubaddress(o) | Tlv::DestSubaddress(o) => Ours::Octets(o.as_bytes().to_vec()),
        Tlv::CallbackNumAtag(o) => Ours::Octets(o.as_bytes().to_vec()),
        Tlv::CallbackNum(o) => Ours::Octets(o.as_bytes().to_vec()),
        Tlv::MessagePayload(o) => Ours::Octets(o.as_bytes().to_vec()),
        Tlv::ItsSessionInfo(o) => Ours::Octets(o.as_bytes().to_vec()),
        Tlv::NetworkErrorCode(n) => Ours::NetworkError(n.network_type, n.error_code),
        Tlv::AlertOnMessageDelivery(()) => Ours::NoValue,
        Tlv::Other { value, .. } => Ours::Octets(value.as_bytes().to_vec()),
        other => panic!("a TLV variant the mapping does not know: {other:?}"),
    }
}

/// `48:65:6c`, as tshark prints FT_BYTES.
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn be(value: u32, width: usize) -> Vec<u8> {
    value.to_be_bytes()[4 - width..].to_vec()
}

fn with_nul(s: &[u8]) -> Vec<u8> {
    let mut v = s.to_vec();
    v.push(0);
    v
}

/// Accumulates the [`Expected`] list of one PDU.
struct Builder {
    out: Expected,
}

impl Builder {
    fn want(&mut self, field: &'static str, value: String, raw: Option<Vec<u8>>, origin: &str) {
        self.out.wants.push(Want {
            field,
            value,
            raw,
            origin: origin.to_owned(),
        });
    }

    fn except(&mut self, e: Exception, origin: &str) {
        self.out.exceptions.push((e, origin.to_owned()));
    }

    fn int(&self, v: &Ours, origin: &str) -> u32 {
        match v {
            Ours::Int(i) => *i,
            other => panic!("{origin}: integer expected, our decode has {other:?}"),
        }
    }

    fn octets<'v>(&self, v: &'v Ours, origin: &str) -> &'v [u8] {
        match v {
            Ours::Str(s) | Ours::Octets(s) => s,
            other => panic!("{origin}: octets expected, our decode has {other:?}"),
        }
    }

    fn shown(&mut self, rule: Shown, v: &Ours, origin: &str) {
        match rule {
            Shown::Dec(f, width) => {
                let i = self.int(v, origin);
                self.want(f, i.to_string(), Some(be(i, width)), origin);
            }
            Shown::Hex(f, width) => {
                let i = self.int(v, origin);
                let value = format!("0x{i:0digits$x}", digits = width * 2);
                self.want(f, value, Some(be(i, width)), origin);
            }
            Shown::Bits(parts) => {
                let i = self.int(v, origin);
                let octet = u8::try_from(i).expect("a bit-mask field is one octet");
                self.except(Exception::BitFieldsOnly, origin);
                for (f, mask) in parts {
                    let value = (octet & mask) >> mask.trailing_zeros();
                    self.want(f, format!("0x{value:02x}"), Some(vec![octet]), origin);
                }
            }
            Shown::Str(f, if_empty) => {
                let s = self.octets(v, origin).to_vec();
                if s.is_empty() {
                    match if_empty {
                        IfEmpty::NotShown => self.except(Exception::EmptyStringNotShown, origin),
                        IfEmpty::Shows(text) => {
                            if !text.is_empty() {
                                self.except(Exception::EmptyServiceTypeShownAsDefault, origin);
                            }
                            self.want(f, text.to_owned(), Some(vec![0]), origin);
                        }
                    }
                } else {
                    let text = String::from_utf8(s.clone()).unwrap_or_else(|_| {
                        panic!("{origin}: how tshark shows a non-UTF-8 string is not modelled")
                    });
                    self.want(f, text, Some(with_nul(&s)), origin);
                }
            }
            Shown::Bytes(f) => {
                let o = self.octets(v, origin).to_vec();
                // The dissector adds these only `if (length)`; no empty one is used here.
                if !o.is_empty() {
                    self.want(f, colon_hex(&o), Some(o), origin);
                }
            }
            Shown::Node(f) => {
                self.except(Exception::ValueOnlyInRawOctets, origin);
                let o = self.octets(v, origin).to_vec();
                if !o.is_empty() {
                    self.want(f, String::new(), Some(o), origin);
                }
            }
            Shown::Time { abs, rel, if_null } => {
                let s = self.octets(v, origin).to_vec();
                self.time(abs, rel, if_null, &s, origin);
            }
            Shown::ShortMessage => {
                let o = self.octets(v, origin).to_vec();
                let len = u32::try_from(o.len()).expect("short");
                self.want("smpp.sm_length", len.to_string(), Some(be(len, 1)), origin);
                if o.is_empty() {
                    self.except(Exception::EmptyShortMessageNotShown, origin);
                } else {
                    self.want("smpp.message", colon_hex(&o), Some(o), origin);
                }
            }
            Shown::NetworkError => {
                let Ours::NetworkError(kind, code) = v else {
                    panic!("{origin}: network_error_code expected, our decode has {v:?}");
                };
                self.except(Exception::SplitIntoParts, origin);
                let (kind, code) = (u32::from(*kind), u32::from(*code));
                self.want(
                    "smpp.network_error.type",
                    kind.to_string(),
                    Some(be(kind, 1)),
                    origin,
                );
                self.want(
                    "smpp.network_error.code",
                    format!("0x{code:04x}"),
                    Some(be(code, 2)),
                    origin,
                );
            }
            Shown::ItsSession => {
                let o = self.octets(v, origin).to_vec();
                let [number, second] = o[..] else {
                    panic!("{origin}: its_session_info is 2 octets, ours {o:?}");
                };
                self.except(Exception::SplitIntoParts, origin);
                self.except(Exception::BitFieldsOnly, origin);
                self.want(
                    "smpp.its_session.number",
                    number.to_string(),
                    Some(vec![number]),
                    origin,
                );
                self.want(
                    "smpp.its_session.sequence",
                    format!("0x{:02x}", second >> 1),
                    Some(vec![second]),
                    origin,
                );
                self.want(
                    "smpp.its_session.ind",
                    format!("0x{:02x}", second & 1),
                    Some(vec![second]),
                    origin,
                );
            }
            Shown::DataCoding => {
                let i = self.int(v, origin);
                let octet = u8::try_from(i).expect("data_coding is one octet");
                self.want(
                    "smpp.data_coding",
                    format!("0x{octet:02x}"),
                    Some(vec![octet]),
                    origin,
                );
                match octet >> 4 {
                    // Coding groups 00xx: no sub-fields.
                    0x0..=0x3 => {}
                    // Coding group 1111: coding group, reserved bit 3 (decimal), message coding
                    // (bit 2) and message class.
                    0xF => {
                        self.except(Exception::DataCodingAsGsmDcs, origin);
                        let raw = Some(vec![octet]);
                        let group = format!("0x{:02x}", octet >> 4);
                        self.want("smpp.dcs.sms_coding_group", group, raw.clone(), origin);
                        let reserved = (octet >> 3 & 1).to_string();
                        self.want("smpp.dcs.reserved", reserved, raw.clone(), origin);
                        let charset = format!("0x{:02x}", octet >> 2 & 1);
                        self.want("smpp.dcs.charset", charset, raw.clone(), origin);
                        let class = format!("0x{:02x}", octet & 3);
                        self.want("smpp.dcs.class", class, raw, origin);
                    }
                    _ => panic!(
                        "{origin}: data_coding {octet:#04x}: Wireshark shows smpp.dcs.* \
                         sub-fields for this coding group that this mapping does not model yet; \
                         look at them with tshark and add them"
                    ),
                }
            }
            Shown::AlertOnDelivery => {
                assert_eq!(*v, Ours::NoValue, "{origin}: v3.4 form has no value");
                self.want(
                    "smpp.alert_on_message_delivery_null",
                    String::new(),
                    None,
                    origin,
                );
            }
            Shown::DestAddresses => {
                let Ours::Dests(dests) = v else {
                    panic!("{origin}: destination list expected, ours {v:?}");
                };
                self.dests(dests, origin);
            }
            Shown::UnsuccessSmes => {
                let Ours::Unsuccess(list) = v else {
                    panic!("{origin}: unsuccess list expected, ours {v:?}");
                };
                self.unsuccess(list, origin);
            }
        }
    }

    fn time(&mut self, abs: &'static str, rel: &'static str, if_null: IfNull, s: &[u8], at: &str) {
        if s.is_empty() {
            match if_null {
                IfNull::RelativeZero(field) => {
                    self.except(Exception::NullTimeShownAsRelativeZero, at);
                    if field != rel {
                        self.except(Exception::SubmitMultiNullValidityShownAsSchedule, at);
                    }
                    self.want(field, "0.000000000".to_owned(), Some(vec![0]), at);
                }
                IfNull::NotShown => self.except(Exception::NullTimeNotShown, at),
            }
            return;
        }
        let time = SmppTime::parse(s).unwrap_or_else(|| panic!("{at}: not an SMPP time {s:?}"));
        let raw = Some(with_nul(s));
        if time.relative {
            if time.years != 0 || time.months != 0 || time.tenths != 0 {
                self.except(Exception::RelativeTimeDropsYearsMonthsTenths, at);
            }
            self.want(
                rel,
                format!("{}.000000000", time.wireshark_seconds()),
                raw,
                at,
            );
        } else {
            self.want(abs, time.utc_text(), raw, at);
        }
    }

    fn dests(&mut self, dests: &[DestAddress], at: &str) {
        if dests.is_empty() {
            self.except(Exception::EmptyListNotShown, at);
            return;
        }
        self.except(Exception::CountIsListNode, at);
        let count = u8::try_from(dests.len()).expect("at most 254");
        self.want("smpp.dlist", String::new(), Some(vec![count]), at);
        for (i, d) in dests.iter().enumerate() {
            let origin = format!("{at}[{i}]");
            self.except(Exception::DestFlagNotShown, &origin);
            match d {
                DestAddress::SmeAddress {
                    dest_addr_ton,
                    dest_addr_npi,
                    destination_addr,
                } => {
                    let ton = Ours::Int(u32::from(dest_addr_ton.0));
                    let npi = Ours::Int(u32::from(dest_addr_npi.0));
                    let addr = Ours::Str(destination_addr.as_bytes().to_vec());
                    self.shown(Shown::Hex("smpp.dest_addr_ton", 1), &ton, &origin);
                    self.shown(Shown::Hex("smpp.dest_addr_npi", 1), &npi, &origin);
                    // Inside a list an empty address vanishes.
                    let rule = Shown::Str("smpp.destination_addr", IfEmpty::NotShown);
                    self.shown(rule, &addr, &origin);
                }
                DestAddress::DistributionList { dl_name } => {
                    let name = Ours::Str(dl_name.as_bytes().to_vec());
                    self.shown(
                        Shown::Str("smpp.dl_name", IfEmpty::NotShown),
                        &name,
                        &origin,
                    );
                }
            }
        }
    }

    fn unsuccess(&mut self, list: &[UnsuccessSme], at: &str) {
        if list.is_empty() {
            self.except(Exception::EmptyListNotShown, at);
            return;
        }
        self.except(Exception::CountIsListNode, at);
        let count = u8::try_from(list.len()).expect("at most 254");
        self.want("smpp.dlist_resp", String::new(), Some(vec![count]), at);
        for (i, u) in list.iter().enumerate() {
            let origin = format!("{at}[{i}]");
            let ton = Ours::Int(u32::from(u.dest_addr_ton.0));
            let npi = Ours::Int(u32::from(u.dest_addr_npi.0));
            let addr = Ours::Str(u.destination_addr.as_bytes().to_vec());
            let status = Ours::Int(u.error_status_code.0);
            self.shown(Shown::Hex("smpp.dest_addr_ton", 1), &ton, &origin);
            self.shown(Shown::Hex("smpp.dest_addr_npi", 1), &npi, &origin);
            let rule = Shown::Str("smpp.destination_addr", IfEmpty::NotShown);
            self.shown(rule, &addr, &origin);
            self.shown(Shown::Hex("smpp.error_status_code", 4), &status, &origin);
        }
    }
}

/// What tshark must show for `cmd` (our decode of the PDU's octets).
pub fn expected(cmd: &Command) -> Expected {
    let mut b = Builder {
        out: Expected::default(),
    };
    let id = cmd.command_id();
    let name = id.name().unwrap_or("unknown");
    let header = cmd.header();
    let at = |field: &str| format!("{name}.{field}");
    let length = Ours::Int(header.command_length);
    b.shown(
        Shown::Dec("smpp.command_length", 4),
        &length,
        &at("command_length"),
    );
    b.shown(
        Shown::Hex("smpp.command_id", 4),
        &Ours::Int(id.0),
        &at("command_id"),
    );
    if id.is_response() {
        let status = Ours::Int(cmd.command_status.0);
        b.shown(
            Shown::Hex("smpp.command_status", 4),
            &status,
            &at("command_status"),
        );
    } else {
        b.except(Exception::RequestStatusNotShown, &at("command_status"));
    }
    let seq = Ours::Int(cmd.sequence_number);
    b.shown(
        Shown::Dec("smpp.sequence_number", 4),
        &seq,
        &at("sequence_number"),
    );

    let fields = cmd.pdu.fields();
    let tlvs = cmd.pdu.tlvs();
    if id.is_response() && !cmd.command_status.is_ok() {
        if !fields.is_empty() || tlvs.is_some_and(|t| !t.is_empty()) {
            b.except(Exception::ErrorResponseBodyNotShown, &at("body"));
        }
        return b.out;
    }

    for field in &fields {
        let rule = mandatory_rule(id, field.name);
        b.shown(rule, &Ours::from(field.value), &at(field.name));
    }

    let Some(tlvs) = tlvs else {
        return b.out;
    };
    if !tlvs.is_empty() {
        b.want(
            "smpp.opt_params",
            String::new(),
            Some(tlvs.as_bytes().to_vec()),
            &at("tlvs"),
        );
    }
    for raw in tlvs.iter() {
        let tag = raw.tag;
        let origin = match tag.name() {
            Some(n) => format!("{name}.tlv 0x{:04x} {n}", tag.0),
            None => format!("{name}.tlv 0x{:04x} (unknown)", tag.0),
        };
        let len = u32::try_from(raw.value.len()).expect("TLV length fits u16");
        let mut whole = tag.0.to_be_bytes().to_vec();
        whole.extend_from_slice(&be(len, 2));
        whole.extend_from_slice(&raw.value);
        b.want("smpp.opt_param", String::new(), Some(whole), &origin);
        b.shown(
            Shown::Hex("smpp.opt_param_tag", 2),
            &Ours::Int(u32::from(tag.0)),
            &origin,
        );
        b.shown(
            Shown::Dec("smpp.opt_param_len", 2),
            &Ours::Int(len),
            &origin,
        );
        b.shown(tlv_rule(tag), &tlv_value(&raw.typed()), &origin);
        b.out.tlv_tags.push(tag);
    }

    // The text Wireshark derives from the user data comes after the TLVs.
    let data_coding = fields
        .iter()
        .find(|f| f.name == "data_coding")
        .map(|f| Ours::from(f.value));
    if let Some(Ours::Int(dcs)) = data_coding {
        let alphabet = DECODED_AS_TEXT
            .iter()
            .find(|(v, _)| u32::from(*v) == dcs)
            .map(|(_, a)| *a);
        let short_message = fields
            .iter()
            .find(|f| f.name == "short_message")
            .map(|f| Ours::from(f.value));
        let user_data = match short_message {
            Some(Ours::Octets(o)) if !o.is_empty() => Some(o),
            _ => tlvs.message_payload().map(|p| p.to_vec()),
        };
        if let (Some(alphabet), Some(data)) = (alphabet, user_data) {
            let origin = at("user data as text");
            let text = smpp::text::decode(&data, alphabet, Mode::Strict)
                .unwrap_or_else(|e| panic!("{origin}: our text decoder: {e}"));
            b.except(Exception::DerivedMessageText, &origin);
            b.want("smpp.message_text", text, Some(data), &origin);
        }
    }
    b.out
}

/// An SMPP time `YYMMDDhhmmsstnnp` (§7.1.1), read as Wireshark's `smpp_mktime` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SmppTime {
    years: u32,
    months: u32,
    days: u32,
    hours: u32,
    minutes: u32,
    seconds: u32,
    tenths: u32,
    /// Offset from UTC in quarter hours, signed ('+': ahead of UTC).
    quarters: i64,
    relative: bool,
}

impl SmppTime {
    fn parse(s: &[u8]) -> Option<Self> {
        if s.len() != 16 || !s[..15].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let two = |i: usize| u32::from(s[i] - b'0') * 10 + u32::from(s[i + 1] - b'0');
        let sign = match s[15] {
            b'+' => 1,
            b'-' => -1,
            b'R' => 0,
            _ => return None,
        };
        Some(Self {
            years: two(0),
            months: two(2),
            days: two(4),
            hours: two(6),
            minutes: two(8),
            seconds: two(10),
            tenths: u32::from(s[12] - b'0'),
            quarters: sign * i64::from(two(13)),
            relative: sign == 0,
        })
    }

    /// A relative time as Wireshark counts it: days, hours, minutes and seconds only
    /// ([`Exception::RelativeTimeDropsYearsMonthsTenths`]).
    fn wireshark_seconds(self) -> u64 {
        u64::from(self.seconds)
            + 60 * (u64::from(self.minutes)
                + 60 * (u64::from(self.hours) + 24 * u64::from(self.days)))
    }

    /// An absolute time converted to UTC, printed as tshark prints FT_ABSOLUTE_TIME under
    /// `TZ=UTC`: `Mar 15, 2024 14:35:12.000000000 UTC`. Two-digit years below 38 are 20YY
    /// (Wireshark's pivot; the spec does not say; every time used here is 20YY anyway).
    fn utc_text(self) -> String {
        let year = if self.years < 38 {
            2000 + self.years
        } else {
            1900 + self.years
        };
        let local = days_from_civil(i64::from(year), self.months, self.days) * 86_400
            + i64::from(self.hours * 3600 + self.minutes * 60 + self.seconds);
        // '+': the local time is ahead of UTC, so UTC = local - offset.
        let utc = local - self.quarters * 900;
        let (days, secs) = (utc.div_euclid(86_400), utc.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{} {:>2}, {y} {:02}:{:02}:{:02}.{:09} UTC",
            MONTHS[usize::try_from(m - 1).expect("month")],
            d,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            self.tenths * 100_000_000
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The outcome of comparing one PDU.
#[derive(Debug, Clone, Default)]
pub struct Compared {
    /// Field name + value comparisons made.
    pub values: usize,
    /// Raw-octet comparisons made.
    pub raws: usize,
    /// Every disagreement.
    pub errors: Vec<String>,
}

/// Compares tshark's fields for one PDU with `want`, in order: names, values and raw octets.
pub fn compare(pdu: &SmppPdu, want: &[Want]) -> Compared {
    let mut out = Compared::default();
    let shown = &pdu.fields;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..shown.len().max(want.len()) {
        match (shown.get(i), want.get(i)) {
            (Some((name, value)), Some(w)) => {
                if name != w.field {
                    out.errors.push(format!(
                        "field #{i}: tshark shows {name} = {value:?} where {} = {:?} was \
                         expected (from {}); the rest of the PDU is not compared",
                        w.field, w.value, w.origin
                    ));
                    break;
                }
                out.values += 1;
                if *value != w.value {
                    out.errors.push(format!(
                        "{} ({}): tshark {value:?}, ours {:?}",
                        w.field, w.origin, w.value
                    ));
                }
                let nth = seen.entry(w.field).or_default();
                if let Some(expected_raw) = &w.raw {
                    let raw = pdu
                        .raw
                        .iter()
                        .filter(|(n, _)| n == w.field)
                        .nth(*nth)
                        .map(|(_, r)| r);
                    out.raws += 1;
                    match raw {
                        Some(r) if r == expected_raw => {}
                        Some(r) => out.errors.push(format!(
                            "{} ({}): tshark's octets {}, ours {}",
                            w.field,
                            w.origin,
                            colon_hex(r),
                            colon_hex(expected_raw)
                        )),
                        None => out.errors.push(format!(
                            "{} ({}): tshark gave no raw octets",
                            w.field, w.origin
                        )),
                    }
                }
                *nth += 1;
            }
            (Some((name, value)), None) => out.errors.push(format!(
                "field #{i}: tshark shows {name} = {value:?}, which our decode does not have"
            )),
            (None, Some(w)) => out.errors.push(format!(
                "field #{i}: tshark does not show {} = {:?} (from {})",
                w.field, w.value, w.origin
            )),
            (None, None) => unreachable!(),
        }
    }
    out
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}  [{}]", self.field, self.value, self.origin)
    }
}
