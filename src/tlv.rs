//! Optional parameters (TLVs, §3.2.4 and §5.3): every v3.4 tag typed, unknown tags kept in order.
//!
//! A PDU holds its TLVs as a [`Tlvs`]: the validated TLV stream exactly as it travels, so that any PDU
//! that decodes re-encodes to the same octets, order, duplicates and unknown tags included. Reading
//! it yields typed [`Tlv`] values; building one appends encoded TLVs.

use bytes::{BufMut, Bytes, BytesMut};

use crate::codec::Reader;
use crate::error::DecodeErrorKind;
use crate::pdu::{COctetString, CommandId, MessageState, OctetString};
use crate::wire::wire_enum;

/// network_error_code (0x0423, §5.3.2.31): the network type and its error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct NetworkErrorCode {
    /// 1 ANSI-136, 2 IS-95, 3 GSM; others reserved.
    pub network_type: u8,
    /// The network's error code.
    pub error_code: u16,
}

impl NetworkErrorCode {
    /// Network type 1: ANSI-136 (access denied reason).
    pub const ANSI_136: u8 = 1;
    /// Network type 2: IS-95 (access denied reason).
    pub const IS_95: u8 = 2;
    /// Network type 3: GSM.
    pub const GSM: u8 = 3;

    /// The three octets of the TLV value.
    ///
    /// ```
    /// use smpp::NetworkErrorCode;
    /// let code = NetworkErrorCode::from_bytes(&[0x03, 0x00, 0x22]);
    /// assert_eq!(code, NetworkErrorCode { network_type: NetworkErrorCode::GSM, error_code: 0x22 });
    /// assert_eq!(code.to_bytes(), [0x03, 0x00, 0x22]);
    /// ```
    pub const fn to_bytes(self) -> [u8; 3] {
        let [hi, lo] = self.error_code.to_be_bytes();
        [self.network_type, hi, lo]
    }

    /// From the three octets of the TLV value (the error code big-endian).
    pub const fn from_bytes(b: &[u8; 3]) -> Self {
        let [network_type, hi, lo] = *b;
        Self {
            network_type,
            error_code: u16::from_be_bytes([hi, lo]),
        }
    }

    /// From a TLV value of any length; only 3 octets are valid.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        <&[u8; 3]>::try_from(b).ok().map(Self::from_bytes)
    }

    /// `"ANSI-136"`, `"IS-95"`, `"GSM"`, or `None` for a reserved type.
    pub const fn network_type_name(self) -> Option<&'static str> {
        match self.network_type {
            Self::ANSI_136 => Some("ANSI-136"),
            Self::IS_95 => Some("IS-95"),
            Self::GSM => Some("GSM"),
            _ => None,
        }
    }
}

impl core::fmt::Display for NetworkErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.network_type_name() {
            Some(name) => write!(f, "{name} error {}", self.error_code),
            None => write!(
                f,
                "network type {} error {}",
                self.network_type, self.error_code
            ),
        }
    }
}

/// Why a known TLV's value does not fit its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlvValueError {
    Length(&'static str),
    Value(&'static str),
}

/// A TLV value type: how it is checked, built from checked octets, and written.
pub(crate) trait TlvValue: Sized {
    /// Checks raw value octets against the type.
    fn check(v: &[u8]) -> Result<(), TlvValueError>;
    /// Builds the value from octets `check` accepted.
    fn from_checked(v: Bytes) -> Self;
    fn value_len(&self) -> usize;
    fn write(&self, out: &mut impl BufMut);
}

fn exact_len(v: &[u8], n: usize, expected: &'static str) -> Result<(), TlvValueError> {
    if v.len() == n {
        Ok(())
    } else {
        Err(TlvValueError::Length(expected))
    }
}

impl TlvValue for u8 {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 1, "1")
    }
    fn from_checked(v: Bytes) -> Self {
        v.first().copied().unwrap_or_default()
    }
    fn value_len(&self) -> usize {
        1
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u8(*self);
    }
}

impl TlvValue for u16 {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 2, "2")
    }
    fn from_checked(v: Bytes) -> Self {
        <[u8; 2]>::try_from(&v[..])
            .map(u16::from_be_bytes)
            .unwrap_or_default()
    }
    fn value_len(&self) -> usize {
        2
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u16(*self);
    }
}

