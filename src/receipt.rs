//! Delivery receipts: owns the Appendix B `id:… stat:… text:…` short_message text, the receipt TLVs
//! (`receipted_message_id`, `message_state`, `network_error_code`) and one view that combines both.
//!
//! SMPP v3.4 Appendix B: *"The informational content of an SMSC Delivery Receipt may be inserted into
//! the short_message parameter of the deliver_sm operation. The format for this Delivery Receipt
//! message is SMSC vendor specific but following is a typical example of Delivery Receipt report."*
//!
//! ```text
//! id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E Text: . . . . . . . . .
//! ```
//!
//! Because the layout is only "a typical example", [`DeliveryReceipt::parse`] reads the text as
//! `key:value` tokens, accepts what SMSCs are known to send, and
//! [`DeliveryReceipt::parse_with_deviations`] lists every place where the text differs from the
//! Appendix B layout ([`ReceiptDeviation`]), for conformance reports. [`DeliveryReceipt::to_bytes`]
//! and [`Display`](fmt::Display) write the canonical layout back.
//!
//! §2.11 and T 4-18 say a receipt should also carry the `receipted_message_id` (0x001E) and
//! `message_state` (0x0427) TLVs; [`ReceiptView::combine`] prefers them and reports where they
//! disagree with the text.
//!
//! ```
//! use smpp::receipt::{DeliveryReceipt, ReceiptStat};
//!
//! let r = DeliveryReceipt::parse(
//!     b"id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello",
//! )?;
//! assert_eq!(r.id, "1234567890");
//! assert_eq!(r.stat, ReceiptStat::Delivered);
//! assert_eq!(r.stat.message_state(), Some(2));
//! assert!(r.is_final());
//! assert!(r.id_matches("499602D2")); // the same id, written in hex in submit_sm_resp
//! # Ok::<(), smpp::receipt::ReceiptError>(())
//! ```

use std::fmt;

/// Octets of original text a receipt carries: T B-1 "text | 20 | Octet String | The first 20
/// characters of the short message".
pub const TEXT_MAX_OCTETS: usize = 20;

/// Appendix C Y2K rule, the recommended default: *"YY 38–99 → 1938–1999, 00–37 → 2000–2037"*.
/// A two-digit year at or above this pivot is in the 1900s, below it in the 2000s.
pub const Y2K_PIVOT: u8 = 38;

/// The eight fields of the Appendix B layout, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReceiptField {
    /// `id:` — T B-1 "The message ID allocated to the message by the SMSC when originally submitted".
    Id,
    /// `sub:` — "Number of short messages originally submitted".
    Sub,
    /// `dlvrd:` — "Number of short messages delivered".
    Dlvrd,
    /// `submit date:` — when the message was submitted (or replaced).
    SubmitDate,
    /// `done date:` — when the message reached its final state.
    DoneDate,
    /// `stat:` — "The final status of the message" (T B-2).
    Stat,
    /// `err:` — network- or SMSC-specific error code.
    Err,
    /// `text:` — "The first 20 characters of the short message".
    Text,
}

impl ReceiptField {
    /// Every field, in Appendix B order.
    pub const ALL: [ReceiptField; 8] = [
        ReceiptField::Id,
        ReceiptField::Sub,
        ReceiptField::Dlvrd,
        ReceiptField::SubmitDate,
        ReceiptField::DoneDate,
        ReceiptField::Stat,
        ReceiptField::Err,
        ReceiptField::Text,
    ];

    /// The key as T B-1 spells it (lowercase, without the colon): `"submit date"`.
    pub const fn key(self) -> &'static str {
        match self {
            ReceiptField::Id => "id",
            ReceiptField::Sub => "sub",
            ReceiptField::Dlvrd => "dlvrd",
            ReceiptField::SubmitDate => "submit date",
            ReceiptField::DoneDate => "done date",
            ReceiptField::Stat => "stat",
            ReceiptField::Err => "err",
            ReceiptField::Text => "text",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ReceiptField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Why a short_message is not a delivery receipt, or why a value could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// `id:` is absent, or `stat:` is absent or empty: the text is not a receipt.
    #[error("not a delivery receipt: no `{0}:` value")]
    MissingField(ReceiptField),
    /// A date is not `YYMMDDhhmm`, `YYMMDDhhmmss` or the 16-character §7.1.1 absolute time.
    #[error("`{field}:` is not a YYMMDDhhmm[ss] date: {value:?}")]
    InvalidDate {
        /// `SubmitDate` or `DoneDate`.
        field: ReceiptField,
        /// The value as written (lossy UTF-8).
        value: String,
    },
    /// `sub:`/`dlvrd:` is not a decimal number that fits in a `u32`.
    #[error("`{field}:` is not a decimal count: {value:?}")]
    InvalidCount {
        /// `Sub` or `Dlvrd`.
        field: ReceiptField,
        /// The value as written (lossy UTF-8).
        value: String,
    },
    /// A [`ReceiptTime`] component passed to a constructor is out of range.
    #[error("{component} {value} is out of range")]
    TimeOutOfRange {
        /// Which component: `"year"`, `"month"`, ...
        component: &'static str,
        /// The value given.
        value: i32,
    },
}

// ---------------------------------------------------------------------------------------------
// sub / dlvrd

/// A `sub:`/`dlvrd:` count, with the number of digits it was written with.
///
/// T B-1 gives both 3 digits ("SSS", "DDD"); SMSCs also send `sub:1` or `dlvrd:0`. The width is
/// kept so that a parsed receipt is written back as it came (`001` stays `001`, `1` stays `1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceiptCount {
    value: u32,
    width: usize,
}

impl ReceiptCount {
    /// T B-1 width: 3 digits.
    pub const CANONICAL_WIDTH: usize = 3;

    /// A count written zero-padded to 3 digits, as T B-1 shows.
    pub const fn new(value: u32) -> Self {
        Self {
            value,
            width: Self::CANONICAL_WIDTH,
        }
    }

    /// A count written zero-padded to `width` digits (a value with more digits is written whole).
    pub const fn with_width(value: u32, width: usize) -> Self {
        Self { value, width }
    }

    /// The number.
    pub const fn value(self) -> u32 {
        self.value
    }

    /// Digits written, leading zeros included.
    pub const fn width(self) -> usize {
        self.width
    }

    fn parse(digits: &[u8]) -> Option<Self> {
        let value = parse_decimal(digits)?;
        let value = u32::try_from(value).ok()?;
        Some(Self {
            value,
            width: digits.len(),
        })
    }
}

impl fmt::Display for ReceiptCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.width)
    }
}

// ---------------------------------------------------------------------------------------------
// dates

/// A `submit date:`/`done date:` value: `YYMMDDhhmm` (T B-1), `YYMMDDhhmmss` (seconds, seen in the
/// field; §7.1.1 also says SMSC-reported times use that form) or the 16-character §7.1.1 absolute
/// time `YYMMDDhhmmsstnnp` (seen in the field too, smppex #46).
///
/// The year stays two digits, as on the wire; [`year`](Self::year) applies the Appendix C rule.
/// Parsing accepts any two-digit components (an SMSC may send `0000000000` for "no date"), and
/// [`is_in_range`](Self::is_in_range) tells whether they form a plausible time; the constructors
/// accept only plausible times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceiptTime {
    yy: u8,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: Option<u8>,
    /// tenths of a second, quarter hours from UTC, behind UTC (`-`)
    suffix: Option<(u8, u8, bool)>,
}

