//! The scenario file as it is written: serde types with `deny_unknown_fields`, source spans on every
//! value a later check may complain about. `conformance/FORMAT.md` documents each key.
//!
//! Open-ended leaves (PDU field values, matchers, captures) are kept as [`serde_json::Value`] with
//! their [`Spanned`] location and checked by [`super::load`], so that every error names
//! `file:line:column`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

/// Capability names `requires` and profiles may use.
pub const CAPABILITIES: &[&str] = &[
    "bind_transmitter",
    "bind_receiver",
    "bind_transceiver",
    "outbind",
    "submit_sm",
    "submit_multi",
    "distribution_lists",
    "deliver_sm",
    "data_sm",
    "query_sm",
    "cancel_sm",
    "replace_sm",
    "alert_notification",
    "delivery_receipts",
    "intermediate_notifications",
    "message_payload",
    "sar",
    "udh",
    "ucs2",
    "latin1",
    "scheduled_delivery",
    "enquire_link_in_open",
];

/// What a failure of the scenario means, and the grade of an `any_of` branch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A MUST of the spec: a failure is `fail`.
    #[default]
    Must,
    /// A SHOULD: a failure is `non-strict`.
    Should,
    /// Behaviour the spec leaves open: a failure is `info`.
    Info,
}

impl Level {
    /// `must`, `should` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "must",
            Self::Should => "should",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which end the runner plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// We are the ESME: sessions dial the target SMSC.
    #[default]
    Esme,
    /// We are the SMSC: sessions accept the ESME under test.
    Smsc,
}

impl Role {
    /// `esme` or `smsc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Esme => "esme",
            Self::Smsc => "smsc",
        }
    }
}

/// A duration written with a unit: `250ms`, `2s`, `1.5s`, `1m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dur(pub Duration);

/// Parses `250ms`, `2s`, `1.5s`, `1m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("duration `{s}` needs a unit (ms, s or m)"))?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 500ms, 2s, 1m)"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        other => return Err(format!("unknown duration unit `{other}` (ms, s or m)")),
    };
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("duration `{s}` is out of range (0 to 24 h)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s).map(Dur).map_err(de::Error::custom)
    }
}

/// A map that keeps the order of its keys as written (TLVs go on the wire in that order).
#[derive(Debug, Clone)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// The entries in written order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<KeyString, V>()? {
                    out.push((k.0, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

/// A map key read as a string, whatever YAML would type it as (`0x1400:`, `n:`).
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(KeyString)
    }
}

/// A value with no source location (built in code, not read from a file).
pub fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(
        value,
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}

/// A spanned JSON-like value (field values, matchers, captures).
pub type SValue = Spanned<Value>;

/// `{step: 5s, scenario: 60s}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Default wait of each waiting step.
    pub step: Option<Dur>,
    /// Bound of the whole scenario.
    pub scenario: Option<Dur>,
}

/// One scenario document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// `SECTION/name`.
    pub id: Spanned<String>,
    /// One line.
    pub title: String,
    /// The spec reference.
    pub spec: String,
    /// must, should, info.
    #[serde(default)]
    pub level: Level,
    /// esme or smsc.
    #[serde(default)]
    pub role: Role,
    /// Capabilities needed.
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Variable defaults.
    #[serde(default)]
    pub vars: OrderedMap<SValue>,
    /// Session names (default `[main]`).
    #[serde(default)]
    pub sessions: Option<Vec<Spanned<String>>>,
    /// Requests answered automatically (default `[enquire_link]`).
    #[serde(default)]
    pub auto_respond: Option<Vec<Spanned<String>>>,
    /// Default timeouts.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// The steps.
    pub steps: Vec<Spanned<Step>>,
}

/// One step: a map with one key, its kind.
// Scenarios are read once and small: boxing the big variants would only add noise to the runner.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Send a PDU.
    Send(SendStep),
    /// Wait for one PDU (or `count`).
    Expect(Expectation),
    /// Wait for several PDUs, in any order.
    ExpectAll(Vec<Spanned<Expectation>>),
    /// Alternative outcomes, each with a level.
    AnyOf(Vec<Spanned<Branch>>),
    /// Answer a request the peer sent.
    Respond(RespondSpec),
    /// Wait for the peer to close.
    ExpectClose(ExpectClose),
    /// Open a session now.
    Connect(SessionOnly),
    /// Close a session.
    Disconnect(Disconnect),
    /// Wait.
    Sleep(Spanned<Dur>),
    /// Capture from a PDU received earlier.
    Capture(CaptureStep),
    /// Check a value.
    Check(CheckStep),
    /// Set variables.
    Set(OrderedMap<SValue>),
    /// Run steps several times.
    Repeat(RepeatStep),
}