impl TlvValue for u32 {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 4, "4")
    }
    fn from_checked(v: Bytes) -> Self {
        <[u8; 4]>::try_from(&v[..])
            .map(u32::from_be_bytes)
            .unwrap_or_default()
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u32(*self);
    }
}

impl TlvValue for () {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 0, "0")
    }
    fn from_checked(_: Bytes) -> Self {}
    fn value_len(&self) -> usize {
        0
    }
    fn write(&self, _: &mut impl BufMut) {}
}

impl TlvValue for MessageState {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 1, "1")
    }
    fn from_checked(v: Bytes) -> Self {
        Self(u8::from_checked(v))
    }
    fn value_len(&self) -> usize {
        1
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_u8(self.0);
    }
}

impl TlvValue for NetworkErrorCode {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        exact_len(v, 3, "3")
    }
    fn from_checked(v: Bytes) -> Self {
        Self::from_slice(&v).unwrap_or_default()
    }
    fn value_len(&self) -> usize {
        3
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_slice(&self.to_bytes());
    }
}

impl<const MAX: usize> TlvValue for COctetString<MAX> {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        // §5.3.2: a C-Octet String value is its characters and the NUL, within the maximum.
        if v.is_empty() || v.len() > MAX {
            return Err(TlvValueError::Length(const { c_octet_expected(MAX) }));
        }
        match crate::codec::find_nul(v) {
            Some(i) if i + 1 == v.len() => Ok(()),
            Some(_) => Err(TlvValueError::Value(
                "NUL before the end of a C-Octet String",
            )),
            None => Err(TlvValueError::Value("C-Octet String without its NUL")),
        }
    }
    fn from_checked(v: Bytes) -> Self {
        Self::from_frame(&v, 0..v.len().saturating_sub(1))
    }
    fn value_len(&self) -> usize {
        self.len() + 1
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_slice(self.as_bytes());
        out.put_u8(0);
    }
}

const fn c_octet_expected(max: usize) -> &'static str {
    match max {
        65 => "1..=65 (C-Octet String)",
        256 => "1..=256 (C-Octet String)",
        _ => "a C-Octet String",
    }
}

impl<const MIN: usize, const MAX: usize> TlvValue for OctetString<MIN, MAX> {
    fn check(v: &[u8]) -> Result<(), TlvValueError> {
        if (MIN..=MAX).contains(&v.len()) {
            Ok(())
        } else {
            Err(TlvValueError::Length(const { octets_expected(MIN, MAX) }))
        }
    }
    fn from_checked(v: Bytes) -> Self {
        Self::new(v).unwrap_or_default()
    }
    fn value_len(&self) -> usize {
        self.len()
    }
    fn write(&self, out: &mut impl BufMut) {
        out.put_slice(self.as_bytes());
    }
}

const fn octets_expected(min: usize, max: usize) -> &'static str {
    match (min, max) {
        (2, 23) => "2..=23",
        (4, 19) => "4..=19",
        (0, 65) => "0..=65",
        (2, 2) => "2",
        _ => "0..=65535",
    }
}

