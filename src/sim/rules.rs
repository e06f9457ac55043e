//! Behaviour injection: rules keyed on the destination address or the text of a message that make
//! the simulator answer with a given status, late, never, throttled, or with a failed receipt —
//! the "magic numbers" test SMSCs offer ([`MAGIC`]), rules from the command line or the YAML
//! config, and `sim:` directives written in the text itself.
//!
//! A rule is written `KEY=VALUE,KEY=VALUE,...` (or as a YAML mapping with the same keys):
//!
//! | key | meaning |
//! | --- | --- |
//! | `dest=ADDR` | matches this destination_addr exactly |
//! | `dest-prefix=DIGITS` | matches destination addresses starting with these |
//! | `text=WORDS` | matches a text containing these (read per data_coding; under data_coding 0 printable-ASCII octets also as ASCII) |
//! | `status=S` | answer with this command_status: a number (`0x45`, `69`) or a name (`ESME_RSUBMITFAIL`) |
//! | `delay=D` | answer after this long (`250ms`, `2s`, `1m`; a bare number is milliseconds) |
//! | `no-reply` | never answer (the ESME's response timer fires) |
//! | `throttle=N` | accept at most N such messages a second (all sessions together), ESME_RTHROTTLED beyond |
//! | `receipt=STAT` | the receipt's outcome: DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN, ACCEPTD |
//! | `err=N` | the receipt's `err:` (and network_error_code when it failed) |
//! | `receipt-delay=D` | the receipt after this long instead of the configured delay |
//! | `no-receipt` | accept, and never send a receipt |

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::pdu::CommandStatus;
use crate::receipt::ReceiptStat;

/// The built-in magic destination numbers: (destination prefix, rule, what it does). E.164 country
/// code 999 is reserved, so no real number starts with these. On by default (`magic: false` or
/// `--no-magic` turns them off).
pub const MAGIC: &[(&str, &str, &str)] = &[
    (
        "999001",
        "status=ESME_RINVDSTADR",
        "submit answered ESME_RINVDSTADR (0x0B)",
    ),
    (
        "999002",
        "status=ESME_RSYSERR",
        "submit answered ESME_RSYSERR (0x08)",
    ),
    (
        "999003",
        "status=ESME_RTHROTTLED",
        "submit answered ESME_RTHROTTLED (0x58)",
    ),
    (
        "999004",
        "status=ESME_RMSGQFUL",
        "submit answered ESME_RMSGQFUL (0x14)",
    ),
    (
        "999005",
        "status=ESME_RSUBMITFAIL",
        "submit answered ESME_RSUBMITFAIL (0x45)",
    ),
    ("999010", "no-reply", "no submit_sm_resp at all"),
    ("999011", "delay=2s", "submit_sm_resp after 2 s"),
    (
        "999012",
        "delay=30s",
        "submit_sm_resp after 30 s (past most response timers)",
    ),
    (
        "999020",
        "throttle=1",
        "at most 1 message a second to these numbers, ESME_RTHROTTLED beyond",
    ),
    (
        "999030",
        "receipt=UNDELIV,err=1",
        "receipt UNDELIV, err:001",
    ),
    (
        "999031",
        "receipt=EXPIRED,err=27",
        "receipt EXPIRED, err:027",
    ),
    (
        "999032",
        "receipt=REJECTD,err=11",
        "receipt REJECTD, err:011",
    ),
    (
        "999033",
        "receipt=DELIVRD",
        "receipt DELIVRD whatever the outcome mix",
    ),
    ("999034", "no-receipt", "accepted, never a receipt"),
    ("999035", "receipt-delay=10s", "receipt after 10 s"),
];

/// Why a rule did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {rule:?}: {reason}")]
pub struct RuleError {
    /// The rule as written.
    pub rule: String,
    /// What is wrong.
    pub reason: String,
}

/// What to do with a matching message. Every field is optional; [`Rule`]s combine them.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Action {
    /// Answer with this status (and store nothing).
    pub status: Option<CommandStatus>,
    /// Answer after this long.
    pub delay: Option<Duration>,
    /// Never answer.
    pub no_reply: bool,
    /// At most this many matching messages a second (all sessions together).
    pub throttle: Option<f64>,
    /// The receipt's outcome.
    pub receipt: Option<ReceiptStat>,
    /// The receipt's error code.
    pub err: Option<u16>,
    /// The receipt after this long.
    pub receipt_delay: Option<Duration>,
    /// No receipt, ever.
    pub no_receipt: bool,
}

/// One injection rule: what it matches and what it does.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Rule {
    /// destination_addr equal to this.
    pub dest: Option<String>,
    /// destination_addr starting with this.
    pub dest_prefix: Option<String>,
    /// Text containing this.
    pub text: Option<String>,
    /// What it does.
    pub action: Action,
    /// The rule as written (for logs and the summary).
    pub source: String,
}