impl Step {
    /// The key of the step (`send`, `expect`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Send(_) => "send",
            Self::Expect(_) => "expect",
            Self::ExpectAll(_) => "expect_all",
            Self::AnyOf(_) => "any_of",
            Self::Respond(_) => "respond",
            Self::ExpectClose(_) => "expect_close",
            Self::Connect(_) => "connect",
            Self::Disconnect(_) => "disconnect",
            Self::Sleep(_) => "sleep",
            Self::Capture(_) => "capture",
            Self::Check(_) => "check",
            Self::Set(_) => "set",
            Self::Repeat(_) => "repeat",
        }
    }
}

/// `send`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendStep {
    /// Session name.
    pub session: Option<Spanned<String>>,
    /// The command (name or number).
    pub pdu: Option<SValue>,
    /// Name for reply_to.
    #[serde(rename = "as")]
    pub name: Option<Spanned<String>>,
    /// Header sequence_number.
    pub sequence_number: Option<SValue>,
    /// Header command_status.
    pub command_status: Option<SValue>,
    /// Typed fields.
    pub fields: Option<OrderedMap<SValue>>,
    /// Typed TLVs.
    pub tlvs: Option<OrderedMap<SValue>>,
    /// One mutation of the typed PDU.
    pub mutate: Option<Spanned<MutateSpec>>,
    /// command_length override.
    pub command_length: Option<SValue>,
    /// Builder items.
    pub body: Option<Vec<Spanned<BodyItem>>>,
    /// Whole PDU in hex.
    pub raw: Option<Spanned<String>>,
}

/// The one mutation of `send.mutate` (see [`crate::generate::mutate::Mutation`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MutateSpec {
    /// command_length = true length + delta.
    CommandLength(i64),
    /// Cut to `at` octets.
    Truncate(TruncateSpec),
    /// The field holds its maximum size without room for the NUL.
    COctetTooLong(String),
    /// The field's NUL is removed and the PDU ends there.
    COctetUnterminated(String),
    /// The last TLV's length is longer than its value.
    TlvLengthTooLong(u16),
    /// The last TLV's length is shorter than its value.
    TlvLengthTooShort(u16),
    /// The last TLV loses its last octets.
    TlvCut(usize),
    /// Octets (hex) after the body.
    Append(String),
    /// An id v3.4 does not define.
    CommandId(u32),
    /// sm_length says this.
    SmLength(u8),
    /// number_of_dests says this.
    NumberOfDests(u8),
    /// A request with this command_status (name or number).
    StatusInRequest(Value),
    /// sequence_number 0.
    SequenceNumberZero(bool),
}

/// `truncate: {at, patch_length}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruncateSpec {
    /// Octets kept.
    pub at: usize,
    /// Whether command_length says the new length (default true).
    #[serde(default = "yes")]
    pub patch_length: bool,
}

fn yes() -> bool {
    true
}

/// One item of a builder `body`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BodyItem {
    /// 1-octet integer.
    U8(Value),
    /// 2-octet integer.
    U16(Value),
    /// 4-octet integer.
    U32(Value),
    /// Text and a NUL.
    COctet(Value),
    /// Text without its NUL.
    COctetUnterminated(Value),
    /// sm_length and the octets of the text.
    ShortMessage(Value),
    /// sm_length alone.
    SmLength(Value),
    /// Octets in hex.
    Hex(Value),
    /// A TLV.
    Tlv(TlvItem),
}

/// `tlv: {tag, value, length}` in a builder body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlvItem {
    /// Name or number.
    pub tag: Value,
    /// Value in hex.
    #[serde(default)]
    pub value: Option<Value>,
    /// Length written (default: the true one).
    pub length: Option<Value>,
}

