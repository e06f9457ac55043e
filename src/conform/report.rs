//! Results and reports: the console summary, the wire log, JSON, JUnit XML and the lock file of
//! known outcomes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::load::{Scenario, SectionKey, section_key};
use super::model::{Level, Role};
use super::net::{Dir, WireEntry};
use crate::Command;
use crate::dump::{self, DumpOptions};

/// The outcome of one scenario (FORMAT.md, "Outcomes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every step held through `must` branches.
    Pass,
    /// Conformant, not strictly (a SHOULD is not met, or a PDU only decodes leniently).
    NonStrict,
    /// Behaviour the spec leaves open.
    Info,
    /// A failure the peer profile lists as known.
    Known,
    /// Not run.
    Skip,
    /// A MUST is not met.
    Fail,
    /// The target could not be reached.
    Error,
}

impl Outcome {
    /// `pass`, `non-strict`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::NonStrict => "non-strict",
            Self::Info => "info",
            Self::Known => "known",
            Self::Skip => "skip",
            Self::Fail => "fail",
            Self::Error => "error",
        }
    }

    /// Every outcome, in report order.
    pub const ALL: [Outcome; 7] = [
        Self::Pass,
        Self::NonStrict,
        Self::Info,
        Self::Known,
        Self::Skip,
        Self::Fail,
        Self::Error,
    ];

    /// From its name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether this outcome fails a run (without a lock file).
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Fail | Self::Error)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// It held.
    Ok,
    /// An optional step that did not happen.
    Skipped,
    /// It failed.
    Failed,
}

/// One step as it ran.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// Its line in the scenario file.
    pub line: u64,
    /// Its kind.
    pub kind: &'static str,
    /// How it went.
    pub status: StepStatus,
    /// What happened.
    pub detail: String,
    /// When it ended, since the case started.
    pub at: Duration,
}

/// The lock file's verdict on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockCheck {
    /// The outcome locked (`None`: the lock does not know the case).
    pub expected: Option<Outcome>,
    /// Whether this counts as a change.
    pub changed: bool,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Spec reference.
    pub spec: String,
    /// Level.
    pub level: Level,
    /// Role.
    pub role: Role,
    /// File.
    pub file: PathBuf,
    /// Outcome.
    pub outcome: Outcome,
    /// Duration.
    pub duration: Duration,
    /// Why it failed, or was skipped.
    pub message: Option<String>,
    /// Non-strict and informational remarks.
    pub notes: Vec<String>,
    /// The steps as they ran.
    pub steps: Vec<StepRecord>,
    /// The wire log.
    pub wire: Vec<WireEntry>,
    /// The profile's note for a known deviation.
    pub known: Option<String>,
    /// The lock file's verdict.
    pub lock: Option<LockCheck>,
}

impl CaseResult {
    /// An empty result (outcome `skip`) for a scenario.
    pub fn new(sc: &Scenario) -> Self {
        Self {
            id: sc.id().to_owned(),
            title: sc.doc.title.clone(),
            spec: sc.doc.spec.clone(),
            level: sc.doc.level,
            role: sc.doc.role,
            file: sc.file.clone(),
            outcome: Outcome::Skip,
            duration: Duration::ZERO,
            message: None,
            notes: Vec::new(),
            steps: Vec::new(),
            wire: Vec::new(),
            known: None,
            lock: None,
        }
    }

    /// The section (first segment of the id).
    pub fn section(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }

    /// One line: `FAIL  4.4.1/submit-ok  12 ms  message`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{:<10} {}  ({} ms)",
            self.outcome.as_str().to_uppercase(),
            self.id,
            self.duration.as_millis()
        );
        if let Some(m) = self.message.as_ref().or(self.notes.first()) {
            let _ = write!(s, "\n           {m}");
        }
        if let Some(k) = &self.known {
            let _ = write!(s, "\n           known deviation: {k}");
        }
        if let Some(l) = &self.lock
            && l.changed
        {
            let was = l.expected.map_or("new", |o| o.as_str());
            let _ = write!(
                s,
                "\n           CHANGED: locked {was}, now {}",
                self.outcome
            );
        }
        s
    }
}

/// Counts by outcome.
pub fn totals(results: &[CaseResult]) -> BTreeMap<Outcome, usize> {
    let mut t = BTreeMap::new();
    for o in Outcome::ALL {
        t.insert(o, 0);
    }
    for r in results {
        *t.entry(r.outcome).or_insert(0) += 1;
    }
    t
}

