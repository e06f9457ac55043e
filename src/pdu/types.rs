//! Field types of PDU bodies: C-Octet and Octet Strings, times, and the small enumerations of §5.2.

use std::borrow::Cow;

use bytes::Bytes;

use crate::codec::{Reader, WireField, Writer};
use crate::error::DecodeErrorKind;
use crate::fields::FieldValue;
use crate::wire::wire_enum;

/// A value that does not fit the field it was meant for (raised when building a PDU, never on decode).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Longer than the field allows.
    #[error("{len} octets is above the maximum of {max}")]
    TooLong {
        /// The maximum, in octets (without the NUL of a C-Octet String).
        max: usize,
        /// The length given.
        len: usize,
    },
    /// Shorter than the field allows.
    #[error("{len} octets is below the minimum of {min}")]
    TooShort {
        /// The minimum, in octets.
        min: usize,
        /// The length given.
        len: usize,
    },
    /// A C-Octet String cannot hold a NUL (§3.1).
    #[error("a C-Octet String cannot contain NUL")]
    ContainsNul,
    /// Not a valid SMPP time `YYMMDDhhmmsstnnp` (§7.1.1).
    #[error("not an SMPP time YYMMDDhhmmsstnnp")]
    InvalidTime,
    /// Too many entries for a list with a one-octet count.
    #[error("{len} entries is above the maximum of {max}")]
    TooManyEntries {
        /// The maximum.
        max: usize,
        /// The number given.
        len: usize,
    },
}

/// A C-Octet String (§3.1) of at most `MAX` octets **including** its NUL, held without the NUL.
///
/// [`COctetString::new`] refuses NULs and over-long values, so a PDU built through the API always
/// encodes to a valid field; lenient decoding may hold an over-long value it received, so that it
/// re-encodes to the same octets.
///
/// ```
/// use smpp::COctetString;
/// let addr = COctetString::<21>::new("447911123456").unwrap();
/// assert_eq!(addr.as_str(), Some("447911123456"));
/// assert!(COctetString::<6>::new("TOOLONG").is_err());
/// ```
#[derive(Clone)]
pub struct COctetString<const MAX: usize>(Repr);

/// Strings up to this many octets live inline, without a heap or a shared buffer: decoding copies
/// them instead of touching a reference count. Longer ones share the frame's buffer.
const INLINE_CAP: usize = 23;

/// Short strings inline (always NUL-terminated on the wire); longer ones, and strings lenient
/// decoding found without their NUL, as a shared slice of the frame that **includes the NUL when
/// there was one**: a content octet is never NUL, so a trailing NUL tells the two apart and the type
/// stays two variants (32 octets).
#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE_CAP] },
    Shared(Bytes),
}

impl Repr {
    #[inline]
    fn from_slice(v: &[u8]) -> Option<Self> {
        let mut buf = [0u8; INLINE_CAP];
        buf.get_mut(..v.len())?.copy_from_slice(v);
        Some(Self::Inline {
            len: v.len() as u8,
            buf,
        })
    }

    /// A shared value from content octets (no NUL): the NUL is appended.
    fn shared_terminated(content: &[u8]) -> Self {
        let mut b = bytes::BytesMut::with_capacity(content.len() + 1);
        b.extend_from_slice(content);
        b.extend_from_slice(&[0]);
        Self::Shared(b.freeze())
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Self::Shared(b) => match b.split_last() {
                Some((0, content)) => content,
                _ => b,
            },
        }
    }
}

impl<const MAX: usize> COctetString<MAX> {
    /// The most characters the field holds (its size without the NUL).
    pub const MAX_LEN: usize = MAX - 1;