impl ReceiptTime {
    /// A `YYMMDDhhmm` time. `year` is the full year and must lie in the Appendix C window
    /// 1938..=2037, so that it survives the two-digit wire form.
    ///
    /// ```
    /// use smpp::receipt::ReceiptTime;
    /// let t = ReceiptTime::new(2024, 1, 1, 12, 0)?;
    /// assert_eq!(t.to_string(), "2401011200");
    /// assert_eq!(t.with_seconds(30)?.to_string(), "240101120030");
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8) -> Result<Self, ReceiptError> {
        let low = 1900 + u16::from(Y2K_PIVOT);
        if !(low..low + 100).contains(&year) {
            return Err(out_of_range("year", year));
        }
        let yy = u8::try_from(year % 100).map_err(|_| out_of_range("year", year))?;
        check_range("month", month, 1, 12)?;
        check_range("day", day, 1, 31)?;
        check_range("hour", hour, 0, 23)?;
        check_range("minute", minute, 0, 59)?;
        Ok(Self {
            yy,
            month,
            day,
            hour,
            minute,
            second: None,
            suffix: None,
        })
    }

    /// The same time written with seconds (`YYMMDDhhmmss`).
    pub fn with_seconds(self, second: u8) -> Result<Self, ReceiptError> {
        check_range("second", second, 0, 59)?;
        Ok(Self {
            second: Some(second),
            ..self
        })
    }

    /// The same time written in the 16-character §7.1.1 form `YYMMDDhhmmsstnnp`: `tenths` of a
    /// second (0..=9) and the offset from UTC in quarter hours (-48..=48; negative is written `-`).
    /// Seconds default to 0 when the time had none.
    pub fn with_smpp_suffix(
        self,
        tenths: u8,
        utc_offset_quarter_hours: i8,
    ) -> Result<Self, ReceiptError> {
        check_range("tenths", tenths, 0, 9)?;
        let quarters = utc_offset_quarter_hours.unsigned_abs();
        if quarters > 48 {
            return Err(out_of_range(
                "utc offset (quarter hours)",
                utc_offset_quarter_hours,
            ));
        }
        Ok(Self {
            second: Some(self.second.unwrap_or(0)),
            suffix: Some((tenths, quarters, utc_offset_quarter_hours < 0)),
            ..self
        })
    }

    /// Reads `YYMMDDhhmm`, `YYMMDDhhmmss` or `YYMMDDhhmmsstnn` followed by `+`/`-`; `None` for
    /// anything else (other lengths, non-digits, the relative `R` form).
    pub fn parse(text: &[u8]) -> Option<Self> {
        let pair = |at: usize| -> Option<u8> {
            let tens = digit(*text.get(at)?)?;
            let ones = digit(*text.get(at + 1)?)?;
            Some(tens * 10 + ones)
        };
        let (second, suffix) = match text.len() {
            10 => (None, None),
            12 => (Some(pair(10)?), None),
            16 => {
                let behind = match text.get(15)? {
                    b'+' => false,
                    b'-' => true,
                    _ => return None,
                };
                let tenths = digit(*text.get(12)?)?;
                (Some(pair(10)?), Some((tenths, pair(13)?, behind)))
            }
            _ => return None,
        };
        Some(Self {
            yy: pair(0)?,
            month: pair(2)?,
            day: pair(4)?,
            hour: pair(6)?,
            minute: pair(8)?,
            second,
            suffix,
        })
    }

    /// The two-digit year as written.
    pub const fn yy(&self) -> u8 {
        self.yy
    }

    /// The full year by the Appendix C default rule ([`Y2K_PIVOT`]): `38`..`99` → 1938..1999,
    /// `00`..`37` → 2000..2037.
    pub fn year(&self) -> u16 {
        self.year_with_pivot(Y2K_PIVOT)
    }

    /// The full year with another rollover pivot (Appendix C: "the rollover year is configurable").
    pub fn year_with_pivot(&self, pivot: u8) -> u16 {
        let century = if self.yy >= pivot { 1900 } else { 2000 };
        century + u16::from(self.yy)
    }

    /// Month as written (1..=12 when in range).
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// Day of month as written.
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// Hour as written.
    pub const fn hour(&self) -> u8 {
        self.hour
    }

    /// Minute as written.
    pub const fn minute(&self) -> u8 {
        self.minute
    }

    /// Seconds, when the time was written with them.
    pub const fn second(&self) -> Option<u8> {
        self.second
    }

    /// Tenths of a second, for the 16-character §7.1.1 form.
    pub fn tenths(&self) -> Option<u8> {
        self.suffix.map(|(tenths, _, _)| tenths)
    }

    /// Offset from UTC in quarter hours (negative = behind UTC), for the 16-character form.
    pub fn utc_offset_quarter_hours(&self) -> Option<i8> {
        self.suffix.map(|(_, quarters, behind)| {
            // parse gives at most 99, the constructor at most 48: both fit in an i8
            let q = i8::try_from(quarters).unwrap_or(i8::MAX);
            if behind { -q } else { q }
        })
    }

    /// Whether every component is a plausible clock value: month 1..=12, day 1..=31, hour ≤ 23,
    /// minute and second ≤ 59, UTC offset ≤ 48 quarter hours (§7.1.1). Days are not checked
    /// against the month.
    pub fn is_in_range(&self) -> bool {
        (1..=12).contains(&self.month)
            && (1..=31).contains(&self.day)
            && self.hour <= 23
            && self.minute <= 59
            && self.second.is_none_or(|s| s <= 59)
            && self.suffix.is_none_or(|(_, q, _)| q <= 48)
    }
}

impl fmt::Display for ReceiptTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{:02}{:02}{:02}{:02}",
            self.yy, self.month, self.day, self.hour, self.minute
        )?;
        if let Some(second) = self.second {
            write!(f, "{second:02}")?;
        }
        if let Some((tenths, quarters, behind)) = self.suffix {
            let sign = if behind { '-' } else { '+' };
            write!(f, "{tenths}{quarters:02}{sign}")?;
        }
        Ok(())
    }
}

fn check_range(component: &'static str, value: u8, low: u8, high: u8) -> Result<(), ReceiptError> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(component, value))
    }
}