/// Parses `250ms`, `2s`, `1.5s`, `1m`, `1h`; a bare number is milliseconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("bad duration {s:?} (250ms, 2s, 1m)"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => return Err(format!("bad duration unit {u:?} in {s:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("bad duration {s:?}: {e}"))
}

/// Parses a command_status: a name (`ESME_RTHROTTLED`), hex (`0x58`) or decimal (`88`).
pub fn parse_status(s: &str) -> Result<CommandStatus, String> {
    let s = s.trim();
    if let Some(st) = CommandStatus::from_name(&s.to_ascii_uppercase()) {
        return Ok(st);
    }
    let v = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16)
    } else {
        s.parse()
    };
    v.map(CommandStatus)
        .map_err(|_| format!("bad status {s:?} (a name like ESME_RSYSERR, 0x08 or 8)"))
}

/// Parses a receipt outcome (`DELIVRD`, `UNDELIV`, ...; also the message_state names).
pub fn parse_stat(s: &str) -> Result<ReceiptStat, String> {
    let stat = match s.trim().to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => ReceiptStat::Delivered,
        "UNDELIV" | "UNDELIVERABLE" => ReceiptStat::Undeliverable,
        "EXPIRED" => ReceiptStat::Expired,
        "REJECTD" | "REJECTED" => ReceiptStat::Rejected,
        "DELETED" => ReceiptStat::Deleted,
        "UNKNOWN" => ReceiptStat::Unknown,
        "ACCEPTD" | "ACCEPTED" => ReceiptStat::Accepted,
        other => {
            return Err(format!(
                "bad receipt outcome {other:?} (DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN, ACCEPTD)"
            ));
        }
    };
    Ok(stat)
}

impl Action {
    /// Sets one `key=value` action; `Ok(false)` when the key is not an action.
    fn set(&mut self, key: &str, value: Option<&str>) -> Result<bool, String> {
        let need = || value.ok_or_else(|| format!("{key} needs a value ({key}=...)"));
        let flag = || match value {
            None | Some("true" | "yes" | "1") => Ok(true),
            Some("false" | "no" | "0") => Ok(false),
            Some(v) => Err(format!("{key} takes no value, or true/false (got {v:?})")),
        };
        match key {
            "status" => self.status = Some(parse_status(need()?)?),
            "delay" => self.delay = Some(parse_duration(need()?)?),
            "no-reply" => self.no_reply = flag()?,
            "throttle" => {
                let v = need()?;
                let n: f64 = v
                    .parse()
                    .ok()
                    .filter(|n: &f64| *n > 0.0 && n.is_finite())
                    .ok_or_else(|| format!("bad throttle {v:?} (messages a second, > 0)"))?;
                self.throttle = Some(n);
            }
            "receipt" => self.receipt = Some(parse_stat(need()?)?),
            "err" => {
                let v = need()?;
                self.err = Some(v.parse().map_err(|_| format!("bad err {v:?} (0-65535)"))?);
            }
            "receipt-delay" => self.receipt_delay = Some(parse_duration(need()?)?),
            "no-receipt" => self.no_receipt = flag()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Parses actions only (`status=0x45,delay=1s`), as in a `sim:` text directive.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut a = Action::default();
        for (k, v) in pairs(s) {
            if !a.set(&k, v.as_deref())? {
                return Err(format!("unknown action {k:?}"));
            }
        }
        Ok(a)
    }

    /// Whether it does anything.
    pub fn is_empty(&self) -> bool {
        *self == Action::default()
    }

    /// `self`, with what `other` sets where `self` sets nothing.
    fn or(mut self, other: &Action) -> Action {
        self.status = self.status.or(other.status);
        self.delay = self.delay.or(other.delay);
        self.no_reply |= other.no_reply;
        self.throttle = self.throttle.or(other.throttle);
        self.receipt = self.receipt.or_else(|| other.receipt.clone());
        self.err = self.err.or(other.err);
        self.receipt_delay = self.receipt_delay.or(other.receipt_delay);
        self.no_receipt |= other.no_receipt;
        self
    }
}

/// Splits `k=v,k,k=v` (keys lowercased, `_` read as `-`).
fn pairs(s: &str) -> impl Iterator<Item = (String, Option<String>)> + '_ {
    s.split(',').filter(|p| !p.trim().is_empty()).map(|p| {
        let (k, v) = match p.split_once('=') {
            Some((k, v)) => (k, Some(v.trim().to_owned())),
            None => (p, None),
        };
        (k.trim().to_ascii_lowercase().replace('_', "-"), v)
    })
}