    /// A checked value: no NUL, at most `MAX - 1` octets.
    pub fn new(value: impl Into<Bytes>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong {
                max: Self::MAX_LEN,
                len: value.len(),
            });
        }
        if memchr::memchr(0, &value).is_some() {
            return Err(ValueError::ContainsNul);
        }
        Ok(Self(
            Repr::from_slice(&value).unwrap_or_else(|| Repr::shared_terminated(&value)),
        ))
    }

    /// The empty string (a "NULL" field, §3.1).
    pub const fn empty() -> Self {
        Self(Repr::Inline {
            len: 0,
            buf: [0; INLINE_CAP],
        })
    }

    /// A terminated value from `frame[range]`, where `frame[range.end]` is its NUL: copied inline
    /// when short, else a slice of the frame (NUL included).
    #[inline]
    pub(crate) fn from_frame(frame: &Bytes, range: core::ops::Range<usize>) -> Self {
        let len = range.len();
        if len == 0 {
            return Self::empty();
        }
        if len <= INLINE_CAP {
            // Copy a fixed-size window when the frame has one (octets past `len` are never read):
            // a fixed-size copy is a couple of moves, where a variable one is a call to memcpy.
            let window = range.start..range.start + INLINE_CAP;
            if let Some(chunk) = frame
                .get(window)
                .and_then(|c| <[u8; INLINE_CAP]>::try_from(c).ok())
            {
                return Self(Repr::Inline {
                    len: len as u8,
                    buf: chunk,
                });
            }
            if let Some(r) = frame.get(range.clone()).and_then(Repr::from_slice) {
                return Self(r);
            }
        }
        match frame.get(range.end) {
            Some(0) => Self(Repr::Shared(frame.slice(range.start..range.end + 1))),
            _ => Self(
                Repr::from_slice(frame.get(range).unwrap_or_default())
                    .unwrap_or_else(|| Repr::Shared(Bytes::new())),
            ),
        }
    }

    /// A value lenient decoding read from `frame[range]` with no NUL after it: it re-encodes
    /// without one.
    pub(crate) fn unterminated(frame: &Bytes, range: core::ops::Range<usize>) -> Self {
        Self(Repr::Shared(frame.slice(range)))
    }

    /// The octets, without the NUL.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The value as a [`Bytes`] handle (without the NUL).
    pub fn to_bytes(&self) -> Bytes {
        match &self.0 {
            Repr::Inline { .. } => Bytes::copy_from_slice(self.as_bytes()),
            Repr::Shared(b) => b.slice(..self.len()),
        }
    }

    /// Whether the value encodes with its NUL: always, except for a value lenient decoding read
    /// from a string the end of the body cut before its NUL (a
    /// [`COctetNotTerminated`](crate::DecodeErrorKind::COctetNotTerminated) warning), which
    /// re-encodes as it came, without one.
    pub fn is_terminated(&self) -> bool {
        match &self.0 {
            Repr::Inline { .. } => true,
            Repr::Shared(b) => b.last() == Some(&0),
        }
    }

    /// The value as `&str` when it is UTF-8 (SMPP strings are ASCII).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// The value as text, with invalid UTF-8 replaced.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// Length in octets, without the NUL.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether this is the empty ("NULL") string.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

impl<const MAX: usize> Default for COctetString<MAX> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<const MAX: usize> PartialEq for COctetString<MAX> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const MAX: usize> Eq for COctetString<MAX> {}

impl<const MAX: usize> PartialOrd for COctetString<MAX> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<const MAX: usize> Ord for COctetString<MAX> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl<const MAX: usize> core::hash::Hash for COctetString<MAX> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl<const MAX: usize> core::fmt::Debug for COctetString<MAX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.to_str_lossy(), f)
    }
}

impl<const MAX: usize> core::fmt::Display for COctetString<MAX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

impl<const MAX: usize> TryFrom<&str> for COctetString<MAX> {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}

impl<const MAX: usize> TryFrom<String> for COctetString<MAX> {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        Self::new(value)
    }
}

impl<const MAX: usize> TryFrom<&[u8]> for COctetString<MAX> {
    type Error = ValueError;
    fn try_from(value: &[u8]) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(value))
    }
}

impl<const MAX: usize> PartialEq<str> for COctetString<MAX> {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const MAX: usize> PartialEq<&str> for COctetString<MAX> {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const MAX: usize> WireField for COctetString<MAX> {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
        let range = r.c_octet(field, MAX);
        // The reader stops past the NUL, or at the end of the body when lenient decoding
        // accepted a string without one.
        if !r.failed() && r.pos() == range.end {
            return Self::unterminated(r.frame(), range);
        }
        Self::from_frame(r.frame(), range)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        match &self.0 {
            Repr::Inline { len: 0, .. } => w.u8(0),
            Repr::Inline { len, buf } => {
                w.padded(buf, usize::from(*len));
                w.u8(0);
            }
            // The NUL, when there is one, is part of the slice.
            Repr::Shared(b) => w.bytes(b),
        }
    }
    #[inline]
    fn wire_len(&self) -> usize {
        self.len() + usize::from(self.is_terminated())
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::COctet(self.as_bytes())
    }
}

/// An Octet String of `MIN..=MAX` octets (TLV values such as callback_num, §5.3.2).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct OctetString<const MIN: usize, const MAX: usize>(Bytes);

impl<const MIN: usize, const MAX: usize> OctetString<MIN, MAX> {
    /// A checked value of `MIN..=MAX` octets.
    pub fn new(value: impl Into<Bytes>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.len() > MAX {
            return Err(ValueError::TooLong {
                max: MAX,
                len: value.len(),
            });
        }
        if value.len() < MIN {
            return Err(ValueError::TooShort {
                min: MIN,
                len: value.len(),
            });
        }
        Ok(Self(value))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as a shared [`Bytes`] handle.
    pub fn to_bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds no octets.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const MIN: usize, const MAX: usize> core::fmt::Debug for OctetString<MIN, MAX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "0x{}", hex::encode(&self.0))
    }
}