macro_rules! tlvs {
    ($( $variant:ident($ty:ty) = $tag:literal, $konst:ident, $name:literal, $section:literal; )*) => {
        wire_enum! {
            /// A TLV tag (§5.3.2, T 5-7). Open: vendor and unknown tags keep their number.
            ///
            /// ```
            /// use smpp::TlvTag;
            /// assert_eq!(TlvTag::MESSAGE_PAYLOAD.name(), Some("message_payload"));
            /// assert_eq!(TlvTag(0x1400).to_string(), "0x1400");
            /// ```
            pub struct TlvTag(u16) {
                $( #[doc = concat!("`", $name, "` (", $section, ").")] $konst = $tag => $name, )*
            }
            hex = 4;
        }

        /// A typed TLV. Values are checked when built, so encoding cannot fail.
        ///
        /// ```
        /// use smpp::{Tlv, TlvTag};
        /// let t = Tlv::UserMessageReference(7);
        /// assert_eq!(t.tag(), TlvTag::USER_MESSAGE_REFERENCE);
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Tlv {
            $( #[doc = concat!("`", $name, "` (", $section, ").")] $variant($ty), )*
            /// A tag v3.4 does not define (vendor, SMPP 5.0 or reserved), or a known tag whose value
            /// lenient decoding found malformed: its octets as they came.
            Other {
                /// The tag.
                tag: TlvTag,
                /// The value.
                value: OctetString<0, 65535>,
            },
        }

        impl Tlv {
            /// The tag.
            pub fn tag(&self) -> TlvTag {
                match self {
                    $( Self::$variant(_) => TlvTag::$konst, )*
                    Self::Other { tag, .. } => *tag,
                }
            }

            /// Types a TLV from its tag and value octets; a known tag with a malformed value falls
            /// back to [`Tlv::Other`].
            pub fn from_raw(tag: TlvTag, value: Bytes) -> Self {
                match Self::typed(tag, &value) {
                    Ok(Some(t)) => t,
                    _ => Self::Other { tag, value: OctetString::new(value).unwrap_or_default() },
                }
            }

            fn typed(tag: TlvTag, value: &Bytes) -> Result<Option<Self>, TlvValueError> {
                match tag.0 {
                    $( $tag => {
                        <$ty as TlvValue>::check(value)?;
                        Ok(Some(Self::$variant(<$ty as TlvValue>::from_checked(value.clone()))))
                    } )*
                    _ => Ok(None),
                }
            }

            /// The length of the value octets.
            pub fn value_len(&self) -> usize {
                match self {
                    $( Self::$variant(v) => TlvValue::value_len(v), )*
                    Self::Other { value, .. } => value.len(),
                }
            }

            /// Writes the value octets (without tag and length).
            pub fn write_value(&self, out: &mut impl BufMut) {
                match self {
                    $( Self::$variant(v) => TlvValue::write(v, out), )*
                    Self::Other { value, .. } => out.put_slice(value.as_bytes()),
                }
            }
        }

        /// A well-formed TLV with this known tag, its value drawn from `u` (`None` for unknown tags).
        #[cfg(feature = "arbitrary")]
        pub(crate) fn arbitrary_known(
            tag: TlvTag,
            u: &mut arbitrary::Unstructured<'_>,
        ) -> arbitrary::Result<Option<Tlv>> {
            Ok(match tag.0 {
                $( $tag => Some(Tlv::$variant(u.arbitrary::<$ty>()?)), )*
                _ => None,
            })
        }

        /// A strategy for well-formed TLVs with this known tag (`None` for unknown tags).
        #[cfg(feature = "proptest")]
        pub(crate) fn strategy_known(tag: TlvTag) -> Option<proptest::strategy::BoxedStrategy<Tlv>> {
            use proptest::strategy::Strategy as _;
            match tag.0 {
                $( $tag => Some(proptest::arbitrary::any::<$ty>().prop_map(Tlv::$variant).boxed()), )*
                _ => None,
            }
        }

        /// Checks a known tag's value: `Ok(true)` for a good value of a known tag, `Ok(false)` for an
        /// unknown tag.
        #[inline]
        pub(crate) fn check_value(tag: TlvTag, value: &[u8]) -> Result<bool, TlvValueError> {
            match tag.0 {
                $( $tag => <$ty as TlvValue>::check(value).map(|()| true), )*
                _ => Ok(false),
            }
        }
    };
}

tlvs! {
    DestAddrSubunit(u8) = 0x0005, DEST_ADDR_SUBUNIT, "dest_addr_subunit", "§5.3.2.1";
    DestNetworkType(u8) = 0x0006, DEST_NETWORK_TYPE, "dest_network_type", "§5.3.2.3";
    DestBearerType(u8) = 0x0007, DEST_BEARER_TYPE, "dest_bearer_type", "§5.3.2.5";
    DestTelematicsId(u16) = 0x0008, DEST_TELEMATICS_ID, "dest_telematics_id", "§5.3.2.7";
    SourceAddrSubunit(u8) = 0x000D, SOURCE_ADDR_SUBUNIT, "source_addr_subunit", "§5.3.2.2";
    SourceNetworkType(u8) = 0x000E, SOURCE_NETWORK_TYPE, "source_network_type", "§5.3.2.4";
    SourceBearerType(u8) = 0x000F, SOURCE_BEARER_TYPE, "source_bearer_type", "§5.3.2.6";
    SourceTelematicsId(u8) = 0x0010, SOURCE_TELEMATICS_ID, "source_telematics_id", "§5.3.2.8";
    QosTimeToLive(u32) = 0x0017, QOS_TIME_TO_LIVE, "qos_time_to_live", "§5.3.2.9";
    PayloadType(u8) = 0x0019, PAYLOAD_TYPE, "payload_type", "§5.3.2.10";
    AdditionalStatusInfoText(COctetString<256>) = 0x001D, ADDITIONAL_STATUS_INFO_TEXT, "additional_status_info_text", "§5.3.2.11";
    ReceiptedMessageId(COctetString<65>) = 0x001E, RECEIPTED_MESSAGE_ID, "receipted_message_id", "§5.3.2.12";
    MsMsgWaitFacilities(u8) = 0x0030, MS_MSG_WAIT_FACILITIES, "ms_msg_wait_facilities", "§5.3.2.13";
    PrivacyIndicator(u8) = 0x0201, PRIVACY_INDICATOR, "privacy_indicator", "§5.3.2.14";
    SourceSubaddress(OctetString<2, 23>) = 0x0202, SOURCE_SUBADDRESS, "source_subaddress", "§5.3.2.15";
    DestSubaddress(OctetString<2, 23>) = 0x0203, DEST_SUBADDRESS, "dest_subaddress", "§5.3.2.16";
    UserMessageReference(u16) = 0x0204, USER_MESSAGE_REFERENCE, "user_message_reference", "§5.3.2.17";
    UserResponseCode(u8) = 0x0205, USER_RESPONSE_CODE, "user_response_code", "§5.3.2.18";
    SourcePort(u16) = 0x020A, SOURCE_PORT, "source_port", "§5.3.2.20";
    DestinationPort(u16) = 0x020B, DESTINATION_PORT, "destination_port", "§5.3.2.21";
    SarMsgRefNum(u16) = 0x020C, SAR_MSG_REF_NUM, "sar_msg_ref_num", "§5.3.2.22";
    LanguageIndicator(u8) = 0x020D, LANGUAGE_INDICATOR, "language_indicator", "§5.3.2.19";
    SarTotalSegments(u8) = 0x020E, SAR_TOTAL_SEGMENTS, "sar_total_segments", "§5.3.2.23";
    SarSegmentSeqnum(u8) = 0x020F, SAR_SEGMENT_SEQNUM, "sar_segment_seqnum", "§5.3.2.24";
    ScInterfaceVersion(u8) = 0x0210, SC_INTERFACE_VERSION, "sc_interface_version", "§5.3.2.25";
    CallbackNumPresInd(u8) = 0x0302, CALLBACK_NUM_PRES_IND, "callback_num_pres_ind", "§5.3.2.37";
    CallbackNumAtag(OctetString<0, 65>) = 0x0303, CALLBACK_NUM_ATAG, "callback_num_atag", "§5.3.2.38";
    NumberOfMessages(u8) = 0x0304, NUMBER_OF_MESSAGES, "number_of_messages", "§5.3.2.39";
    CallbackNum(OctetString<4, 19>) = 0x0381, CALLBACK_NUM, "callback_num", "§5.3.2.36";
    DpfResult(u8) = 0x0420, DPF_RESULT, "dpf_result", "§5.3.2.28";
    SetDpf(u8) = 0x0421, SET_DPF, "set_dpf", "§5.3.2.29";
    MsAvailabilityStatus(u8) = 0x0422, MS_AVAILABILITY_STATUS, "ms_availability_status", "§5.3.2.30";
    NetworkErrorCode(NetworkErrorCode) = 0x0423, NETWORK_ERROR_CODE, "network_error_code", "§5.3.2.31";
    MessagePayload(OctetString<0, 65535>) = 0x0424, MESSAGE_PAYLOAD, "message_payload", "§5.3.2.32";
    DeliveryFailureReason(u8) = 0x0425, DELIVERY_FAILURE_REASON, "delivery_failure_reason", "§5.3.2.33";
    MoreMessagesToSend(u8) = 0x0426, MORE_MESSAGES_TO_SEND, "more_messages_to_send", "§5.3.2.34";
    MessageState(MessageState) = 0x0427, MESSAGE_STATE, "message_state", "§5.3.2.35";
    UssdServiceOp(u8) = 0x0501, USSD_SERVICE_OP, "ussd_service_op", "§5.3.2.44";
    DisplayTime(u8) = 0x1201, DISPLAY_TIME, "display_time", "§5.3.2.26";
    SmsSignal(u16) = 0x1203, SMS_SIGNAL, "sms_signal", "§5.3.2.40";
    MsValidity(u8) = 0x1204, MS_VALIDITY, "ms_validity", "§5.3.2.27";
    AlertOnMessageDelivery(()) = 0x130C, ALERT_ON_MESSAGE_DELIVERY, "alert_on_message_delivery", "§5.3.2.41";
    ItsReplyType(u8) = 0x1380, ITS_REPLY_TYPE, "its_reply_type", "§5.3.2.42";
    ItsSessionInfo(OctetString<2, 2>) = 0x1383, ITS_SESSION_INFO, "its_session_info", "§5.3.2.43";
}

/// One TLV as it travels: its tag and value octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTlv {
    /// The tag.
    pub tag: TlvTag,
    /// The value octets.
    pub value: Bytes,
}

impl RawTlv {
    /// The typed form ([`Tlv::Other`] for unknown tags and malformed values).
    pub fn typed(&self) -> Tlv {
        Tlv::from_raw(self.tag, self.value.clone())
    }
}

/// The TLVs of one PDU, in wire order, held as their encoded octets.
///
/// ```
/// use smpp::{Tlv, Tlvs, TlvTag};
/// let mut tlvs = Tlvs::new();
/// tlvs.push(Tlv::UserMessageReference(1));
/// tlvs.push(Tlv::Other { tag: TlvTag(0x1400), value: smpp::OctetString::new(&b"\x01"[..]).unwrap() });
/// assert_eq!(tlvs.as_bytes(), &[0x02, 0x04, 0x00, 0x02, 0x00, 0x01, 0x14, 0x00, 0x00, 0x01, 0x01]);
/// assert_eq!(tlvs.get(TlvTag::USER_MESSAGE_REFERENCE), Some(Tlv::UserMessageReference(1)));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Tlvs(Bytes);

impl Tlvs {
    /// No TLVs.
    pub const fn new() -> Self {
        Self(Bytes::new())
    }

    /// Appends a TLV.
    pub fn push(&mut self, tlv: Tlv) {
        let len = tlv.value_len();
        let mut buf = BytesMut::with_capacity(self.0.len() + 4 + len);
        buf.put_slice(&self.0);
        buf.put_u16(tlv.tag().0);
        // Invariant: every typed value is at most 65535 octets.
        buf.put_u16(u16::try_from(len).unwrap_or(u16::MAX));
        tlv.write_value(&mut buf);
        self.0 = buf.freeze();
    }

    /// Appends a TLV with this tag and value, typed or not.
    pub fn push_raw(&mut self, tag: TlvTag, value: OctetString<0, 65535>) {
        self.push(Tlv::Other { tag, value });
    }

    /// The TLVs as raw tag/value pairs, in wire order.
    pub fn iter(&self) -> TlvIter<'_> {
        TlvIter {
            tlvs: &self.0,
            pos: 0,
        }
    }

    /// The TLVs typed, in wire order.
    pub fn typed(&self) -> impl Iterator<Item = Tlv> + '_ {
        self.iter().map(|raw| raw.typed())
    }

    /// The first TLV with this tag, typed.
    pub fn get(&self, tag: TlvTag) -> Option<Tlv> {
        self.get_raw(tag).map(|v| Tlv::from_raw(tag, v))
    }

    /// The value octets of the first TLV with this tag.
    pub fn get_raw(&self, tag: TlvTag) -> Option<Bytes> {
        self.find(tag).map(|r| self.0.slice(r))
    }

    /// Whether a TLV with this tag is present.
    pub fn contains(&self, tag: TlvTag) -> bool {
        self.find(tag).is_some()
    }

    /// The range of the value of the first TLV with this tag.
    fn find(&self, tag: TlvTag) -> Option<core::ops::Range<usize>> {
        let mut rest: &[u8] = &self.0;
        while let Some((t, _, value, next)) = split_tlv(rest) {
            if t == tag {
                let start = self.0.len() - rest.len() + 4;
                return Some(start..start + value.len());
            }
            rest = next;
        }
        None
    }

    /// The number of TLVs.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The encoded TLV stream.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// message_payload (0x0424), if present.
    pub fn message_payload(&self) -> Option<Bytes> {
        self.get_raw(TlvTag::MESSAGE_PAYLOAD)
    }

    /// receipted_message_id (0x001E), if present and well formed.
    pub fn receipted_message_id(&self) -> Option<COctetString<65>> {
        match self.get(TlvTag::RECEIPTED_MESSAGE_ID) {
            Some(Tlv::ReceiptedMessageId(v)) => Some(v),
            _ => None,
        }
    }

    /// message_state (0x0427), if present and well formed.
    pub fn message_state(&self) -> Option<MessageState> {
        match self.get(TlvTag::MESSAGE_STATE) {
            Some(Tlv::MessageState(v)) => Some(v),
            _ => None,
        }
    }

    /// network_error_code (0x0423), if present and well formed.
    pub fn network_error_code(&self) -> Option<NetworkErrorCode> {
        match self.get(TlvTag::NETWORK_ERROR_CODE) {
            Some(Tlv::NetworkErrorCode(v)) => Some(v),
            _ => None,
        }
    }

    /// The SAR triple `(sar_msg_ref_num, sar_total_segments, sar_segment_seqnum)`, when all three are
    /// present and well formed.
    pub fn sar(&self) -> Option<(u16, u8, u8)> {
        let r = match self.get(TlvTag::SAR_MSG_REF_NUM) {
            Some(Tlv::SarMsgRefNum(v)) => v,
            _ => return None,
        };
        let t = match self.get(TlvTag::SAR_TOTAL_SEGMENTS) {
            Some(Tlv::SarTotalSegments(v)) => v,
            _ => return None,
        };
        let s = match self.get(TlvTag::SAR_SEGMENT_SEQNUM) {
            Some(Tlv::SarSegmentSeqnum(v)) => v,
            _ => return None,
        };
        Some((r, t, s))
    }

    pub(crate) fn wire_len(&self) -> usize {
        self.0.len()
    }

    #[inline]
    pub(crate) fn write(&self, w: &mut crate::codec::Writer<'_>) {
        w.bytes(&self.0);
    }

    /// Reads and checks the TLVs that end the body (§3.2.4: TLVs follow the mandatory fields).
    pub(crate) fn read(r: &mut Reader<'_>, command_id: CommandId, allowed: &[TlvTag]) -> Self {
        let start = r.pos();
        let stream = r.rest();
        let mut rest: &[u8] = &stream;
        // Tags seen that other tags depend on (§5.3.2.22-24, §5.3.2.36-38).
        let (mut sar, mut callback_num, mut callback_extra) = ([false; 3], false, None);
        while !rest.is_empty() && !r.failed() {
            let at = start + (stream.len() - rest.len());
            let available = rest.len();
            let Some((tag, len, value, next)) = split_tlv(rest) else {
                let needed = rest
                    .get(2..4)
                    .map_or(4, |l| 4 + usize::from(u16::from_be_bytes([l[0], l[1]])));
                r.fail_at(at, DecodeErrorKind::TlvTruncated { needed, available });
                return Self::new();
            };
            rest = next;
            match check_value(tag, value) {
                Ok(false) => continue, // unknown tag: §3.3, ignored and kept
                Ok(true) => {}
                Err(e) => {
                    let kind = match e {
                        TlvValueError::Length(expected) => DecodeErrorKind::TlvLength {
                            tag,
                            length: len,
                            expected,
                        },
                        TlvValueError::Value(reason) => DecodeErrorKind::TlvValue { tag, reason },
                    };
                    r.deviation_at(at, kind);
                }
            }
            // §3.3 says a receiver ignores a known TLV not expected in this PDU; strict decoding reports
            // it as ESME_ROPTPARNOTALLWD so that a test shows the sender's mistake.
            // No early exit, so that the compiler compares the whole (short) list at once.
            if !allowed.iter().fold(false, |hit, t| hit | (t.0 == tag.0)) {
                r.deviation_at(at, DecodeErrorKind::TlvNotAllowed { tag, command_id });
            }
            match tag {
                TlvTag::SAR_MSG_REF_NUM => sar[0] = true,
                TlvTag::SAR_TOTAL_SEGMENTS => sar[1] = true,
                TlvTag::SAR_SEGMENT_SEQNUM => sar[2] = true,
                TlvTag::CALLBACK_NUM => callback_num = true,
                TlvTag::CALLBACK_NUM_PRES_IND | TlvTag::CALLBACK_NUM_ATAG => {
                    callback_extra = Some(tag)
                }
                _ => {}
            }
        }
        const SAR: [TlvTag; 3] = [
            TlvTag::SAR_MSG_REF_NUM,
            TlvTag::SAR_TOTAL_SEGMENTS,
            TlvTag::SAR_SEGMENT_SEQNUM,
        ];
        if let Some(i) = sar.iter().position(|p| *p) {
            let because = SAR.get(i).copied().unwrap_or(TlvTag::SAR_MSG_REF_NUM);
            for (missing, _) in SAR.iter().zip(sar).filter(|(_, p)| !*p) {
                r.deviation_at(
                    start,
                    DecodeErrorKind::TlvMissing {
                        missing: *missing,
                        because,
                    },
                );
            }
        }
        if let (Some(because), false) = (callback_extra, callback_num) {
            r.deviation_at(
                start,
                DecodeErrorKind::TlvMissing {
                    missing: TlvTag::CALLBACK_NUM,
                    because,
                },
            );
        }
        Self(stream)
    }
}