fn out_of_range(component: &'static str, value: impl Into<i32>) -> ReceiptError {
    ReceiptError::TimeOutOfRange {
        component,
        value: value.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// stat

/// The `stat:` value (T B-2), with the `message_state` it stands for (§5.2.28 T 5-6).
///
/// | variant | stat text | message_state |
/// |---|---|---|
/// | `Enroute` | `ENROUTE` (not in T B-2; used for intermediate notifications) | 1 |
/// | `Delivered` | `DELIVRD` | 2 |
/// | `Expired` | `EXPIRED` | 3 |
/// | `Deleted` | `DELETED` | 4 |
/// | `Undeliverable` | `UNDELIV` | 5 |
/// | `Accepted` | `ACCEPTD` | 6 |
/// | `Unknown` | `UNKNOWN` | 7 |
/// | `Rejected` | `REJECTD` | 8 |
/// | `Other(s)` | anything else, kept as written | — |
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReceiptStat {
    /// `ENROUTE`, message_state 1.
    Enroute,
    /// `DELIVRD`, message_state 2 (DELIVERED).
    Delivered,
    /// `EXPIRED`, message_state 3.
    Expired,
    /// `DELETED`, message_state 4.
    Deleted,
    /// `UNDELIV`, message_state 5 (UNDELIVERABLE).
    Undeliverable,
    /// `ACCEPTD`, message_state 6 (ACCEPTED).
    Accepted,
    /// `UNKNOWN`, message_state 7.
    Unknown,
    /// `REJECTD`, message_state 8 (REJECTED).
    Rejected,
    /// Any other text, as written. [`from_text`](Self::from_text) never puts one of the names
    /// above (in any case) here.
    Other(String),
}

impl ReceiptStat {
    const NAMED: [(ReceiptStat, &'static str); 8] = [
        (ReceiptStat::Enroute, "ENROUTE"),
        (ReceiptStat::Delivered, "DELIVRD"),
        (ReceiptStat::Expired, "EXPIRED"),
        (ReceiptStat::Deleted, "DELETED"),
        (ReceiptStat::Undeliverable, "UNDELIV"),
        (ReceiptStat::Accepted, "ACCEPTD"),
        (ReceiptStat::Unknown, "UNKNOWN"),
        (ReceiptStat::Rejected, "REJECTD"),
    ];

    /// The stat text: `"DELIVRD"`, ... or the `Other` text.
    pub fn as_str(&self) -> &str {
        match self {
            ReceiptStat::Enroute => "ENROUTE",
            ReceiptStat::Delivered => "DELIVRD",
            ReceiptStat::Expired => "EXPIRED",
            ReceiptStat::Deleted => "DELETED",
            ReceiptStat::Undeliverable => "UNDELIV",
            ReceiptStat::Accepted => "ACCEPTD",
            ReceiptStat::Unknown => "UNKNOWN",
            ReceiptStat::Rejected => "REJECTD",
            ReceiptStat::Other(text) => text,
        }
    }

    /// Reads a stat text, ignoring ASCII case; anything unknown becomes `Other`.
    pub fn from_text(text: &str) -> Self {
        Self::NAMED
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text))
            .map_or_else(
                || ReceiptStat::Other(text.to_owned()),
                |(stat, _)| stat.clone(),
            )
    }

    /// The stat for a `message_state` value (1..=8, T 5-6); `None` for 0, 9 (SMPP 5.0 only) and
    /// the rest.
    pub const fn from_message_state(state: u8) -> Option<Self> {
        Some(match state {
            1 => ReceiptStat::Enroute,
            2 => ReceiptStat::Delivered,
            3 => ReceiptStat::Expired,
            4 => ReceiptStat::Deleted,
            5 => ReceiptStat::Undeliverable,
            6 => ReceiptStat::Accepted,
            7 => ReceiptStat::Unknown,
            8 => ReceiptStat::Rejected,
            _ => return None,
        })
    }

    /// The `message_state` value (T 5-6) this stat stands for; `None` for `Other`.
    pub const fn message_state(&self) -> Option<u8> {
        match self {
            ReceiptStat::Enroute => Some(1),
            ReceiptStat::Delivered => Some(2),
            ReceiptStat::Expired => Some(3),
            ReceiptStat::Deleted => Some(4),
            ReceiptStat::Undeliverable => Some(5),
            ReceiptStat::Accepted => Some(6),
            ReceiptStat::Unknown => Some(7),
            ReceiptStat::Rejected => Some(8),
            ReceiptStat::Other(_) => None,
        }
    }

    /// Whether the message will change state no more. T B-2 lists the stat values as "the final
    /// status of the message": all seven of them are final. `ENROUTE` (an intermediate
    /// notification) and `Other` are not.
    pub const fn is_final(&self) -> bool {
        !matches!(self, ReceiptStat::Enroute | ReceiptStat::Other(_))
    }

    /// Whether `text` is written exactly as one of T B-2's seven values (uppercase, no ENROUTE).
    fn is_table_b2(text: &str) -> bool {
        text != "ENROUTE" && Self::NAMED.iter().any(|(_, name)| *name == text)
    }
}

impl fmt::Display for ReceiptStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// ids

/// How a message id is written, for [`ReceiptDeviation::IdFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdForm {
    /// Only decimal digits (T B-1: "C-Octet String (Decimal)").
    Decimal,
    /// Hex digits, at least one of them a letter.
    Hex,
    /// `8-4-4-4-12` hex digits with hyphens.
    Uuid,
    /// Anything else (base-36, other punctuation, empty).
    Other,
}

impl IdForm {
    /// Classifies an id.
    pub fn of(id: &str) -> Self {
        let bytes = id.as_bytes();
        if bytes.is_empty() {
            IdForm::Other
        } else if bytes.iter().all(u8::is_ascii_digit) {
            IdForm::Decimal
        } else if bytes.iter().all(u8::is_ascii_hexdigit) {
            IdForm::Hex
        } else if is_uuid(bytes) {
            IdForm::Uuid
        } else {
            IdForm::Other
        }
    }
}

fn is_uuid(bytes: &[u8]) -> bool {
    let mut groups = bytes.split(|b| *b == b'-');
    [8, 4, 4, 4, 12].iter().all(|len| {
        groups
            .next()
            .is_some_and(|g| g.len() == *len && g.iter().all(u8::is_ascii_hexdigit))
    }) && groups.next().is_none()
}

/// Whether two message ids name the same message, tolerating the ways SMSCs re-encode ids
/// between submit_sm_resp and the receipt (jsmpp #56, jsmpp #178, jasmin #408/#1129).
///
/// The rule, in order:
/// 1. An empty id matches nothing.
/// 2. Identical strings match.
/// 3. Two all-decimal ids match when they are the same number (leading zeros ignored):
///    `0221067780` = `221067780`.
/// 4. Two all-hex ids match when they are the same number, ignoring leading zeros and letter case:
///    `00B8BE19` = `b8be19`.
/// 5. An all-decimal id matches an all-hex id when the decimal number equals the hex number:
///    `870928761` = `33E95179`. An id of digits only is read both ways, so `16` matches `10`
///    (0x10 = 16); compare strings yourself when the SMSC's id base is known. Numbers above
///    `u128::MAX` are compared only by rules 2–4.
///
/// Nothing else is normalised: UUIDs and other ids must be identical.
///
/// ```
/// use smpp::receipt::ids_match;
/// assert!(ids_match("870928761", "33E95179"));
/// assert!(ids_match("0000029095", "29095"));
/// assert!(!ids_match("1234", "1235"));
/// ```
pub fn ids_match(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let a_dec = a.iter().all(u8::is_ascii_digit);
    let b_dec = b.iter().all(u8::is_ascii_digit);
    let a_hex = a.iter().all(u8::is_ascii_hexdigit);
    let b_hex = b.iter().all(u8::is_ascii_hexdigit);
    if a_dec && b_dec && strip_zeros(a) == strip_zeros(b) {
        return true;
    }
    if a_hex && b_hex && strip_zeros(a).eq_ignore_ascii_case(strip_zeros(b)) {
        return true;
    }
    let cross = |dec: &[u8], hex: &[u8]| match (parse_decimal(dec), parse_hex(hex)) {
        (Some(d), Some(h)) => d == h,
        _ => false,
    };
    (a_dec && b_hex && cross(a, b)) || (b_dec && a_hex && cross(b, a))
}

fn strip_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|b| **b == b'0').count();
    digits.get(zeros..).unwrap_or_default()
}

fn parse_decimal(digits: &[u8]) -> Option<u128> {
    parse_radix(digits, 10)
}

fn parse_hex(digits: &[u8]) -> Option<u128> {
    parse_radix(digits, 16)
}

fn parse_radix(digits: &[u8], radix: u32) -> Option<u128> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u128, |acc, b| {
        let d = char::from(*b).to_digit(radix)?;
        acc.checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))
    })
}

fn digit(b: u8) -> Option<u8> {
    let d = char::from(b).to_digit(10)?;
    u8::try_from(d).ok()
}

// ---------------------------------------------------------------------------------------------
// deviations