/// The wire log of a case as text: time, session, direction, decoded PDU and hex dump.
pub fn wire_text(wire: &[WireEntry]) -> String {
    let mut out = String::new();
    for e in wire {
        let t = format!("{:>9.3} ms", e.at.as_secs_f64() * 1000.0);
        match e.dir {
            Dir::Note => {
                let _ = writeln!(out, "{t}  {:<6} -- {}", e.session, e.note);
            }
            Dir::Out | Dir::In => {
                let arrow = if e.dir == Dir::Out { ">>" } else { "<<" };
                let decoded = match Command::decode_with(&e.bytes, crate::DecodeOptions::LENIENT) {
                    Ok(d) => {
                        dump::to_text(&d.command, &e.bytes, &d.warnings, &DumpOptions::default())
                    }
                    Err(err) => dump::error_text(&err, 0),
                };
                let mut lines = decoded.lines();
                let first = lines.next().unwrap_or_default();
                let _ = writeln!(out, "{t}  {:<6} {arrow} {first}", e.session);
                if !e.note.is_empty() {
                    let _ = writeln!(out, "{:>24}{}", "", e.note);
                }
                for l in lines {
                    let _ = writeln!(out, "{:>24}{l}", "");
                }
                for l in dump::hex_dump(&e.bytes).lines() {
                    let _ = writeln!(out, "{:>24}{l}", "");
                }
            }
        }
    }
    out
}