/// Splits one whole TLV off the front: (tag, length, value, rest), or `None` when it is cut short.
#[inline]
fn split_tlv(b: &[u8]) -> Option<(TlvTag, u16, &[u8], &[u8])> {
    let (head, rest) = b.split_first_chunk::<4>()?;
    let tag = TlvTag(u16::from_be_bytes([head[0], head[1]]));
    let len = u16::from_be_bytes([head[2], head[3]]);
    let (value, rest) = rest.split_at_checked(usize::from(len))?;
    Some((tag, len, value, rest))
}

impl core::fmt::Debug for Tlvs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.typed()).finish()
    }
}

impl FromIterator<Tlv> for Tlvs {
    fn from_iter<I: IntoIterator<Item = Tlv>>(iter: I) -> Self {
        let mut buf = BytesMut::new();
        for tlv in iter {
            buf.put_u16(tlv.tag().0);
            buf.put_u16(u16::try_from(tlv.value_len()).unwrap_or(u16::MAX));
            tlv.write_value(&mut buf);
        }
        Self(buf.freeze())
    }
}

impl From<Vec<Tlv>> for Tlvs {
    fn from(v: Vec<Tlv>) -> Self {
        v.into_iter().collect()
    }
}

/// Iterator over the raw TLVs of a [`Tlvs`].
///
/// On a stream cut short it yields the last TLV with the octets that are there and stops.
pub struct TlvIter<'a> {
    tlvs: &'a Bytes,
    pos: usize,
}

impl Iterator for TlvIter<'_> {
    type Item = RawTlv;

    fn next(&mut self) -> Option<RawTlv> {
        let head = self.tlvs.get(self.pos..self.pos.checked_add(4)?)?;
        let tag = TlvTag(u16::from_be_bytes([
            head.first().copied()?,
            head.get(1).copied()?,
        ]));
        let len = usize::from(u16::from_be_bytes([
            head.get(2).copied()?,
            head.get(3).copied()?,
        ]));
        let start = self.pos + 4;
        let end = start + len;
        let stop = end.min(self.tlvs.len());
        self.pos = end;
        Some(RawTlv {
            tag,
            value: self.tlvs.slice(start..stop),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_round_trips_its_name() {
        for tag in TlvTag::ALL {
            let name = tag.name().unwrap_or_default();
            assert_eq!(TlvTag::from_name(name), Some(*tag));
        }
        assert_eq!(TlvTag::ALL.len(), 44);
    }

    #[test]
    fn malformed_known_value_falls_back_to_other() {
        let t = Tlv::from_raw(TlvTag::USER_MESSAGE_REFERENCE, Bytes::from_static(&[1]));
        assert!(matches!(t, Tlv::Other { .. }));
    }
}