/// One way a receipt text differs from the Appendix B layout. [`DeliveryReceipt::parse_with_deviations`]
/// reports each kind once, in the order first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptDeviation {
    /// A field of the layout is absent (`sub`/`dlvrd`: jsmpp #62; `text`: many SMSCs). An absent
    /// `id` or `stat` is an error instead.
    MissingField(ReceiptField),
    /// A field is present with nothing after its colon (`text:`, `done date: stat:…`).
    EmptyValue(ReceiptField),
    /// A key is not written in T B-1's lowercase (`Text:` as in Appendix B's own example line,
    /// `ID:`, `Stat:`).
    KeyCase {
        /// The field.
        field: ReceiptField,
        /// The key as written.
        written: String,
    },
    /// The fields are not in Appendix B order.
    FieldOrder,
    /// A field appears more than once. The first non-empty value is used; later ones are kept in
    /// [`DeliveryReceipt::extra`].
    DuplicateField(ReceiptField),
    /// A `key:value` token with a key Appendix B does not have; kept in [`DeliveryReceipt::extra`].
    UnknownKey(String),
    /// Separators other than one space between tokens: several spaces, tabs, a line break
    /// (`done\ndate:` as the spec's wrapped example line shows), spaces after a colon or around
    /// the text.
    IrregularSpacing,
    /// Words that belong to no `key:value` token (before the first key, or after a value). They
    /// are not kept in the receipt.
    StrayText(Vec<u8>),
    /// A NUL octet before `text:` (fiorix/go-smpp #73: a receipt with a stray 0x00 prefix).
    NulOctet,
    /// The id is not 10 decimal digits (T B-1 "id | 10 | C-Octet String (Decimal)").
    IdFormat {
        /// How the id is written.
        form: IdForm,
        /// Its length in octets.
        len: usize,
    },
    /// `sub`/`dlvrd` not written with 3 digits.
    CountWidth {
        /// `Sub` or `Dlvrd`.
        field: ReceiptField,
        /// Digits written.
        width: usize,
    },
    /// `dlvrd` is greater than `sub`.
    DeliveredExceedsSubmitted,
    /// A 12-digit `YYMMDDhhmmss` date (T B-1 gives 10 digits).
    DateWithSeconds(ReceiptField),
    /// A date in the 16-character §7.1.1 absolute time format.
    DateSmppTimeFormat(ReceiptField),
    /// A date whose digits are not a plausible time (month 13, `0000000000`).
    DateOutOfRange(ReceiptField),
    /// A `stat:` that is not one of T B-2's seven values as written there: ENROUTE, another word,
    /// or a known word in lowercase. Holds the text as written.
    NonCanonicalStat(String),
    /// An `err:` not of 3 characters (`err:0000` php-smpp #70, `err:0` gosmpp #124).
    ErrWidth(usize),
    /// A `text:` longer than 20 octets.
    TextTooLong(usize),
    /// A value of this field is not UTF-8; invalid sequences were replaced by U+FFFD.
    NonUtf8(ReceiptField),
}

impl fmt::Display for ReceiptDeviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptDeviation::MissingField(field) => write!(f, "no `{field}:` field"),
            ReceiptDeviation::EmptyValue(field) => write!(f, "`{field}:` is empty"),
            ReceiptDeviation::KeyCase { field, written } => {
                write!(f, "key `{written}:` instead of `{field}:`")
            }
            ReceiptDeviation::FieldOrder => f.write_str("fields not in Appendix B order"),
            ReceiptDeviation::DuplicateField(field) => write!(f, "`{field}:` appears twice"),
            ReceiptDeviation::UnknownKey(key) => write!(f, "unknown key `{key}:`"),
            ReceiptDeviation::IrregularSpacing => f.write_str("separators other than one space"),
            ReceiptDeviation::StrayText(text) => {
                write!(f, "stray text {:?}", String::from_utf8_lossy(text))
            }
            ReceiptDeviation::NulOctet => f.write_str("NUL octet before `text:`"),
            ReceiptDeviation::IdFormat { form, len } => {
                write!(f, "id is {form:?} of {len} octets, not 10 decimal digits")
            }
            ReceiptDeviation::CountWidth { field, width } => {
                write!(f, "`{field}:` has {width} digits, not 3")
            }
            ReceiptDeviation::DeliveredExceedsSubmitted => f.write_str("dlvrd greater than sub"),
            ReceiptDeviation::DateWithSeconds(field) => {
                write!(f, "`{field}:` has seconds (YYMMDDhhmmss)")
            }
            ReceiptDeviation::DateSmppTimeFormat(field) => {
                write!(f, "`{field}:` is a 16-character SMPP absolute time")
            }
            ReceiptDeviation::DateOutOfRange(field) => {
                write!(f, "`{field}:` is not a plausible time")
            }
            ReceiptDeviation::NonCanonicalStat(stat) => {
                write!(f, "stat `{stat}` is not one of Table B-2's values")
            }
            ReceiptDeviation::ErrWidth(width) => write!(f, "err has {width} characters, not 3"),
            ReceiptDeviation::TextTooLong(len) => write!(f, "text has {len} octets, more than 20"),
            ReceiptDeviation::NonUtf8(field) => write!(f, "`{field}:` is not UTF-8"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// the receipt

/// A `key:value` token of a receipt that is not one of the Appendix B fields (or a repeated one),
/// kept in the order it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExtraField {
    /// The key as written, without the colon.
    pub key: String,
    /// The value as written, without separators.
    pub value: Vec<u8>,
}

/// A delivery receipt in the Appendix B text form.
///
/// Fields are public so a test tool can build odd receipts on purpose. [`parse`](Self::parse)
/// of [`to_bytes`](Self::to_bytes) gives the receipt back when its values hold no separators
/// (ASCII whitespace or NUL) — which every parsed receipt satisfies — and no `extra` key is
/// `text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryReceipt {
    /// `id:` as written (may be decimal, hex, a UUID, zero-padded, or empty).
    pub id: String,
    /// `sub:`, when present and not empty.
    pub sub: Option<ReceiptCount>,
    /// `dlvrd:`, when present and not empty.
    pub dlvrd: Option<ReceiptCount>,
    /// `submit date:`, when present and not empty.
    pub submit_date: Option<ReceiptTime>,
    /// `done date:`, when present and not empty.
    pub done_date: Option<ReceiptTime>,
    /// `stat:`.
    pub stat: ReceiptStat,
    /// `err:` as written (`000`, `0000`, `21b`, ...); `Some("")` when present but empty.
    pub err: Option<String>,
    /// `text:` as raw octets, up to the end of the message (it may hold spaces, colons, GSM
    /// escapes such as 0x1B, trailing NULs); `Some(vec![])` when present but empty.
    pub text: Option<Vec<u8>>,
    /// Other `key:value` tokens, in order. Written after `err:` and before `text:`.
    pub extra: Vec<ExtraField>,
}

/// A parsed receipt and the ways its text differed from the Appendix B layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReceipt {
    /// The receipt.
    pub receipt: DeliveryReceipt,
    /// Each kind of deviation seen, in the order first seen; empty for a canonical receipt.
    pub deviations: Vec<ReceiptDeviation>,
}

impl ParsedReceipt {
    /// Whether the text followed the Appendix B layout exactly.
    pub fn is_canonical(&self) -> bool {
        self.deviations.is_empty()
    }
}

/// Separators between tokens: ASCII whitespace, and NUL (which C-string confusion inserts).
fn is_sep(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0
}

fn trim_seps(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| is_sep(**b)).count();
    let rest = bytes.get(start..).unwrap_or_default();
    let end = rest.len() - rest.iter().rev().take_while(|b| is_sep(**b)).count();
    rest.get(..end).unwrap_or_default()
}

fn strip_prefix_ci<'a>(bytes: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = bytes.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| bytes.get(prefix.len()..))
        .flatten()
}

/// A key found in the text.
struct Hit<'a> {
    /// Offset of the key's first octet.
    start: usize,
    /// Offset of the colon after the key.
    colon: usize,
    /// `None` for an unknown key.
    field: Option<ReceiptField>,
    /// The key as written.
    written: &'a [u8],
    /// Two-word key whose words are not separated by one space.
    irregular: bool,
}

