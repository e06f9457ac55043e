//! Matchers on received values (FORMAT.md, "Matchers") and capture specs.

use regex::Regex;
use serde_json::Value;

use super::build::{Actual, hex_of, int_of, parse_int, show, string_of};
use crate::pdu::{CommandStatus, MessageState};

/// An expected value: compared numerically to integers, as text to strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A number.
    Int(u64),
    /// A string (a status or message_state name, a number in text, or text).
    Str(String),
}

impl Expected {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Number(n) => n
                .as_u64()
                .map(Self::Int)
                .ok_or_else(|| format!("{n} is not a non-negative integer")),
            Value::String(s) => Ok(Self::Str(s.clone())),
            Value::Bool(b) => Ok(Self::Int(u64::from(*b))),
            other => Err(format!("{} is not a value to compare with", show(other))),
        }
    }

    /// As an integer: a number, a numeric string, a command_status or message_state name.
    fn as_int(&self) -> Option<u64> {
        match self {
            Self::Int(n) => Some(*n),
            Self::Str(s) => parse_int(s)
                .or_else(|| CommandStatus::from_name(s).map(|c| u64::from(c.0)))
                .or_else(|| MessageState::from_name(s).map(|m| u64::from(m.0))),
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Int(n) => n.to_string(),
            Self::Str(s) => s.clone(),
        }
    }

    fn equals(&self, actual: &Actual) -> bool {
        match actual {
            Actual::Int(n) => self.as_int() == Some(*n),
            Actual::Text { text, .. } => {
                *text == self.text() || parse_int(text).is_some_and(|n| self.as_int() == Some(n))
            }
            Actual::List { count, .. } => self.as_int() == Some(*count as u64),
            Actual::Absent => false,
        }
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(n) => write!(f, "{n}"),
            Self::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A compiled matcher: every condition set must hold.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    eq: Option<Expected>,
    ne: Option<Expected>,
    regex: Option<Regex>,
    range: Option<(u64, u64)>,
    one_of: Option<Vec<Expected>>,
    mask: Option<u64>,
    len: Option<Box<Matcher>>,
    hex: Option<Vec<u8>>,
    any: bool,
    absent: bool,
}

const KEYS: &[&str] = &[
    "eq", "ne", "regex", "range", "one_of", "mask", "len", "hex", "any", "absent",
];

impl Matcher {
    /// Compiles a matcher from its YAML form (already substituted, or with `${}` left in at load
    /// time: then regexes holding `${` are not compiled).
    pub fn compile(v: &Value) -> Result<Self, String> {
        let mut m = Matcher::default();
        let Value::Object(map) = v else {
            m.eq = Some(Expected::from_value(v)?);
            return Ok(m);
        };
        if map.is_empty() {
            return Err("an empty matcher: write {any: true} to accept any value".into());
        }
        for (k, x) in map {
            match k.as_str() {
                "eq" => m.eq = Some(Expected::from_value(x)?),
                "ne" => m.ne = Some(Expected::from_value(x)?),
                "regex" => {
                    let r = string_of(x)?;
                    if !r.contains("${") {
                        m.regex = Some(Regex::new(&r).map_err(|e| format!("regex: {e}"))?);
                    }
                }
                "range" => {
                    let Value::Array(a) = x else {
                        return Err("range takes [lo, hi]".into());
                    };
                    let [lo, hi] = a.as_slice() else {
                        return Err("range takes [lo, hi]".into());
                    };
                    let (lo, hi) = (int_of(lo)?, int_of(hi)?);
                    if lo > hi {
                        return Err(format!("range [{lo}, {hi}] is empty"));
                    }
                    m.range = Some((lo, hi));
                }
                "one_of" => {
                    let Value::Array(a) = x else {
                        return Err("one_of takes a list".into());
                    };
                    m.one_of = Some(
                        a.iter()
                            .map(Expected::from_value)
                            .collect::<Result<_, _>>()?,
                    );
                }
                "mask" => m.mask = Some(int_of(x)?),
                "len" => m.len = Some(Box::new(Matcher::compile(x)?)),
                "hex" => {
                    let h = string_of(x)?;
                    if !h.contains("${") {
                        m.hex = Some(hex_of(&h)?);
                    }
                }
                "any" => m.any = x.as_bool().ok_or("any takes true")?,
                "absent" => m.absent = x.as_bool().ok_or("absent takes true")?,
                other => {
                    return Err(format!(
                        "unknown matcher `{other}`; matchers: {}",
                        KEYS.join(", ")
                    ));
                }
            }
        }
        if m.mask.is_some()
            && m.eq.is_none()
            && m.ne.is_none()
            && m.one_of.is_none()
            && m.range.is_none()
        {
            return Err("mask needs eq, ne, one_of or range".into());
        }
        if m.absent && map.len() > 1 {
            return Err("absent cannot be combined with other conditions".into());
        }
        Ok(m)
    }