/// short_message: 0..=254 octets of user data, its sm_length derived on encode (§5.2.21).
///
/// ```
/// use smpp::ShortMessage;
/// assert_eq!(ShortMessage::new(&b"Hello"[..]).unwrap().len(), 5);
/// assert!(ShortMessage::new(vec![0u8; 255]).is_err()); // §5.2.21: 255 is not allowed
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct ShortMessage(Bytes);

impl ShortMessage {
    /// The largest sm_length the spec allows.
    pub const MAX_LEN: usize = 254;

    /// A checked value of at most 254 octets.
    pub fn new(value: impl Into<Bytes>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong {
                max: Self::MAX_LEN,
                len: value.len(),
            });
        }
        Ok(Self(value))
    }

    /// No user data (sm_length 0).
    pub const fn empty() -> Self {
        Self(Bytes::new())
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as a shared [`Bytes`] handle.
    pub fn to_bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// sm_length.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether sm_length is 0.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for ShortMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) if s.chars().all(|c| !c.is_control()) => core::fmt::Debug::fmt(s, f),
            _ => write!(f, "0x{}", hex::encode(&self.0)),
        }
    }
}

impl TryFrom<&[u8]> for ShortMessage {
    type Error = ValueError;
    fn try_from(value: &[u8]) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(value))
    }
}

impl TryFrom<&str> for ShortMessage {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Self::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}

/// Takes the vector without copying (`ucs2_octets.try_into()?`).
impl TryFrom<Vec<u8>> for ShortMessage {
    type Error = ValueError;
    fn try_from(value: Vec<u8>) -> Result<Self, ValueError> {
        Self::new(value)
    }
}

impl TryFrom<Bytes> for ShortMessage {
    type Error = ValueError;
    fn try_from(value: Bytes) -> Result<Self, ValueError> {
        Self::new(value)
    }
}

impl WireField for ShortMessage {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
        let at = r.pos();
        let sm_length = r.u8("sm_length");
        // §5.2.21: "0 = no user data, 1 - 254 allowed, 255 not allowed".
        if usize::from(sm_length) > Self::MAX_LEN {
            r.deviation_at(at, DecodeErrorKind::InvalidSmLength { sm_length });
        }
        Self(r.octets(field, usize::from(sm_length)))
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        // Invariant: at most 255 octets (254 through `new`, 255 only from lenient decoding).
        w.u8(u8::try_from(self.0.len()).unwrap_or(u8::MAX));
        w.bytes(&self.0);
    }
    fn wire_len(&self) -> usize {
        1 + self.0.len()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Octets(&self.0)
    }
}

/// schedule_delivery_time, validity_period, final_date: NULL or `YYMMDDhhmmsstnnp` (§7.1.1).
///
/// ```
/// use smpp::SmppTime;
/// assert!(SmppTime::new("240315143000004+").is_ok());
/// assert!(SmppTime::new("000001000000000R").unwrap().is_relative());
/// assert!(SmppTime::new("2403151430").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct SmppTime(COctetString<17>);

impl SmppTime {
    /// A checked time: empty, or 16 characters `YYMMDDhhmmsstnnp` with `p` one of `+`, `-`, `R`.
    pub fn new(value: &str) -> Result<Self, ValueError> {
        if !value.is_empty() && !is_smpp_time(value.as_bytes()) {
            return Err(ValueError::InvalidTime);
        }
        COctetString::try_from(value).map(Self)
    }

    /// NULL: not specified.
    pub const fn empty() -> Self {
        Self(COctetString::empty())
    }