/// The key starting at `at` (which follows a separator or the start), if any.
///
/// Keys are `submit date:`/`done date:` (any case, any separators between the words) or one word
/// `[A-Za-z][A-Za-z0-9_-]*` directly followed by `:`.
fn key_at(input: &[u8], at: usize) -> Option<Hit<'_>> {
    let rest = input.get(at..)?;
    for (word, field) in [
        (&b"submit"[..], ReceiptField::SubmitDate),
        (&b"done"[..], ReceiptField::DoneDate),
    ] {
        let Some(after) = strip_prefix_ci(rest, word) else {
            continue;
        };
        let gap = after.iter().take_while(|b| is_sep(**b)).count();
        if gap == 0 {
            continue;
        }
        let Some(tail) = after.get(gap..).and_then(|t| strip_prefix_ci(t, b"date")) else {
            continue;
        };
        if tail.first() == Some(&b':') {
            let len = word.len() + gap + 4;
            return Some(Hit {
                start: at,
                colon: at + len,
                field: Some(field),
                written: rest.get(..len)?,
                irregular: after.get(..gap) != Some(b" "),
            });
        }
    }
    if !rest.first()?.is_ascii_alphabetic() {
        return None;
    }
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
        .count();
    if rest.get(len) != Some(&b':') {
        return None;
    }
    let written = rest.get(..len)?;
    let field = [
        ReceiptField::Id,
        ReceiptField::Sub,
        ReceiptField::Dlvrd,
        ReceiptField::Stat,
        ReceiptField::Err,
        ReceiptField::Text,
    ]
    .into_iter()
    .find(|f| written.eq_ignore_ascii_case(f.key().as_bytes()));
    Some(Hit {
        start: at,
        colon: at + len,
        field,
        written,
        irregular: false,
    })
}

/// Finds every key, left to right; scanning stops after `text:`, whose value runs to the end.
fn find_keys(input: &[u8]) -> Vec<Hit<'_>> {
    let mut hits = Vec::new();
    let mut at = 0;
    let mut after_sep = true;
    while let Some(&b) = input.get(at) {
        if after_sep
            && !is_sep(b)
            && let Some(hit) = key_at(input, at)
        {
            let is_text = hit.field == Some(ReceiptField::Text);
            at = hit.colon + 1;
            hits.push(hit);
            if is_text {
                break;
            }
            after_sep = false;
            continue;
        }
        after_sep = is_sep(b);
        at += 1;
    }
    hits
}

/// The value of a non-text token: its first word. `span` runs from after the colon to the next
/// key (or the end, when `last`).
struct Value<'a> {
    word: &'a [u8],
    stray: &'a [u8],
    irregular: bool,
}

fn split_value(span: &[u8], last: bool) -> Value<'_> {
    let lead = span.iter().take_while(|b| is_sep(**b)).count();
    let rest = span.get(lead..).unwrap_or_default();
    let word_len = rest.iter().take_while(|b| !is_sep(**b)).count();
    let word = rest.get(..word_len).unwrap_or_default();
    let after = rest.get(word_len..).unwrap_or_default();
    let stray = trim_seps(after);
    let expected: &[u8] = if last { b"" } else { b" " };
    let irregular = if word.is_empty() {
        span != expected
    } else {
        lead > 0 || (stray.is_empty() && after != expected)
    };
    Value {
        word,
        stray,
        irregular,
    }
}

/// Collects deviations, each kind once.
#[derive(Default)]
struct Notes(Vec<ReceiptDeviation>);

impl Notes {
    fn add(&mut self, deviation: ReceiptDeviation) {
        if !self.0.contains(&deviation) {
            self.0.push(deviation);
        }
    }
}

fn lossy(bytes: &[u8], field: ReceiptField, notes: &mut Notes) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            notes.add(ReceiptDeviation::NonUtf8(field));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// The values of the fields of a receipt text, before they are checked.
struct Fields<'a> {
    /// First non-empty value of each field, by [`ReceiptField::index`].
    values: [Option<&'a [u8]>; 8],
    /// Whether each field's key appeared, even with an empty value.
    seen: [bool; 8],
    /// Fields in the order their keys first appeared.
    order: Vec<ReceiptField>,
    /// Unknown and repeated tokens, in order.
    extra: Vec<ExtraField>,
    /// The raw `text:` value.
    text: Option<&'a [u8]>,
}