    /// Whether this matcher asks for a value that is not there.
    pub fn wants_absent(&self) -> bool {
        self.absent
    }

    /// Checks `actual`; the error says why it does not match.
    pub fn check(&self, actual: &Actual) -> Result<(), String> {
        if self.absent {
            return match actual {
                Actual::Absent => Ok(()),
                other => Err(format!("is {other}, expected absent")),
            };
        }
        if matches!(actual, Actual::Absent) {
            return Err("is absent".into());
        }
        if self.any {
            return Ok(());
        }
        // range and mask read a numeric string (a captured variable) as its number.
        let numeric;
        let actual = match actual {
            Actual::Text { text, .. } if self.mask.is_some() || self.range.is_some() => {
                match parse_int(text) {
                    Some(n) => {
                        numeric = Actual::Int(n);
                        &numeric
                    }
                    None => actual,
                }
            }
            _ => actual,
        };
        let masked;
        let actual = match (self.mask, actual) {
            (Some(mask), Actual::Int(n)) => {
                masked = Actual::Int(n & mask);
                &masked
            }
            (Some(_), other) => return Err(format!("is {other}: mask needs an integer")),
            _ => actual,
        };
        let shown = |a: &Actual| match self.mask {
            Some(m) => format!("{a} (after mask {m:#x})"),
            None => a.to_string(),
        };
        if let Some(e) = &self.eq
            && !e.equals(actual)
        {
            return Err(format!(
                "is {}, expected {}",
                shown(actual),
                show_expected(e, actual)
            ));
        }
        if let Some(e) = &self.ne
            && e.equals(actual)
        {
            return Err(format!("is {}, expected anything else", shown(actual)));
        }
        if let Some(r) = &self.regex {
            let text = match actual {
                Actual::Int(n) => n.to_string(),
                Actual::Text { text, .. } => text.clone(),
                Actual::List { octets, .. } => hex::encode(octets),
                Actual::Absent => String::new(),
            };
            if !r.is_match(&text) {
                return Err(format!(
                    "is {}, does not match /{}/",
                    shown(actual),
                    r.as_str()
                ));
            }
        }
        if let Some((lo, hi)) = self.range {
            match actual {
                Actual::Int(n) if (lo..=hi).contains(n) => {}
                other => return Err(format!("is {}, expected {lo}..={hi}", shown(other))),
            }
        }
        if let Some(list) = &self.one_of
            && !list.iter().any(|e| e.equals(actual))
        {
            let l: Vec<String> = list.iter().map(|e| show_expected(e, actual)).collect();
            return Err(format!(
                "is {}, expected one of [{}]",
                shown(actual),
                l.join(", ")
            ));
        }
        if let Some(lm) = &self.len {
            let len = match actual {
                Actual::Text { octets, .. } => octets.len(),
                Actual::List { count, .. } => *count,
                Actual::Int(_) | Actual::Absent => {
                    return Err(format!("is {actual}: len needs a string or a list"));
                }
            };
            lm.check(&Actual::Int(len as u64))
                .map_err(|e| format!("length {e}"))?;
        }
        if let Some(h) = &self.hex {
            let octets = match actual {
                Actual::Text { octets, .. } | Actual::List { octets, .. } => octets.clone(),
                Actual::Int(n) => n.to_be_bytes().to_vec(),
                Actual::Absent => Vec::new(),
            };
            if octets != *h {
                return Err(format!(
                    "is 0x{}, expected 0x{}",
                    hex::encode(&octets),
                    hex::encode(h)
                ));
            }
        }
        Ok(())
    }
}

/// An expected value shown with its name when the actual value is an integer status.
fn show_expected(e: &Expected, actual: &Actual) -> String {
    match (e, actual) {
        (Expected::Str(s), Actual::Int(_)) if e.as_int().is_some() && s.parse::<u64>().is_err() => {
            s.clone()
        }
        _ => e.to_string(),
    }
}

/// Where a capture reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A mandatory field.
    Field(String),
    /// A TLV.
    Tlv(String),
    /// A field, else a TLV, else a header value.
    Auto(String),
}

/// A compiled capture spec.
#[derive(Debug, Clone)]
pub struct CaptureSpec {
    /// Where.
    pub source: Source,
    /// The regex whose first group (or whole match) is kept.
    pub regex: Option<Regex>,
}