    /// The characters, without the NUL.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The time as text.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_str()
    }

    /// Whether this is NULL.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this is a relative time (`p` = `R`).
    pub fn is_relative(&self) -> bool {
        self.as_bytes().get(15) == Some(&b'R')
    }
}

impl core::fmt::Debug for SmppTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

/// §7.1.1: `YYMMDDhhmmsstnnp`: 15 digits then `+`, `-` or `R`.
fn is_smpp_time(s: &[u8]) -> bool {
    s.len() == 16
        && s.iter().take(15).all(u8::is_ascii_digit)
        && matches!(s.get(15), Some(b'+' | b'-' | b'R'))
}

impl WireField for SmppTime {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
        let at = r.pos();
        let value = COctetString::<17>::read(r, field);
        if !value.is_empty() && !is_smpp_time(value.as_bytes()) {
            let len = value.len();
            r.deviation_at(at, DecodeErrorKind::InvalidTime { field, len });
        }
        Self(value)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        self.0.write(w);
    }
    fn wire_len(&self) -> usize {
        self.0.wire_len()
    }
    fn field_value(&self) -> FieldValue<'_> {
        self.0.field_value()
    }
}

macro_rules! u8_wire_field {
    ($($t:ty),*) => {$(
        impl WireField for $t {
            #[inline]
            fn read(r: &mut Reader<'_>, field: &'static str) -> Self {
                Self(r.u8(field))
            }
            #[inline]
            fn write(&self, w: &mut Writer<'_>) {
                w.u8(self.0);
            }
            fn wire_len(&self) -> usize {
                1
            }
            fn field_value(&self) -> FieldValue<'_> {
                FieldValue::Int(u32::from(self.0))
            }
        }
    )*};
}

wire_enum! {
    /// Type of Number (§5.2.5, T 5-3).
    pub struct Ton(u8) {
        /// Unknown.
        UNKNOWN = 0 => "Unknown",
        /// International.
        INTERNATIONAL = 1 => "International",
        /// National.
        NATIONAL = 2 => "National",
        /// Network specific.
        NETWORK_SPECIFIC = 3 => "Network Specific",
        /// Subscriber number.
        SUBSCRIBER_NUMBER = 4 => "Subscriber Number",
        /// Alphanumeric.
        ALPHANUMERIC = 5 => "Alphanumeric",
        /// Abbreviated.
        ABBREVIATED = 6 => "Abbreviated",
    }
    hex = 2;
}

wire_enum! {
    /// Numbering Plan Indicator (§5.2.6, T 5-4).
    pub struct Npi(u8) {
        /// Unknown.
        UNKNOWN = 0 => "Unknown",
        /// ISDN (E.163/E.164).
        ISDN = 1 => "ISDN (E163/E164)",
        /// Data (X.121).
        DATA = 3 => "Data (X.121)",
        /// Telex (F.69).
        TELEX = 4 => "Telex (F.69)",
        /// Land Mobile (E.212).
        LAND_MOBILE = 6 => "Land Mobile (E.212)",
        /// National.
        NATIONAL = 8 => "National",
        /// Private.
        PRIVATE = 9 => "Private",
        /// ERMES.
        ERMES = 10 => "ERMES",
        /// Internet (IP).
        INTERNET = 14 => "Internet (IP)",
        /// WAP Client Id.
        WAP_CLIENT_ID = 18 => "WAP Client Id",
    }
    hex = 2;
}

wire_enum! {
    /// data_coding (§5.2.19). See [`crate::text`] for how a value selects an alphabet.
    pub struct DataCoding(u8) {
        /// SMSC default alphabet (commonly GSM 03.38).
        SMSC_DEFAULT = 0x00 => "SMSC Default Alphabet",
        /// IA5 (CCITT T.50) / ASCII (ANSI X3.4).
        IA5 = 0x01 => "IA5 (CCITT T.50)/ASCII (ANSI X3.4)",
        /// Octet unspecified (8-bit binary), TDMA/CDMA.
        OCTET_UNSPECIFIED_2 = 0x02 => "Octet unspecified (8-bit binary)",
        /// Latin 1 (ISO-8859-1).
        LATIN1 = 0x03 => "Latin 1 (ISO-8859-1)",
        /// Octet unspecified (8-bit binary), GSM/TDMA/CDMA.
        OCTET_UNSPECIFIED = 0x04 => "Octet unspecified (8-bit binary) (GSM)",
        /// JIS (X 0208-1990).
        JIS = 0x05 => "JIS (X 0208-1990)",
        /// Cyrillic (ISO-8859-5).
        CYRILLIC = 0x06 => "Cyrillic (ISO-8859-5)",
        /// Latin/Hebrew (ISO-8859-8).
        LATIN_HEBREW = 0x07 => "Latin/Hebrew (ISO-8859-8)",
        /// UCS2 (ISO/IEC-10646).
        UCS2 = 0x08 => "UCS2 (ISO/IEC-10646)",
        /// Pictogram encoding.
        PICTOGRAM = 0x09 => "Pictogram Encoding",
        /// ISO-2022-JP (music codes).
        ISO_2022_JP = 0x0A => "ISO-2022-JP (Music Codes)",
        /// Extended Kanji JIS (X 0212-1990).
        EXTENDED_KANJI_JIS = 0x0D => "Extended Kanji JIS (X 0212-1990)",
        /// KS C 5601.
        KS_C_5601 = 0x0E => "KS C 5601",
    }
    hex = 2;
}