/// The summary printed at the end of a run: a table by spec section, the cases that did not pass,
/// and the totals.
pub fn summary(results: &[CaseResult], elapsed: Duration, verbose: bool) -> String {
    let mut out = String::new();
    let mut sections: BTreeMap<SectionKey, (String, BTreeMap<Outcome, usize>)> = BTreeMap::new();
    for r in results {
        let key = section_key(&format!("{}/", r.section()));
        let e = sections
            .entry(key)
            .or_insert_with(|| (r.section().to_owned(), BTreeMap::new()));
        *e.1.entry(r.outcome).or_insert(0) += 1;
    }
    let cols = Outcome::ALL;
    let _ = write!(out, "\n{:<10}", "section");
    for o in cols {
        let _ = write!(out, "{:>11}", o.as_str());
    }
    out.push('\n');
    let _ = writeln!(out, "{}", "-".repeat(10 + 11 * cols.len()));
    for (name, counts) in sections.values() {
        let _ = write!(out, "{name:<10}");
        for o in cols {
            match counts.get(&o).copied().unwrap_or(0) {
                0 => {
                    let _ = write!(out, "{:>11}", ".");
                }
                n => {
                    let _ = write!(out, "{n:>11}");
                }
            }
        }
        out.push('\n');
    }
    let t = totals(results);
    let _ = write!(out, "{}\n{:<10}", "-".repeat(10 + 11 * cols.len()), "total");
    for o in cols {
        let _ = write!(out, "{:>11}", t.get(&o).copied().unwrap_or(0));
    }
    out.push('\n');
    let notable: Vec<&CaseResult> = results
        .iter()
        .filter(|r| {
            r.outcome != Outcome::Pass || r.lock.as_ref().is_some_and(|l| l.changed) || verbose
        })
        .collect();
    if !notable.is_empty() {
        let _ = writeln!(out, "\n{}", if verbose { "cases:" } else { "not passed:" });
        for r in notable {
            let _ = writeln!(out, "  {}", r.line().replace('\n', "\n  "));
        }
    }
    let _ = writeln!(
        out,
        "\n{} scenarios in {:.1} s: {}",
        results.len(),
        elapsed.as_secs_f64(),
        Outcome::ALL
            .iter()
            .filter_map(|o| match t.get(o).copied().unwrap_or(0) {
                0 => None,
                n => Some(format!("{n} {o}")),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}

fn wire_json(wire: &[WireEntry]) -> Value {
    Value::Array(
        wire.iter()
            .map(|e| {
                let mut o = json!({
                    "t_ms": (e.at.as_secs_f64() * 1e6).round() / 1000.0,
                    "session": e.session,
                    "dir": match e.dir { Dir::Out => "out", Dir::In => "in", Dir::Note => "note" },
                });
                if !e.note.is_empty() {
                    o["note"] = json!(e.note);
                }
                if e.dir != Dir::Note {
                    o["hex"] = json!(hex::encode(&e.bytes));
                    match Command::decode_with(&e.bytes, crate::DecodeOptions::LENIENT) {
                        Ok(d) => {
                            o["pdu"] = dump::to_json(
                                &d.command,
                                &e.bytes,
                                &d.warnings,
                                &DumpOptions::default(),
                            )
                        }
                        Err(err) => o["error"] = dump::error_json(&err, 0),
                    }
                }
                o
            })
            .collect(),
    )
}

/// Facts about the run for the reports.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The target (`host:port`), or a note that it is the embedded peer.
    pub target: String,
    /// The listener.
    pub listen: Option<String>,
    /// The profile's name.
    pub profile: Option<String>,
    /// Elapsed.
    pub elapsed: Duration,
}

/// The JSON report.
pub fn to_json(results: &[CaseResult], info: &RunInfo) -> Value {
    let t = totals(results);
    let totals: serde_json::Map<String, Value> = t
        .iter()
        .map(|(o, n)| (o.as_str().to_owned(), json!(n)))
        .collect();
    json!({
        "tool": "smpp-conform",
        "version": env!("CARGO_PKG_VERSION"),
        "target": info.target,
        "listen": info.listen,
        "profile": info.profile,
        "duration_ms": info.elapsed.as_millis() as u64,
        "totals": totals,
        "cases": results.iter().map(|r| {
            let mut c = json!({
                "id": r.id,
                "title": r.title,
                "spec": r.spec,
                "level": r.level.as_str(),
                "role": r.role.as_str(),
                "file": r.file.display().to_string(),
                "outcome": r.outcome.as_str(),
                "duration_ms": r.duration.as_millis() as u64,
                "message": r.message,
                "notes": r.notes,
                "steps": r.steps.iter().map(|s| json!({
                    "line": s.line,
                    "kind": s.kind,
                    "status": s.status,
                    "detail": s.detail,
                    "t_ms": s.at.as_millis() as u64,
                })).collect::<Vec<_>>(),
                "wire": wire_json(&r.wire),
            });
            if let Some(k) = &r.known {
                c["known_deviation"] = json!(k);
            }
            if let Some(l) = &r.lock {
                c["lock"] = json!({"expected": l.expected.map(|o| o.as_str()), "changed": l.changed});
            }
            c
        }).collect::<Vec<_>>(),
    })
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: one testsuite per spec section, one testcase per scenario; `fail` is a
/// failure, `error` an error, `skip` skipped; non-strict, info and known cases pass with their
/// remarks in system-out.
pub fn to_junit(results: &[CaseResult], info: &RunInfo) -> String {
    let mut groups: BTreeMap<SectionKey, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        groups
            .entry(section_key(&format!("{}/", r.section())))
            .or_default()
            .push(r);
    }
    let t = totals(results);
    let count = |o: Outcome| t.get(&o).copied().unwrap_or(0);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"smpp-conform\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        results.len(),
        count(Outcome::Fail),
        count(Outcome::Error),
        count(Outcome::Skip),
        info.elapsed.as_secs_f64()
    );
    for cases in groups.values() {
        let section = cases.first().map_or("", |c| c.section());
        let n = |o: Outcome| cases.iter().filter(|c| c.outcome == o).count();
        let time: f64 = cases.iter().map(|c| c.duration.as_secs_f64()).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{time:.3}\">",
            xml_escape(section),
            cases.len(),
            n(Outcome::Fail),
            n(Outcome::Error),
            n(Outcome::Skip)
        );
        for c in cases {
            let _ = write!(
                x,
                "    <testcase classname=\"smpp.{}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(section),
                xml_escape(&c.id),
                c.duration.as_secs_f64()
            );
            let msg = c.message.clone().unwrap_or_default();
            let mut body = String::new();
            match c.outcome {
                Outcome::Fail => {
                    let _ = writeln!(
                        body,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        xml_escape(&msg),
                        c.level,
                        xml_escape(&format!(
                            "{}\n{}\n\n{}",
                            c.title,
                            c.spec,
                            wire_text(&c.wire)
                        ))
                    );
                }
                Outcome::Error => {
                    let _ = writeln!(
                        body,
                        "      <error message=\"{}\" type=\"unreachable\"/>",
                        xml_escape(&msg)
                    );
                }
                Outcome::Skip => {
                    let _ = writeln!(body, "      <skipped message=\"{}\"/>", xml_escape(&msg));
                }
                _ => {}
            }
            let mut out_text = String::new();
            if !matches!(
                c.outcome,
                Outcome::Pass | Outcome::Fail | Outcome::Skip | Outcome::Error
            ) {
                let _ = writeln!(out_text, "outcome: {}", c.outcome);
            }
            if !msg.is_empty()
                && !matches!(c.outcome, Outcome::Fail | Outcome::Skip | Outcome::Error)
            {
                let _ = writeln!(out_text, "{msg}");
            }
            for n in &c.notes {
                let _ = writeln!(out_text, "{n}");
            }
            if let Some(k) = &c.known {
                let _ = writeln!(out_text, "known deviation: {k}");
            }
            if !out_text.is_empty() {
                let _ = writeln!(
                    body,
                    "      <system-out>{}</system-out>",
                    xml_escape(&out_text)
                );
            }
            if body.is_empty() {
                x.push_str("/>\n");
            } else {
                x.push_str(">\n");
                x.push_str(&body);
                x.push_str("    </testcase>\n");
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// The lock file of known outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Format version (1).
    pub version: u32,
    /// id → outcome.
    pub outcomes: BTreeMap<String, Outcome>,
}

impl Lock {
    /// The lock of these results.
    pub fn of(results: &[CaseResult]) -> Self {
        Self {
            version: 1,
            outcomes: results.iter().map(|r| (r.id.clone(), r.outcome)).collect(),
        }
    }

    /// Reads a lock file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let lock: Self =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if lock.version != 1 {
            return Err(format!(
                "{}: lock version {} (1 expected)",
                path.display(),
                lock.version
            ));
        }
        Ok(lock)
    }

    /// Writes it (sorted, no timings).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())? + "\n";
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Compares a result with the lock.
    pub fn check(&self, r: &CaseResult) -> LockCheck {
        match self.outcomes.get(&r.id) {
            Some(o) => LockCheck {
                expected: Some(*o),
                changed: *o != r.outcome,
            },
            None => LockCheck {
                expected: None,
                changed: r.outcome.is_failure(),
            },
        }
    }
}