impl Rule {
    fn from_pairs(
        source: String,
        pairs: impl IntoIterator<Item = (String, Option<String>)>,
    ) -> Result<Self, RuleError> {
        let err = |reason: String| RuleError {
            rule: source.clone(),
            reason,
        };
        let mut rule = Rule::default();
        for (k, v) in pairs {
            let value = || v.clone().ok_or_else(|| err(format!("{k} needs a value")));
            match k.as_str() {
                "dest" => rule.dest = Some(value()?),
                "dest-prefix" => rule.dest_prefix = Some(value()?),
                "text" => rule.text = Some(value()?),
                _ => {
                    if !rule.action.set(&k, v.as_deref()).map_err(err)? {
                        return Err(err(format!(
                            "unknown key {k:?} (dest, dest-prefix, text, status, delay, no-reply, \
                             throttle, receipt, err, receipt-delay, no-receipt)"
                        )));
                    }
                }
            }
        }
        if rule.dest.is_none() && rule.dest_prefix.is_none() && rule.text.is_none() {
            return Err(err("matches nothing: give dest, dest-prefix or text".into()));
        }
        if rule.action.is_empty() {
            return Err(err("does nothing: give status, delay, no-reply, throttle, receipt, err, receipt-delay or no-receipt".into()));
        }
        rule.source = source;
        Ok(rule)
    }

    /// Whether it matches a message to `dest` with this text.
    pub fn matches(&self, dest: &str, text: &str) -> bool {
        self.dest.as_deref().is_none_or(|d| d == dest)
            && self
                .dest_prefix
                .as_deref()
                .is_none_or(|p| dest.starts_with(p))
            && self.text.as_deref().is_none_or(|t| text.contains(t))
    }
}

impl std::str::FromStr for Rule {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::from_pairs(s.to_owned(), pairs(s))
    }
}

/// A YAML scalar, read as the text of a `key=value` pair.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl<'de> Deserialize<'de> for Rule {
    /// A mapping with the keys of the `key=value` form (`dest-prefix` or `dest_prefix`), or the
    /// `key=value` string itself.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Line(String),
            Map(std::collections::BTreeMap<String, Scalar>),
        }
        let pairs: Vec<(String, Option<String>)> = match Form::deserialize(d)? {
            Form::Line(s) => return s.parse().map_err(serde::de::Error::custom),
            Form::Map(m) => m
                .into_iter()
                .filter_map(|(k, v)| {
                    let k = k.to_ascii_lowercase().replace('_', "-");
                    match v {
                        Scalar::Bool(false) => None,
                        Scalar::Bool(true) => Some((k, None)),
                        Scalar::Int(i) => Some((k, Some(i.to_string()))),
                        Scalar::Float(f) => Some((k, Some(f.to_string()))),
                        Scalar::Str(s) => Some((k, Some(s))),
                    }
                })
                .collect(),
        };
        let source = pairs
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            })
            .collect::<Vec<_>>()
            .join(",");
        Rule::from_pairs(source, pairs).map_err(serde::de::Error::custom)
    }
}

/// Token bucket of a throttling rule.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Option<Instant>,
}

/// The rules in force: user rules first (in order), then the magic numbers; the first that
/// matches decides, and a `sim:` directive at the start of the text comes before all of them.
#[derive(Debug)]
pub(crate) struct RuleSet {
    rules: Vec<Rule>,
    buckets: Vec<Mutex<Bucket>>,
    directives: bool,
}

/// What the rules decided for one message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decision {
    pub(crate) action: Action,
    /// The rule, as written (None when nothing matched).
    pub(crate) rule: Option<String>,
    /// Refused by a throttling rule.
    pub(crate) throttled: bool,
}

impl RuleSet {
    pub(crate) fn new(user: &[Rule], magic: bool) -> Self {
        let mut rules = user.to_vec();
        if magic {
            for (prefix, action, _) in MAGIC {
                let rule: Rule = format!("dest-prefix={prefix},{action}")
                    .parse()
                    .expect("the magic table parses");
                rules.push(rule);
            }
        }
        let buckets = rules
            .iter()
            .map(|_| {
                Mutex::new(Bucket {
                    tokens: 0.0,
                    last: None,
                })
            })
            .collect();
        Self {
            rules,
            buckets,
            directives: magic,
        }
    }

    /// How many rules (magic numbers included).
    pub(crate) fn len(&self) -> usize {
        self.rules.len()
    }