/// Assigns each key's value, noting key case, spacing, stray words, empty and repeated fields.
fn collect_fields<'a>(input: &'a [u8], hits: &[Hit<'a>], notes: &mut Notes) -> Fields<'a> {
    let mut fields = Fields {
        values: [None; 8],
        seen: [false; 8],
        order: Vec::new(),
        extra: Vec::new(),
        text: None,
    };
    for (k, hit) in hits.iter().enumerate() {
        let written = String::from_utf8_lossy(hit.written).into_owned();
        if hit.irregular {
            notes.add(ReceiptDeviation::IrregularSpacing);
        }
        if let Some(field) = hit.field {
            // Keys are lowercase in T B-1, though Appendix B's own example line writes `Text:`.
            if hit.written.iter().any(u8::is_ascii_uppercase) {
                notes.add(ReceiptDeviation::KeyCase {
                    field,
                    written: written.clone(),
                });
            }
            let slot = field.index();
            if !fields.seen.get(slot).copied().unwrap_or(true) {
                fields.order.push(field);
            }
            if let Some(s) = fields.seen.get_mut(slot) {
                *s = true;
            }
        }
        if hit.field == Some(ReceiptField::Text) {
            fields.text = Some(input.get(hit.colon + 1..).unwrap_or_default());
            continue;
        }
        let next = hits.get(k + 1);
        let span_end = next.map_or(input.len(), |n| n.start);
        let span = input.get(hit.colon + 1..span_end).unwrap_or_default();
        let value = split_value(span, next.is_none());
        if value.irregular {
            notes.add(ReceiptDeviation::IrregularSpacing);
        }
        if !value.stray.is_empty() {
            notes.add(ReceiptDeviation::StrayText(value.stray.to_vec()));
        }
        let Some(field) = hit.field else {
            notes.add(ReceiptDeviation::UnknownKey(written.clone()));
            fields.extra.push(ExtraField {
                key: written,
                value: value.word.to_vec(),
            });
            continue;
        };
        if value.word.is_empty() {
            notes.add(ReceiptDeviation::EmptyValue(field));
            continue;
        }
        match fields.values.get_mut(field.index()) {
            Some(stored @ None) => *stored = Some(value.word),
            _ => {
                notes.add(ReceiptDeviation::DuplicateField(field));
                fields.extra.push(ExtraField {
                    key: written,
                    value: value.word.to_vec(),
                });
            }
        }
    }

    fields
}

impl DeliveryReceipt {
    /// Parses a receipt short_message. See [`parse_with_deviations`](Self::parse_with_deviations)
    /// for the rules.
    ///
    /// ```
    /// use smpp::receipt::{DeliveryReceipt, ReceiptStat};
    ///
    /// // jsmpp #62: no sub:/dlvrd:
    /// let r = DeliveryReceipt::parse(
    ///     b"id:1526758174 submit date:1701240904 done date:1701240904 stat:DELIVRD err:000 text:hellow",
    /// )?;
    /// assert_eq!(r.sub, None);
    /// assert_eq!(r.done_date.map(|d| d.year()), Some(2017));
    /// assert_eq!(r.text.as_deref(), Some(&b"hellow"[..]));
    ///
    /// assert!(DeliveryReceipt::parse(b"Hello, are you there?").is_err());
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn parse(short_message: &[u8]) -> Result<DeliveryReceipt, ReceiptError> {
        Self::parse_with_deviations(short_message).map(|parsed| parsed.receipt)
    }

    /// Parses a receipt short_message and lists how it differs from the Appendix B layout.
    ///
    /// The text is read as `key:value` tokens:
    /// - A key starts the message or follows a separator (ASCII whitespace or NUL) and ends with
    ///   `:`. Keys are matched ignoring case; `submit date` and `done date` may have any
    ///   separators between their words. Other keys are one word `[A-Za-z][A-Za-z0-9_-]*`.
    /// - A value is the first word after the colon (spaces after the colon are skipped); a value
    ///   may hold colons (`id:ab:cd`). More words before the next key are stray text.
    /// - `text:` runs to the end of the message and is kept raw, untrimmed: it may hold spaces,
    ///   colons, `key:` look-alikes and any octet.
    /// - Keys may come in any order; when one repeats, its first non-empty value counts.
    /// - `sub`/`dlvrd` must be decimal when present; dates must be `YYMMDDhhmm`, `YYMMDDhhmmss`
    ///   or the 16-character §7.1.1 form; an empty value counts as absent.
    ///
    /// Errors: no `id:` key, no non-empty `stat:`, or a `sub`/`dlvrd`/date value that breaks the
    /// rule above.
    ///
    /// ```
    /// use smpp::receipt::{DeliveryReceipt, ReceiptDeviation, ReceiptField};
    ///
    /// let parsed = DeliveryReceipt::parse_with_deviations(
    ///     b"id:45013692 sub:0 dlvrd:28 submit date:1908121157 done date:1908121158 stat:UNDELIV err:21 Text:*100#",
    /// )?;
    /// assert!(parsed.deviations.contains(&ReceiptDeviation::KeyCase {
    ///     field: ReceiptField::Text,
    ///     written: "Text".into(),
    /// }));
    /// assert!(parsed.deviations.contains(&ReceiptDeviation::ErrWidth(2)));
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn parse_with_deviations(short_message: &[u8]) -> Result<ParsedReceipt, ReceiptError> {
        let input = short_message;
        let hits = find_keys(input);
        let mut notes = Notes::default();

        // Text before the first key.
        let prefix_end = hits.first().map_or(input.len(), |h| h.start);
        let prefix = input.get(..prefix_end).unwrap_or_default();
        if !prefix.is_empty() {
            let stray = trim_seps(prefix);
            if stray.is_empty() {
                notes.add(ReceiptDeviation::IrregularSpacing);
            } else {
                notes.add(ReceiptDeviation::StrayText(stray.to_vec()));
            }
        }
        // Everything up to the text value is structure: a NUL there is a deviation.
        let structure_end = hits
            .iter()
            .find(|h| h.field == Some(ReceiptField::Text))
            .map_or(input.len(), |h| h.colon);
        if input.get(..structure_end).unwrap_or_default().contains(&0) {
            notes.add(ReceiptDeviation::NulOctet);
        }

        let Fields {
            values,
            seen,
            order,
            extra,
            text,
        } = collect_fields(input, &hits, &mut notes);

        let present = |f: ReceiptField| seen.get(f.index()).copied().unwrap_or(false);
        let value_of = |f: ReceiptField| values.get(f.index()).copied().flatten();

        if !present(ReceiptField::Id) {
            return Err(ReceiptError::MissingField(ReceiptField::Id));
        }
        let Some(stat_text) = value_of(ReceiptField::Stat) else {
            return Err(ReceiptError::MissingField(ReceiptField::Stat));
        };
        let sub = parse_count(ReceiptField::Sub, value_of(ReceiptField::Sub), &mut notes)?;
        let dlvrd = parse_count(
            ReceiptField::Dlvrd,
            value_of(ReceiptField::Dlvrd),
            &mut notes,
        )?;
        let submit_date = parse_date(
            ReceiptField::SubmitDate,
            value_of(ReceiptField::SubmitDate),
            &mut notes,
        )?;
        let done_date = parse_date(
            ReceiptField::DoneDate,
            value_of(ReceiptField::DoneDate),
            &mut notes,
        )?;

        for field in ReceiptField::ALL {
            if !present(field) {
                notes.add(ReceiptDeviation::MissingField(field));
            }
        }
        if !order.is_sorted() {
            notes.add(ReceiptDeviation::FieldOrder);
        }

        let id = lossy(
            value_of(ReceiptField::Id).unwrap_or_default(),
            ReceiptField::Id,
            &mut notes,
        );
        let form = IdForm::of(&id);
        // T B-1: "id | 10 | C-Octet String (Decimal)"; an empty id is reported as EmptyValue.
        let id_as_b1 = id.is_empty() || (form == IdForm::Decimal && id.len() == 10);
        if !id_as_b1 {
            notes.add(ReceiptDeviation::IdFormat {
                form,
                len: id.len(),
            });
        }
        if let (Some(sub), Some(dlvrd)) = (sub, dlvrd)
            && dlvrd.value() > sub.value()
        {
            notes.add(ReceiptDeviation::DeliveredExceedsSubmitted);
        }
        // T B-2 lists DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD.
        let stat_text = lossy(stat_text, ReceiptField::Stat, &mut notes);
        if !ReceiptStat::is_table_b2(&stat_text) {
            notes.add(ReceiptDeviation::NonCanonicalStat(stat_text.clone()));
        }
        let stat = ReceiptStat::from_text(&stat_text);
        let err = present(ReceiptField::Err).then(|| {
            lossy(
                value_of(ReceiptField::Err).unwrap_or_default(),
                ReceiptField::Err,
                &mut notes,
            )
        });
        // T B-1: "err | 3 | ..." — the code's format is not defined, so only the width is checked.
        if let Some(err) = &err {
            let width = err.chars().count();
            if width != 3 && !err.is_empty() {
                notes.add(ReceiptDeviation::ErrWidth(width));
            }
        }
        // T B-1: "text | 20 | ... The first 20 characters of the short message".
        if let Some(text) = text {
            if text.is_empty() {
                notes.add(ReceiptDeviation::EmptyValue(ReceiptField::Text));
            } else if text.len() > TEXT_MAX_OCTETS {
                notes.add(ReceiptDeviation::TextTooLong(text.len()));
            }
        }

        Ok(ParsedReceipt {
            receipt: DeliveryReceipt {
                id,
                sub,
                dlvrd,
                submit_date,
                done_date,
                stat,
                err,
                text: text.map(<[u8]>::to_vec),
                extra,
            },
            deviations: notes.0,
        })
    }

    /// Starts a canonical receipt for the common case: `sub:001`, `dlvrd:001` for `DELIVRD`
    /// (`000` otherwise), `err:000` and an empty `text:` until set.
    ///
    /// ```
    /// use smpp::receipt::{DeliveryReceipt, ReceiptStat, ReceiptTime};
    ///
    /// let receipt = DeliveryReceipt::builder(
    ///     "1234567890",
    ///     ReceiptStat::Delivered,
    ///     ReceiptTime::new(2024, 1, 1, 12, 0)?,
    ///     ReceiptTime::new(2024, 1, 1, 12, 1)?,
    /// )
    /// .original_text(b"Hello")
    /// .build();
    /// assert_eq!(
    ///     receipt.to_string(),
    ///     "id:1234567890 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello",
    /// );
    /// assert_eq!(DeliveryReceipt::parse(&receipt.to_bytes())?, receipt);
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn builder(
        id: impl Into<String>,
        stat: ReceiptStat,
        submit_date: ReceiptTime,
        done_date: ReceiptTime,
    ) -> ReceiptBuilder {
        let delivered = u32::from(stat == ReceiptStat::Delivered);
        ReceiptBuilder {
            receipt: DeliveryReceipt {
                id: id.into(),
                sub: Some(ReceiptCount::new(1)),
                dlvrd: Some(ReceiptCount::new(delivered)),
                submit_date: Some(submit_date),
                done_date: Some(done_date),
                stat,
                err: Some("000".to_owned()),
                text: Some(Vec::new()),
                extra: Vec::new(),
            },
        }
    }

    /// The receipt text in Appendix B order, one space between tokens: `id`, `sub`, `dlvrd`,
    /// `submit date`, `done date`, `stat`, `err` (each when present), the `extra` tokens, then
    /// `text` (when present). This is what goes into short_message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            110 + self.text.as_ref().map_or(0, Vec::len) + self.extra.len() * 16,
        );
        out.extend_from_slice(b"id:");
        out.extend_from_slice(self.id.as_bytes());
        let mut token = |key: &str, value: &[u8]| {
            out.push(b' ');
            out.extend_from_slice(key.as_bytes());
            out.push(b':');
            out.extend_from_slice(value);
        };
        if let Some(sub) = self.sub {
            token("sub", sub.to_string().as_bytes());
        }
        if let Some(dlvrd) = self.dlvrd {
            token("dlvrd", dlvrd.to_string().as_bytes());
        }
        if let Some(date) = self.submit_date {
            token("submit date", date.to_string().as_bytes());
        }
        if let Some(date) = self.done_date {
            token("done date", date.to_string().as_bytes());
        }
        token("stat", self.stat.as_str().as_bytes());
        if let Some(err) = &self.err {
            token("err", err.as_bytes());
        }
        for field in &self.extra {
            token(&field.key, &field.value);
        }
        if let Some(text) = &self.text {
            token("text", text);
        }
        out
    }

    /// [`to_bytes`](Self::to_bytes) as a `String`; octets of `text` or `extra` that are not
    /// UTF-8 become U+FFFD. Same as `to_string()`.
    pub fn to_text(&self) -> String {
        String::from_utf8_lossy(&self.to_bytes()).into_owned()
    }

    /// Whether this receipt reports a final state ([`ReceiptStat::is_final`]).
    pub const fn is_final(&self) -> bool {
        self.stat.is_final()
    }

    /// Whether `submit_message_id` (the message_id of submit_sm_resp) names the message this
    /// receipt is about, by the rule of [`ids_match`]: same string, same decimal or hex number
    /// with or without zero padding, or the same number written in decimal in one and hex in the
    /// other.
    ///
    /// ```
    /// use smpp::receipt::DeliveryReceipt;
    /// // jsmpp #178: the receipt id is zero-padded decimal; submit_sm_resp gave hex.
    /// let r = DeliveryReceipt::parse(b"id:0221067780 sub:001 dlvrd:001 stat:DELIVRD")?;
    /// assert!(r.id_matches("221067780"));
    /// assert!(r.id_matches("D2D3A04"));
    /// assert!(!r.id_matches("221067781"));
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn id_matches(&self, submit_message_id: &str) -> bool {
        ids_match(&self.id, submit_message_id)
    }
}