wire_enum! {
    /// message_state (§5.2.28, T 5-6), in query_sm_resp and the message_state TLV.
    pub struct MessageState(u8) {
        /// The message is in enroute state.
        ENROUTE = 1 => "ENROUTE",
        /// Delivered to destination.
        DELIVERED = 2 => "DELIVERED",
        /// Validity period expired.
        EXPIRED = 3 => "EXPIRED",
        /// Deleted.
        DELETED = 4 => "DELETED",
        /// Undeliverable.
        UNDELIVERABLE = 5 => "UNDELIVERABLE",
        /// Accepted (e.g. read on behalf of the subscriber by customer service).
        ACCEPTED = 6 => "ACCEPTED",
        /// In an invalid state.
        UNKNOWN = 7 => "UNKNOWN",
        /// Rejected.
        REJECTED = 8 => "REJECTED",
    }
    hex = 2;
}

impl MessageState {
    /// Whether the state is final (every state but ENROUTE and unknown values).
    pub fn is_final(self) -> bool {
        (2..=8).contains(&self.0)
    }
}

/// esm_class (§5.2.12): messaging mode, message type and GSM network features, as bits.
///
/// ```
/// use smpp::EsmClass;
/// let e = EsmClass(0x44);
/// assert!(e.udhi() && e.is_delivery_receipt());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct EsmClass(pub u8);

impl EsmClass {
    /// Default mode, default message type, no GSM features.
    pub const DEFAULT: Self = Self(0x00);
    /// Datagram mode (bits 1-0 = 01).
    pub const DATAGRAM_MODE: Self = Self(0x01);
    /// Forward (transaction) mode (bits 1-0 = 10).
    pub const FORWARD_MODE: Self = Self(0x02);
    /// Store and forward mode (bits 1-0 = 11).
    pub const STORE_AND_FORWARD_MODE: Self = Self(0x03);
    /// SMSC delivery receipt (bits 5-2 = 0001, SMSC→ESME).
    pub const DELIVERY_RECEIPT: Self = Self(0x04);
    /// SME delivery acknowledgement (bits 5-2 = 0010).
    pub const DELIVERY_ACK: Self = Self(0x08);
    /// SME manual/user acknowledgement (bits 5-2 = 0100).
    pub const USER_ACK: Self = Self(0x10);
    /// Conversation abort (bits 5-2 = 0110, Korean CDMA).
    pub const CONVERSATION_ABORT: Self = Self(0x18);
    /// Intermediate delivery notification (bits 5-2 = 1000).
    pub const INTERMEDIATE_NOTIFICATION: Self = Self(0x20);
    /// UDHI: the user data starts with a User Data Header (bit 6).
    pub const UDHI: Self = Self(0x40);
    /// Set reply path (bit 7, GSM).
    pub const REPLY_PATH: Self = Self(0x80);

    /// Bits 1-0: the messaging mode.
    pub const fn messaging_mode(self) -> u8 {
        self.0 & 0x03
    }

    /// Bits 5-2 (masked, not shifted): the message type.
    pub const fn message_type(self) -> u8 {
        self.0 & 0x3C
    }

    /// Whether bit 6 (UDHI) is set.
    pub const fn udhi(self) -> bool {
        self.0 & 0x40 != 0
    }

    /// Whether bit 7 (reply path) is set.
    pub const fn reply_path(self) -> bool {
        self.0 & 0x80 != 0
    }

    /// Whether the message type is "SMSC delivery receipt" (SMSC→ESME).
    pub const fn is_delivery_receipt(self) -> bool {
        self.message_type() == 0x04
    }