    pub(crate) fn decide(&self, dest: &str, text: &str, now: Instant) -> Decision {
        let directive = self
            .directives
            .then(|| text.trim_start().strip_prefix("sim:"))
            .flatten()
            .map(|rest| rest.split_whitespace().next().unwrap_or(""));
        let mut decision = Decision::default();
        if let Some(d) = directive {
            match Action::parse(d) {
                Ok(a) => {
                    decision.action = a;
                    decision.rule = Some(format!("sim:{d}"));
                }
                Err(e) => tracing::warn!(directive = d, error = %e, "bad sim: directive ignored"),
            }
        }
        let Some(i) = self.rules.iter().position(|r| r.matches(dest, text)) else {
            return decision;
        };
        let rule = &self.rules[i];
        if decision.rule.is_none() {
            decision.rule = Some(rule.source.clone());
        }
        decision.action = decision.action.or(&rule.action);
        if let Some(rate) = rule.action.throttle {
            let mut b = self.buckets[i].lock().unwrap_or_else(|p| p.into_inner());
            let burst = rate.max(1.0);
            let elapsed = b.last.map_or(burst / rate, |l| {
                now.saturating_duration_since(l).as_secs_f64()
            });
            b.tokens = (b.tokens + elapsed * rate).min(burst);
            b.last = Some(now);
            if b.tokens >= 1.0 {
                b.tokens -= 1.0;
            } else {
                decision.throttled = true;
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rules() {
        let r: Rule = "dest=447700900999,status=0x0b".parse().unwrap();
        assert_eq!(r.dest.as_deref(), Some("447700900999"));
        assert_eq!(r.action.status, Some(CommandStatus::ESME_RINVDSTADR));
        let r: Rule = "text=FAIL ME, receipt=undeliv, err=5, receipt_delay=1s"
            .parse()
            .unwrap();
        assert_eq!(r.text.as_deref(), Some("FAIL ME"));
        assert_eq!(r.action.receipt, Some(ReceiptStat::Undeliverable));
        assert_eq!(r.action.err, Some(5));
        assert_eq!(r.action.receipt_delay, Some(Duration::from_secs(1)));
        let r: Rule = "dest-prefix=44,no-reply".parse().unwrap();
        assert!(r.action.no_reply);
        assert!("status=8".parse::<Rule>().is_err(), "matches nothing");
        assert!("dest=1".parse::<Rule>().is_err(), "does nothing");
        assert!("dest=1,bogus=2".parse::<Rule>().is_err());
        assert!("dest=1,delay=2x".parse::<Rule>().is_err());
        assert_eq!(parse_duration("250").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_status("88").unwrap(), CommandStatus::ESME_RTHROTTLED);
    }

    #[test]
    fn yaml_rules() {
        let rules: Vec<Rule> = serde_saphyr::from_str(
            "- dest: \"123\"\n  status: 69\n- {dest_prefix: \"44\", delay: 2s, no-reply: true}\n- \"text=hi,receipt=EXPIRED\"\n",
        )
        .unwrap();
        assert_eq!(
            rules[0].action.status,
            Some(CommandStatus::ESME_RSUBMITFAIL)
        );
        assert_eq!(rules[1].dest_prefix.as_deref(), Some("44"));
        assert!(rules[1].action.no_reply);
        assert_eq!(rules[1].action.delay, Some(Duration::from_secs(2)));
        assert_eq!(rules[2].action.receipt, Some(ReceiptStat::Expired));
    }

    #[test]
    fn first_match_and_directives() {
        let user: Rule = "dest-prefix=999001,delay=1s".parse().unwrap();
        let set = RuleSet::new(&[user], true);
        assert_eq!(set.len(), 1 + MAGIC.len());
        let now = Instant::now();
        // The user rule comes before the magic number.
        let d = set.decide("999001", "", now);
        assert_eq!(d.action.delay, Some(Duration::from_secs(1)));
        assert_eq!(d.action.status, None);
        let d = set.decide("9990020000", "", now);
        assert_eq!(d.action.status, Some(CommandStatus::ESME_RSYSERR));
        let d = set.decide("447700900123", "sim:status=0x45,delay=5ms rest", now);
        assert_eq!(d.action.status, Some(CommandStatus::ESME_RSUBMITFAIL));
        assert_eq!(d.action.delay, Some(Duration::from_millis(5)));
        assert!(set.decide("447700900123", "hello", now).rule.is_none());
        let off = RuleSet::new(&[], false);
        assert!(off.decide("999001", "sim:no-reply", now).rule.is_none());
    }

    #[test]
    fn throttle_rule() {
        let set = RuleSet::new(&[], true);
        let t0 = Instant::now();
        assert!(!set.decide("999020", "", t0).throttled);
        assert!(set.decide("999020", "", t0).throttled);
        assert!(
            !set.decide("999020", "", t0 + Duration::from_secs(1))
                .throttled
        );
    }

    #[test]
    fn magic_table_is_documented() {
        let readme = include_str!("../../README.md");
        for (prefix, _, _) in MAGIC {
            assert!(
                readme.contains(&format!("| `{prefix}` |")),
                "{prefix} missing from the README"
            );
        }
    }

    #[test]
    fn magic_table_parses() {
        for (prefix, action, _) in MAGIC {
            let r: Rule = format!("dest-prefix={prefix},{action}").parse().unwrap();
            assert!(!r.action.is_empty());
        }
    }
}