impl fmt::Display for DeliveryReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn parse_count(
    field: ReceiptField,
    value: Option<&[u8]>,
    notes: &mut Notes,
) -> Result<Option<ReceiptCount>, ReceiptError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let count = ReceiptCount::parse(value).ok_or_else(|| ReceiptError::InvalidCount {
        field,
        value: String::from_utf8_lossy(value).into_owned(),
    })?;
    // T B-1: "sub | 3 | ..." and "dlvrd | 3 | ...", written "sub:SSS dlvrd:DDD".
    if count.width() != ReceiptCount::CANONICAL_WIDTH {
        notes.add(ReceiptDeviation::CountWidth {
            field,
            width: count.width(),
        });
    }
    Ok(Some(count))
}

fn parse_date(
    field: ReceiptField,
    value: Option<&[u8]>,
    notes: &mut Notes,
) -> Result<Option<ReceiptTime>, ReceiptError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let time = ReceiptTime::parse(value).ok_or_else(|| ReceiptError::InvalidDate {
        field,
        value: String::from_utf8_lossy(value).into_owned(),
    })?;
    // T B-1: "submit date | 10 | YYMMDDhhmm", "done date | 10 | YYMMDDhhmm".
    match value.len() {
        12 => notes.add(ReceiptDeviation::DateWithSeconds(field)),
        16 => notes.add(ReceiptDeviation::DateSmppTimeFormat(field)),
        _ => {}
    }
    if !time.is_in_range() {
        notes.add(ReceiptDeviation::DateOutOfRange(field));
    }
    Ok(Some(time))
}

/// Builds a canonical [`DeliveryReceipt`]; see [`DeliveryReceipt::builder`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the receipt"]
pub struct ReceiptBuilder {
    receipt: DeliveryReceipt,
}

impl ReceiptBuilder {
    /// Sets `sub:` and `dlvrd:` (written with 3 digits).
    pub fn counts(mut self, submitted: u32, delivered: u32) -> Self {
        self.receipt.sub = Some(ReceiptCount::new(submitted));
        self.receipt.dlvrd = Some(ReceiptCount::new(delivered));
        self
    }

    /// Sets `err:` (default `000`).
    pub fn err(mut self, err: impl Into<String>) -> Self {
        self.receipt.err = Some(err.into());
        self
    }

    /// Sets `text:` to the first 20 octets of the original short_message (T B-1), not cutting a
    /// GSM 03.38 escape pair: a trailing 0x1B whose second octet would fall beyond 20 is dropped.
    pub fn original_text(mut self, original: &[u8]) -> Self {
        let mut head = original.get(..TEXT_MAX_OCTETS).unwrap_or(original);
        if original.len() > TEXT_MAX_OCTETS && head.last() == Some(&0x1B) {
            head = head.get(..head.len() - 1).unwrap_or_default();
        }
        self.receipt.text = Some(head.to_vec());
        self
    }

    /// The receipt.
    pub fn build(self) -> DeliveryReceipt {
        self.receipt
    }
}

// ---------------------------------------------------------------------------------------------
// TLV form

pub use crate::tlv::NetworkErrorCode;

/// The receipt TLVs of a deliver_sm/data_sm, as plain values (the typed TLV layer fills this in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReceiptTlvs {
    /// `receipted_message_id` (0x001E): C-Octet String, at most 65 octets with the NUL.
    pub receipted_message_id: Option<String>,
    /// `message_state` (0x0427): 1 octet, T 5-6 values.
    pub message_state: Option<u8>,
    /// `network_error_code` (0x0423): 3 octets.
    pub network_error_code: Option<NetworkErrorCode>,
}

impl ReceiptTlvs {
    /// The receipt TLVs among a PDU's TLVs (well-formed values only).
    pub fn from_tlvs(tlvs: &crate::Tlvs) -> Self {
        Self {
            receipted_message_id: tlvs
                .receipted_message_id()
                .map(|id| id.to_str_lossy().into_owned()),
            message_state: tlvs.message_state().map(|s| s.0),
            network_error_code: tlvs.network_error_code(),
        }
    }
}

impl crate::DeliverSm {
    /// The delivery receipt this deliver_sm carries, when esm_class says it is an SMSC delivery
    /// receipt or an intermediate notification (§5.2.12): the text (from short_message, or
    /// message_payload) and the TLVs combined, TLVs preferred (§2.11).
    ///
    /// ```
    /// use smpp::{DeliverSm, EsmClass, Tlv};
    /// let dlr = DeliverSm {
    ///     esm_class: EsmClass::DELIVERY_RECEIPT,
    ///     short_message: "id:42 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hi"
    ///         .try_into()
    ///         .unwrap(),
    ///     tlvs: vec![Tlv::ReceiptedMessageId("42".try_into().unwrap())].into(),
    ///     ..Default::default()
    /// };
    /// let view = dlr.receipt().unwrap();
    /// assert_eq!(view.message_id.as_deref(), Some("42"));
    /// assert!(view.conflicts.is_empty());
    /// ```
    pub fn receipt(&self) -> Option<ReceiptView> {
        if !(self.esm_class.is_delivery_receipt() || self.esm_class.is_intermediate_notification())
        {
            return None;
        }
        let payload = self.tlvs.message_payload();
        let text = match &payload {
            Some(p) if self.short_message.is_empty() => &p[..],
            _ => self.short_message.as_bytes(),
        };
        Some(ReceiptView::combine(
            DeliveryReceipt::parse(text).ok(),
            ReceiptTlvs::from_tlvs(&self.tlvs),
        ))
    }
}