    /// Whether the message type is "intermediate delivery notification".
    pub const fn is_intermediate_notification(self) -> bool {
        self.message_type() == 0x20
    }

    /// The same value with these bits also set.
    #[must_use]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl core::fmt::Debug for EsmClass {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "0x{:02x}", self.0)
    }
}

/// registered_delivery (§5.2.17): which receipts and acknowledgements are asked for, as bits.
///
/// ```
/// use smpp::RegisteredDelivery;
/// assert_eq!(RegisteredDelivery::SMSC_RECEIPT.smsc_receipt(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct RegisteredDelivery(pub u8);

impl RegisteredDelivery {
    /// No receipt, no acknowledgement.
    pub const NONE: Self = Self(0x00);
    /// SMSC delivery receipt on final outcome, success or failure (bits 1-0 = 01).
    pub const SMSC_RECEIPT: Self = Self(0x01);
    /// SMSC delivery receipt on failure only (bits 1-0 = 10).
    pub const SMSC_RECEIPT_ON_FAILURE: Self = Self(0x02);
    /// SME delivery acknowledgement (bits 3-2 = 01).
    pub const SME_DELIVERY_ACK: Self = Self(0x04);
    /// SME manual/user acknowledgement (bits 3-2 = 10).
    pub const SME_USER_ACK: Self = Self(0x08);
    /// Intermediate notification (bit 4, 0x10; the spec's heading says "bit 5", its pattern is bit 4).
    pub const INTERMEDIATE_NOTIFICATION: Self = Self(0x10);

    /// Bits 1-0: 0 none, 1 on final outcome, 2 on failure, 3 reserved in v3.4.
    pub const fn smsc_receipt(self) -> u8 {
        self.0 & 0x03
    }

    /// Bits 3-2 (masked, not shifted): SME acknowledgements asked for.
    pub const fn sme_ack(self) -> u8 {
        self.0 & 0x0C
    }

    /// Whether bit 4 asks for intermediate notifications.
    pub const fn intermediate_notification(self) -> bool {
        self.0 & 0x10 != 0
    }
}

impl core::fmt::Debug for RegisteredDelivery {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "0x{:02x}", self.0)
    }
}

u8_wire_field!(
    Ton,
    Npi,
    DataCoding,
    MessageState,
    EsmClass,
    RegisteredDelivery
);

/// The interface_version this crate speaks (§5.2.4: 0x34 = v3.4).
pub const INTERFACE_VERSION_34: u8 = 0x34;

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::{Command, DecodeErrorKind, DecodeOptions, Pdu};

    /// A C-Octet String cut by the end of the body before its NUL: strict decoding refuses it,
    /// lenient decoding keeps it with a warning and re-encodes the PDU to the same octets.
    #[test]
    fn unterminated_c_octet_string_re_encodes_as_it_came() {
        let frames: [&[u8]; 2] = [
            // submit_sm_resp, message_id "1234" without NUL
            b"\x00\x00\x00\x14\x80\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x02\x31\x32\x33\x34",
            // cancel_sm whose destination_addr (the last field) is "4479" without NUL
            b"\x00\x00\x00\x21\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x0c\
              \x00\x31\x00\x01\x01\x31\x32\x33\x34\x35\x00\x01\x01\x34\x34\x37\x39",
        ];
        for frame in frames {
            let frame = Bytes::from_static(frame);
            let err = Command::decode(&frame).unwrap_err();
            assert!(
                matches!(err.kind, DecodeErrorKind::COctetNotTerminated { .. }),
                "{err}"
            );
            let d = Command::decode_with(&frame, DecodeOptions::LENIENT).unwrap();
            assert_eq!(d.warnings.len(), 1);
            assert_eq!(d.command.encoded_len(), frame.len());
            assert_eq!(d.command.to_bytes(), frame);
        }
        let d =
            Command::decode_with(&Bytes::from_static(frames[0]), DecodeOptions::LENIENT).unwrap();
        let Pdu::SubmitSmResp(Some(r)) = d.command.pdu else {
            panic!("{:?}", d.command.pdu)
        };
        assert!(!r.message_id.is_terminated());
        // Equality is by content: the value equals the same string built through the API.
        assert_eq!(
            r.message_id,
            super::COctetString::<65>::new("1234").unwrap()
        );
        assert!(
            super::COctetString::<65>::new("1234")
                .unwrap()
                .is_terminated()
        );
    }
}