/// `expect`, an item of `expect_all`, or an `any_of` branch body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Session name.
    pub session: Option<Spanned<String>>,
    /// The command_id expected (name or number).
    pub pdu: SValue,
    /// The send this answers.
    pub reply_to: Option<Spanned<String>>,
    /// command_status matcher.
    pub status: Option<SValue>,
    /// sequence_number matcher.
    pub sequence_number: Option<SValue>,
    /// command_length matcher.
    pub command_length: Option<SValue>,
    /// Field matchers.
    pub fields: Option<OrderedMap<SValue>>,
    /// TLV matchers.
    pub tlvs: Option<OrderedMap<SValue>>,
    /// The PDU must decode strictly.
    pub strict: Option<bool>,
    /// Name of the PDU received.
    #[serde(rename = "as")]
    pub name: Option<Spanned<String>>,
    /// Captures.
    pub capture: Option<OrderedMap<SValue>>,
    /// Answer this request at once.
    pub respond: Option<Spanned<RespondSpec>>,
    /// How many PDUs.
    pub count: Option<Spanned<u32>>,
    /// Wait.
    pub timeout: Option<Spanned<Dur>>,
    /// Skip instead of failing.
    pub optional: Option<bool>,
    /// `any_of` only: the grade of this branch.
    pub level: Option<Spanned<Level>>,
    /// `any_of` only: steps after this branch.
    pub then: Option<Vec<Spanned<Step>>>,
}

/// `expect_close`, or an `any_of` branch.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectClose {
    /// Session name.
    pub session: Option<Spanned<String>>,
    /// Wait.
    pub within: Option<Spanned<Dur>>,
    /// Who must close.
    pub by: Option<CloseBy>,
    /// FIN or RST.
    pub how: Option<CloseHow>,
    /// `any_of` only.
    pub level: Option<Spanned<Level>>,
    /// `any_of` only.
    pub then: Option<Vec<Spanned<Step>>>,
}

/// Who must close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloseBy {
    /// The peer, within the time.
    #[default]
    Peer,
    /// Either: if the peer has not closed in time, we close.
    Any,
}

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CloseHow {
    /// Orderly (FIN).
    Fin,
    /// Reset (RST).
    Reset,
}

/// An `any_of` branch.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Branch {
    /// A PDU.
    Expect(Expectation),
    /// A close.
    ExpectClose(ExpectClose),
}

/// `respond`, or `expect.respond`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondSpec {
    /// Session name (step only).
    pub session: Option<Spanned<String>>,
    /// The request (a name from `as`; step only).
    pub to: Option<Spanned<String>>,
    /// command_status (default ESME_ROK).
    pub status: Option<SValue>,
    /// Typed fields.
    pub fields: Option<OrderedMap<SValue>>,
    /// Typed TLVs.
    pub tlvs: Option<OrderedMap<SValue>>,
}

/// `{session: x}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionOnly {
    /// Session name.
    pub session: Option<Spanned<String>>,
}

/// `disconnect`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disconnect {
    /// Session name.
    pub session: Option<Spanned<String>>,
    /// `close` (FIN, default) or `reset` (RST).
    pub how: Option<DisconnectHow>,
}

/// How we close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisconnectHow {
    /// FIN.
    #[default]
    Close,
    /// RST.
    Reset,
}

/// `capture` step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureStep {
    /// Session (for the default `from`).
    pub session: Option<Spanned<String>>,
    /// A PDU named by `as` (default: the last received on the session).
    pub from: Option<Spanned<String>>,
    /// var → spec.
    pub vars: OrderedMap<SValue>,
}

/// `check` step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckStep {
    /// The value (after substitution).
    pub value: SValue,
    /// The matcher.
    pub is: SValue,
}

/// `repeat` step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatStep {
    /// How many times (1..=10000).
    pub count: Spanned<u32>,
    /// The counter variable (default `i`).
    pub var: Option<String>,
    /// The steps.
    pub steps: Vec<Spanned<Step>>,
}

/// A peer profile (`--profile peer.yaml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    /// The peer's name, for the reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Capabilities the peer does not offer.
    #[serde(default)]
    pub lacks: Vec<Spanned<String>>,
    /// Variable values for this peer.
    #[serde(default)]
    pub vars: OrderedMap<SValue>,
    /// Known deviations: id glob → note.
    #[serde(default)]
    pub known: BTreeMap<String, String>,
}