/// Where a value of a [`ReceiptView`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptSource {
    /// From a TLV.
    Tlv,
    /// From the short_message text.
    Text,
}

/// A place where the receipt text and the receipt TLVs disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptConflict {
    /// `id:` differs from `receipted_message_id`.
    MessageId {
        /// The text's `id:`.
        text: String,
        /// The TLV's value.
        tlv: String,
        /// Whether [`ids_match`] still takes them for the same id (padding, decimal vs hex).
        equivalent: bool,
    },
    /// `stat:` does not stand for the `message_state` TLV value.
    State {
        /// The text's `stat:`.
        text: ReceiptStat,
        /// The TLV's value.
        tlv: u8,
    },
}

impl fmt::Display for ReceiptConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptConflict::MessageId {
                text,
                tlv,
                equivalent,
            } => {
                let same = if *equivalent {
                    " (same id, re-encoded)"
                } else {
                    ""
                };
                write!(
                    f,
                    "text id {text:?} differs from receipted_message_id {tlv:?}{same}"
                )
            }
            ReceiptConflict::State { text, tlv } => {
                write!(f, "text stat {text} differs from message_state {tlv}")
            }
        }
    }
}

/// A receipt seen through both its text and its TLVs, preferring the TLVs (§2.11: receipts
/// should carry `receipted_message_id` and `message_state`; cloudhopper's maintainers and vumi
/// PR #637 give the same advice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptView {
    /// `receipted_message_id` when present and not empty, else the text's `id:` (when not empty).
    pub message_id: Option<String>,
    /// Where `message_id` came from.
    pub message_id_source: Option<ReceiptSource>,
    /// The stat for the `message_state` TLV when it is 1..=8, else the text's `stat:`.
    pub stat: Option<ReceiptStat>,
    /// Where `stat` came from.
    pub stat_source: Option<ReceiptSource>,
    /// The `message_state` TLV value when present (even outside 1..=8), else the value the
    /// text's `stat:` stands for.
    pub message_state: Option<u8>,
    /// The `network_error_code` TLV.
    pub network_error_code: Option<NetworkErrorCode>,
    /// The parsed text, for `err`, dates, counts and the original text.
    pub text: Option<DeliveryReceipt>,
    /// Where text and TLVs disagree; empty when they agree or only one is present.
    pub conflicts: Vec<ReceiptConflict>,
}

impl ReceiptView {
    /// Combines a parsed receipt text (if the short_message held one) with the receipt TLVs.
    ///
    /// ```
    /// use smpp::receipt::{DeliveryReceipt, ReceiptConflict, ReceiptSource, ReceiptStat, ReceiptTlvs, ReceiptView};
    ///
    /// let text = DeliveryReceipt::parse(b"id:0000029095 sub:001 dlvrd:001 stat:DELIVRD err:000 text:")?;
    /// let tlvs = ReceiptTlvs {
    ///     receipted_message_id: Some("29095".into()),
    ///     message_state: Some(5),
    ///     network_error_code: None,
    /// };
    /// let view = ReceiptView::combine(Some(text), tlvs);
    /// assert_eq!(view.message_id.as_deref(), Some("29095"));
    /// assert_eq!(view.stat, Some(ReceiptStat::Undeliverable));
    /// assert_eq!(view.stat_source, Some(ReceiptSource::Tlv));
    /// assert_eq!(view.conflicts, vec![
    ///     ReceiptConflict::MessageId { text: "0000029095".into(), tlv: "29095".into(), equivalent: true },
    ///     ReceiptConflict::State { text: ReceiptStat::Delivered, tlv: 5 },
    /// ]);
    /// # Ok::<(), smpp::receipt::ReceiptError>(())
    /// ```
    pub fn combine(text: Option<DeliveryReceipt>, tlvs: ReceiptTlvs) -> ReceiptView {
        let mut conflicts = Vec::new();
        let tlv_id = tlvs.receipted_message_id.filter(|id| !id.is_empty());
        let text_id = text
            .as_ref()
            .map(|t| t.id.clone())
            .filter(|id| !id.is_empty());
        if let (Some(text_id), Some(tlv_id)) = (&text_id, &tlv_id)
            && text_id != tlv_id
        {
            conflicts.push(ReceiptConflict::MessageId {
                text: text_id.clone(),
                tlv: tlv_id.clone(),
                equivalent: ids_match(text_id, tlv_id),
            });
        }
        let text_stat = text.as_ref().map(|t| t.stat.clone());
        if let (Some(text_stat), Some(tlv_state)) = (&text_stat, tlvs.message_state)
            && text_stat.message_state() != Some(tlv_state)
        {
            conflicts.push(ReceiptConflict::State {
                text: text_stat.clone(),
                tlv: tlv_state,
            });
        }
        let (message_id, message_id_source) = match (tlv_id, text_id) {
            (Some(id), _) => (Some(id), Some(ReceiptSource::Tlv)),
            (None, Some(id)) => (Some(id), Some(ReceiptSource::Text)),
            (None, None) => (None, None),
        };
        let tlv_stat = tlvs.message_state.and_then(ReceiptStat::from_message_state);
        let (stat, stat_source) = match (tlv_stat, text_stat) {
            (Some(stat), _) => (Some(stat), Some(ReceiptSource::Tlv)),
            (None, Some(stat)) => (Some(stat), Some(ReceiptSource::Text)),
            (None, None) => (None, None),
        };
        let message_state = tlvs.message_state.or_else(|| {
            text.as_ref()
                .and_then(|t: &DeliveryReceipt| t.stat.message_state())
        });
        ReceiptView {
            message_id,
            message_id_source,
            stat,
            stat_source,
            message_state,
            network_error_code: tlvs.network_error_code,
            text,
            conflicts,
        }
    }

    /// Whether the combined stat is final ([`ReceiptStat::is_final`]); false when unknown.
    pub fn is_final(&self) -> bool {
        self.stat.as_ref().is_some_and(ReceiptStat::is_final)
    }

    /// Whether the combined message id matches `submit_message_id` by [`ids_match`].
    pub fn id_matches(&self, submit_message_id: &str) -> bool {
        self.message_id
            .as_deref()
            .is_some_and(|id| ids_match(id, submit_message_id))
    }
}

// ---------------------------------------------------------------------------------------------
// fuzzing

/// Fuzz body for the cargo-fuzz target `receipt`: parses arbitrary bytes (which must never
/// panic) and, when they parse, checks that writing the receipt and parsing it again gives the
/// same receipt — id, stat, err and dates first, then every field.
#[doc(hidden)]
pub fn fuzz_receipt(data: &[u8]) {
    let Ok(parsed) = DeliveryReceipt::parse_with_deviations(data) else {
        return;
    };
    let first = parsed.receipt;
    let rebuilt = first.to_bytes();
    let second = match DeliveryReceipt::parse(&rebuilt) {
        Ok(second) => second,
        Err(error) => panic!(
            "rebuilt receipt {:?} does not parse: {error}",
            String::from_utf8_lossy(&rebuilt)
        ),
    };
    assert_eq!(second.id, first.id, "id");
    assert_eq!(second.stat, first.stat, "stat");
    assert_eq!(second.err, first.err, "err");
    assert_eq!(second.submit_date, first.submit_date, "submit date");
    assert_eq!(second.done_date, first.done_date, "done date");
    assert_eq!(second, first, "receipt");
    assert_eq!(second.to_bytes(), rebuilt, "rebuild is stable");
}

#[cfg(test)]
mod tests;