impl CaptureSpec {
    /// Compiles `message_id`, `{field: x}`, `{tlv: x}`, with an optional `regex`.
    pub fn compile(v: &Value) -> Result<Self, String> {
        match v {
            Value::String(s) => Ok(Self {
                source: Source::Auto(s.clone()),
                regex: None,
            }),
            Value::Object(m) => {
                let mut source = None;
                let mut regex = None;
                for (k, x) in m {
                    match k.as_str() {
                        "field" => source = Some(Source::Field(string_of(x)?)),
                        "tlv" => source = Some(Source::Tlv(string_of(x)?)),
                        "regex" => {
                            regex = Some(
                                Regex::new(&string_of(x)?).map_err(|e| format!("regex: {e}"))?,
                            )
                        }
                        other => {
                            return Err(format!(
                                "unknown capture key `{other}` (field, tlv, regex)"
                            ));
                        }
                    }
                }
                let source = source.ok_or("a capture needs `field` or `tlv`")?;
                Ok(Self { source, regex })
            }
            other => Err(format!(
                "{} is not a capture (a field name, or {{field|tlv, regex}})",
                show(other)
            )),
        }
    }

    /// The captured string from a value read (`None` when the value is absent or the regex does
    /// not match).
    pub fn extract(&self, actual: &Actual) -> Option<String> {
        let text = match actual {
            Actual::Int(n) => n.to_string(),
            Actual::Text { text, .. } => text.clone(),
            Actual::List { count, .. } => count.to_string(),
            Actual::Absent => return None,
        };
        match &self.regex {
            None => Some(text),
            Some(r) => {
                let caps = r.captures(&text)?;
                caps.get(1)
                    .or_else(|| caps.get(0))
                    .map(|m| m.as_str().to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Actual {
        Actual::Text {
            text: s.into(),
            octets: s.as_bytes().to_vec(),
        }
    }

    #[test]
    fn equals_by_number_name_and_text() {
        let m = Matcher::compile(&json!("ESME_RINVBNDSTS")).unwrap();
        assert!(m.check(&Actual::Int(4)).is_ok());
        let e = m.check(&Actual::Int(0)).unwrap_err();
        assert_eq!(e, "is 0, expected ESME_RINVBNDSTS");
        assert!(
            Matcher::compile(&json!("0x34"))
                .unwrap()
                .check(&Actual::Int(0x34))
                .is_ok()
        );
        assert!(
            Matcher::compile(&json!(42))
                .unwrap()
                .check(&t("42"))
                .is_ok()
        );
        assert!(
            Matcher::compile(&json!("DELIVERED"))
                .unwrap()
                .check(&Actual::Int(2))
                .is_ok()
        );
    }

    #[test]
    fn every_condition() {
        let c = |v: Value| Matcher::compile(&v).unwrap();
        assert!(c(json!({"regex": "^id:\\d+"})).check(&t("id:12 x")).is_ok());
        assert!(c(json!({"regex": "^id:\\d+"})).check(&t("x")).is_err());
        assert!(c(json!({"range": [1, 3]})).check(&Actual::Int(3)).is_ok());
        assert!(c(json!({"range": [1, 3]})).check(&Actual::Int(4)).is_err());
        assert!(
            c(json!({"one_of": ["DELIVRD", "ACCEPTD"]}))
                .check(&t("ACCEPTD"))
                .is_ok()
        );
        assert!(
            c(json!({"mask": 0x3c, "eq": 4}))
                .check(&Actual::Int(0x44))
                .is_ok()
        );
        assert!(
            c(json!({"mask": 0x3c, "eq": 4}))
                .check(&Actual::Int(0x08))
                .is_err()
        );
        assert!(
            c(json!({"len": {"range": [1, 64]}}))
                .check(&t("abc"))
                .is_ok()
        );
        assert!(c(json!({"len": 0})).check(&t("abc")).is_err());
        assert!(c(json!({"hex": "6162"})).check(&t("ab")).is_ok());
        assert!(c(json!({"any": true})).check(&Actual::Int(0)).is_ok());
        assert!(c(json!({"any": true})).check(&Actual::Absent).is_err());
        assert!(c(json!({"absent": true})).check(&Actual::Absent).is_ok());
        assert!(c(json!({"absent": true})).check(&Actual::Int(1)).is_err());
        assert!(c(json!({"ne": 0})).check(&Actual::Int(1)).is_ok());
    }

    #[test]
    fn bad_matchers_are_refused() {
        assert!(
            Matcher::compile(&json!({"regexp": "x"}))
                .unwrap_err()
                .contains("unknown matcher")
        );
        assert!(Matcher::compile(&json!({"range": [3, 1]})).is_err());
        assert!(Matcher::compile(&json!({"regex": "("})).is_err());
        assert!(Matcher::compile(&json!({"mask": 3})).is_err());
        assert!(Matcher::compile(&json!({})).is_err());
    }

    #[test]
    fn captures() {
        let c = CaptureSpec::compile(&json!({"field": "short_message", "regex": "stat:([A-Z]+)"}))
            .unwrap();
        assert_eq!(
            c.extract(&t("id:1 stat:DELIVRD err:0")).as_deref(),
            Some("DELIVRD")
        );
        assert_eq!(c.extract(&t("nothing")), None);
        assert!(CaptureSpec::compile(&json!({"regex": "x"})).is_err());
    }
}
