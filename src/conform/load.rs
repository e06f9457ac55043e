//! Finding, parsing and checking scenario files. Every problem becomes a [`LoadError`] with
//! `file:line:column`; a file is checked completely, so that one run lists every problem.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::build::{self, FieldKind};
use super::matcher::{CaptureSpec, Matcher};
use super::model::*;
use super::vars::{self, BUILTINS};
use crate::pdu::CommandId;

/// A problem in a scenario (or profile) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0: the whole file).
    pub line: u64,
    /// 1-based column (0: the whole line).
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file.display(), self.message),
            (l, 0) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// A checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// As written.
    pub doc: ScenarioDoc,
    /// Where.
    pub file: PathBuf,
    /// Session names; the first is the default.
    pub sessions: Vec<String>,
    /// Requests answered automatically.
    pub auto_respond: Vec<CommandId>,
    /// Default wait of a step.
    pub step_timeout: Duration,
    /// Bound of the scenario.
    pub scenario_timeout: Duration,
}

/// Default wait of a step.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// Default bound of a scenario.
pub const DEFAULT_SCENARIO_TIMEOUT: Duration = Duration::from_secs(60);

impl Scenario {
    /// The id.
    pub fn id(&self) -> &str {
        &self.doc.id.value
    }

    /// The spec section, the id's first segment (`4.4.1`).
    pub fn section(&self) -> &str {
        self.id().split('/').next().unwrap_or("")
    }

    /// Sort key: sections numerically (4.4 before 4.10), then the rest of the id.
    pub fn sort_key(&self) -> SectionKey {
        section_key(self.id())
    }
}

/// How ids sort: the section's parts numerically (4.4 before 4.10), then the rest of the id.
pub type SectionKey = (Vec<(u32, String)>, String);

/// Sort key of an id: its section's parts numerically, then the rest.
pub fn section_key(id: &str) -> SectionKey {
    let (section, rest) = id.split_once('/').unwrap_or((id, ""));
    let parts = section
        .split('.')
        .map(|p| (p.parse().unwrap_or(u32::MAX), p.to_owned()))
        .collect();
    (parts, rest.to_owned())
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        leading_zero_numbers_as_strings: true,
        strict_booleans: true,
    }
}

/// The message of a serde-saphyr error without its " at line X, column Y" tail.
fn yaml_error(file: &Path, e: &serde_saphyr::Error) -> LoadError {
    let mut message = e.to_string();
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    LoadError {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// The scenario files under `paths` (files as given; directories walked, names starting with `.`
/// or `_` skipped), sorted.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
        } else if p.is_dir() {
            walk(p, &mut files, &mut errors);
        } else {
            errors.push(LoadError {
                file: p.clone(),
                line: 0,
                column: 0,
                message: "no such file or directory".into(),
            });
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError {
                file: dir.to_owned(),
                line: 0,
                column: 0,
                message: e.to_string(),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, errors);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push(path);
        }
    }
}

/// Loads every scenario under `paths`: the scenarios, or every problem found (duplicate ids
/// included).
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<LoadError>> {
    let (files, mut errors) = discover(paths);
    let mut scenarios = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => match load_str(&text, f) {
                Ok(s) => scenarios.extend(s),
                Err(e) => errors.extend(e),
            },
            Err(e) => errors.push(LoadError {
                file: f.clone(),
                line: 0,
                column: 0,
                message: e.to_string(),
            }),
        }
    }
    let mut seen: HashMap<String, (PathBuf, u64)> = HashMap::new();
    for s in &scenarios {
        let line = s.doc.id.referenced.line();
        if let Some((file, l)) = seen.get(s.id()) {
            errors.push(LoadError {
                file: s.file.clone(),
                line,
                column: s.doc.id.referenced.column(),
                message: format!("duplicate id `{}` (also in {}:{l})", s.id(), file.display()),
            });
        } else {
            seen.insert(s.id().to_owned(), (s.file.clone(), line));
        }
    }
    if errors.is_empty() {
        scenarios.sort_by_key(|s| s.sort_key());
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

/// Loads the scenarios of one file's text.
pub fn load_str(text: &str, file: &Path) -> Result<Vec<Scenario>, Vec<LoadError>> {
    let docs: Vec<ScenarioDoc> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| vec![yaml_error(file, &e)])?;
    if docs.is_empty() {
        return Err(vec![LoadError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: "no scenario in this file".into(),
        }]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for doc in docs {
        match check(doc, file) {
            Ok(s) => out.push(s),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Loads a peer profile.
pub fn load_profile(path: &Path) -> Result<ProfileDoc, Vec<LoadError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![LoadError {
            file: path.to_owned(),
            line: 0,
            column: 0,
            message: e.to_string(),
        }]
    })?;
    let doc: ProfileDoc = serde_saphyr::from_str_with_options(&text, options())
        .map_err(|e| vec![yaml_error(path, &e)])?;
    let mut errors = Vec::new();
    for cap in &doc.lacks {
        if !CAPABILITIES.contains(&cap.value.as_str()) {
            errors.push(at(path, &cap.referenced, unknown_capability(&cap.value)));
        }
    }
    for (k, v) in doc.vars.iter() {
        if vars::scalar_string(&v.value).is_none() {
            errors.push(at(
                path,
                &v.referenced,
                format!("variable `{k}`: a string or a number"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

fn unknown_capability(name: &str) -> String {
    format!(
        "unknown capability `{name}`; capabilities: {}",
        CAPABILITIES.join(", ")
    )
}

fn at(file: &Path, loc: &Location, message: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_owned(),
        line: loc.line(),
        column: loc.column(),
        message: message.into(),
    }
}

/// Whether `id` is `SECTION/name[/name...]`.
pub fn valid_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let section = parts.next().unwrap_or("");
    let section_ok = {
        let mut s = section.split('.');
        let first = s.next().unwrap_or("");
        let first_ok = (!first.is_empty() && first.chars().all(|c| c.is_ascii_digit()))
            || matches!(first, "A" | "B" | "C");
        first_ok && s.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let rest: Vec<&str> = parts.collect();
    section_ok
        && !rest.is_empty()
        && rest.iter().all(|n| {
            n.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && n.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                })
        })
}

fn check(doc: ScenarioDoc, file: &Path) -> Result<Scenario, Vec<LoadError>> {
    let mut c = Checker {
        file,
        errors: Vec::new(),
        sessions: Vec::new(),
        defined: HashSet::new(),
        sends: HashSet::new(),
        recvs: HashMap::new(),
    };
    if !valid_id(&doc.id.value) {
        c.err(
            &doc.id.referenced,
            format!(
                "id `{}` is not SECTION/name (e.g. 4.4.1/submit-ok; names in [a-z0-9._-])",
                doc.id.value
            ),
        );
    }
    if doc.title.trim().is_empty() {
        c.err(&doc.id.referenced, "title is empty");
    }
    for cap in &doc.requires {
        if !CAPABILITIES.contains(&cap.value.as_str()) {
            c.err(&cap.referenced, unknown_capability(&cap.value));
        }
    }
    let sessions: Vec<String> = match &doc.sessions {
        None => vec!["main".into()],
        Some(list) => {
            let mut names = Vec::new();
            for s in list {
                if names.contains(&s.value) {
                    c.err(
                        &s.referenced,
                        format!("session `{}` declared twice", s.value),
                    );
                }
                names.push(s.value.clone());
            }
            if names.is_empty() {
                c.err(&doc.id.referenced, "sessions: at least one");
                names.push("main".into());
            }
            names
        }
    };
    c.sessions = sessions.clone();
    let mut auto_respond = Vec::new();
    match &doc.auto_respond {
        None => auto_respond.push(CommandId::ENQUIRE_LINK),
        Some(list) => {
            for r in list {
                match CommandId::from_name(&r.value) {
                    Some(id) if id.response().is_some() => auto_respond.push(id),
                    _ => c.err(
                        &r.referenced,
                        format!(
                            "auto_respond: `{}` is not a request with a response",
                            r.value
                        ),
                    ),
                }
            }
        }
    }
    // Every name a step may define, for the reference check.
    c.defined
        .extend(BUILTINS.iter().map(|(n, _)| (*n).to_owned()));
    for (k, v) in doc.vars.iter() {
        c.defined.insert(k.to_owned());
        if vars::scalar_string(&v.value).is_none() {
            c.err(
                &v.referenced,
                format!("variable `{k}`: a string or a number"),
            );
        }
    }
    collect_defined(&doc.steps, &mut c.defined);
    if doc.steps.is_empty() {
        c.err(&doc.id.referenced, "a scenario needs steps");
    }
    c.steps(&doc.steps, Ctx::Top);
    let step_timeout = doc.timeouts.step.map_or(DEFAULT_STEP_TIMEOUT, |d| d.0);
    let scenario_timeout = doc
        .timeouts
        .scenario
        .map_or(DEFAULT_SCENARIO_TIMEOUT, |d| d.0);
    if c.errors.is_empty() {
        Ok(Scenario {
            doc,
            file: file.to_owned(),
            sessions,
            auto_respond,
            step_timeout,
            scenario_timeout,
        })
    } else {
        Err(c.errors)
    }
}

/// Variable names defined by steps: captures, `set`, `repeat` counters.
fn collect_defined(steps: &[Spanned<Step>], out: &mut HashSet<String>) {
    fn exp(e: &Expectation, out: &mut HashSet<String>) {
        if let Some(c) = &e.capture {
            out.extend(c.iter().map(|(k, _)| k.to_owned()));
        }
        if let Some(t) = &e.then {
            collect_defined(t, out);
        }
    }
    for s in steps {
        match &s.value {
            Step::Expect(e) => exp(e, out),
            Step::ExpectAll(list) => list.iter().for_each(|e| exp(&e.value, out)),
            Step::AnyOf(list) => {
                for b in list {
                    match &b.value {
                        Branch::Expect(e) => exp(e, out),
                        Branch::ExpectClose(c) => {
                            if let Some(t) = &c.then {
                                collect_defined(t, out);
                            }
                        }
                    }
                }
            }
            Step::Capture(c) => out.extend(c.vars.iter().map(|(k, _)| k.to_owned())),
            Step::Set(m) => out.extend(m.iter().map(|(k, _)| k.to_owned())),
            Step::Repeat(r) => {
                out.insert(r.var.clone().unwrap_or_else(|| "i".into()));
                collect_defined(&r.steps, out);
            }
            _ => {}
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    ExpectAll,
    Branch,
}

struct Checker<'a> {
    file: &'a Path,
    errors: Vec<LoadError>,
    sessions: Vec<String>,
    defined: HashSet<String>,
    /// Names of sends seen so far (plain ones).
    sends: HashSet<String>,
    /// Names of received PDUs seen so far, with their command_id when known.
    recvs: HashMap<String, Option<CommandId>>,
}

impl Checker<'_> {
    fn err(&mut self, loc: &Location, msg: impl Into<String>) {
        self.errors.push(at(self.file, loc, msg));
    }

    fn refs(&mut self, loc: &Location, s: &str) {
        match vars::references(s) {
            Err(e) => self.err(loc, e),
            Ok(names) => {
                for n in names {
                    if !self.defined.contains(&n) {
                        self.err(
                            loc,
                            format!("undefined variable `{n}` (not in vars, not captured, not a built-in)"),
                        );
                    }
                }
            }
        }
    }

    fn value_refs(&mut self, v: &SValue) {
        let mut strings = Vec::new();
        vars::strings_of(&v.value, &mut strings);
        for s in strings {
            self.refs(&v.referenced, &s);
        }
    }

    fn session(&mut self, s: &Option<Spanned<String>>) {
        if let Some(s) = s
            && !self.sessions.contains(&s.value)
        {
            let list = self.sessions.join(", ");
            self.err(
                &s.referenced,
                format!("unknown session `{}` (declared: {list})", s.value),
            );
        }
    }

    fn duration_ok(&mut self, d: &Option<Spanned<Dur>>) {
        if let Some(d) = d
            && d.value.0.is_zero()
        {
            self.err(&d.referenced, "a wait of 0");
        }
    }

    fn command_id(&mut self, v: &SValue) -> Option<CommandId> {
        self.value_refs(v);
        if matches!(&v.value, Value::String(s) if vars::has_refs(s)) {
            return None;
        }
        match build::command_id_of(&v.value) {
            Ok(id) => Some(id),
            Err(e) => {
                self.err(&v.referenced, e);
                None
            }
        }
    }

    fn steps(&mut self, steps: &[Spanned<Step>], ctx: Ctx) {
        let _ = ctx;
        for s in steps {
            self.step(s);
        }
    }

    fn step(&mut self, s: &Spanned<Step>) {
        let loc = &s.referenced;
        match &s.value {
            Step::Send(send) => self.send(send, loc),
            Step::Expect(e) => self.expectation(e, loc, Ctx::Top),
            Step::ExpectAll(list) => {
                if list.is_empty() {
                    self.err(loc, "expect_all: at least one expectation");
                }
                for e in list {
                    self.expectation(&e.value, &e.referenced, Ctx::ExpectAll);
                }
            }
            Step::AnyOf(list) => {
                if list.is_empty() {
                    self.err(loc, "any_of: at least one branch");
                }
                for b in list {
                    match &b.value {
                        Branch::Expect(e) => self.expectation(e, &b.referenced, Ctx::Branch),
                        Branch::ExpectClose(c) => self.close(c, Ctx::Branch),
                    }
                }
            }
            Step::Respond(r) => self.respond(r, loc, true, None),
            Step::ExpectClose(c) => self.close(c, Ctx::Top),
            Step::Connect(c) => self.session(&c.session),
            Step::Disconnect(d) => self.session(&d.session),
            Step::Sleep(d) => {
                if d.value.0 > Duration::from_secs(600) {
                    self.err(&d.referenced, "sleep: 10 minutes at most");
                }
            }
            Step::Capture(c) => {
                self.session(&c.session);
                if let Some(from) = &c.from
                    && !vars::has_refs(&from.value)
                    && !self.recvs.contains_key(&from.value)
                {
                    self.err(
                        &from.referenced,
                        format!(
                            "capture: no earlier expect names a PDU `{}` (as:)",
                            from.value
                        ),
                    );
                }
                self.captures(&c.vars);
            }
            Step::Check(ch) => {
                self.value_refs(&ch.value);
                self.value_refs(&ch.is);
                if let Err(e) = Matcher::compile(&ch.is.value) {
                    self.err(&ch.is.referenced, e);
                }
            }
            Step::Set(m) => {
                for (k, v) in m.iter() {
                    self.value_refs(v);
                    if vars::scalar_string(&v.value).is_none() {
                        self.err(&v.referenced, format!("set `{k}`: a string or a number"));
                    }
                }
            }
            Step::Repeat(r) => {
                if !(1..=10_000).contains(&r.count.value) {
                    self.err(&r.count.referenced, "repeat count: 1 to 10000");
                }
                if r.steps.is_empty() {
                    self.err(loc, "repeat: no steps");
                }
                self.steps(&r.steps, Ctx::Top);
            }
        }
    }

    fn fields(&mut self, id: Option<CommandId>, fields: &OrderedMap<SValue>) {
        for (name, v) in fields.iter() {
            self.value_refs(v);
            let Some(id) = id else { continue };
            match build::check_field_name(id, name) {
                Err(e) => self.err(&v.referenced, e),
                Ok(kind) => {
                    if let Err(e) = check_field_value(kind, &v.value) {
                        self.err(&v.referenced, format!("{name}: {e}"));
                    }
                }
            }
        }
    }

    fn tlv_names(&mut self, tlvs: &OrderedMap<SValue>) {
        for (name, v) in tlvs.iter() {
            self.value_refs(v);
            if let Err(e) = build::tlv_tag_of(name) {
                self.err(&v.referenced, e);
            }
        }
    }

    fn send(&mut self, send: &SendStep, loc: &Location) {
        self.session(&send.session);
        let typed = send.fields.is_some() || send.tlvs.is_some() || send.mutate.is_some();
        let id = match (&send.pdu, &send.raw) {
            (Some(_), Some(_)) => {
                self.err(loc, "send: `raw` is the whole PDU; it takes no `pdu`");
                None
            }
            (None, None) => {
                self.err(loc, "send: needs `pdu` (typed or builder form) or `raw`");
                None
            }
            (Some(p), None) => self.command_id(p),
            (None, Some(r)) => {
                self.refs(&r.referenced, &r.value);
                if !vars::has_refs(&r.value) {
                    match build::hex_of(&r.value) {
                        Ok(b) if b.len() < 4 => self.err(&r.referenced, "raw: fewer than 4 octets"),
                        Ok(_) => {}
                        Err(e) => self.err(&r.referenced, e),
                    }
                }
                if typed
                    || send.body.is_some()
                    || send.sequence_number.is_some()
                    || send.command_status.is_some()
                {
                    self.err(loc, "send: `raw` is the whole PDU; it takes no fields, tlvs, mutate, body, sequence_number or command_status");
                }
                None
            }
        };
        if send.body.is_some() && typed {
            self.err(
                loc,
                "send: `body` (builder form) cannot be mixed with fields, tlvs or mutate",
            );
        }
        if let Some(id) = id
            && build::template(id).is_none()
            && typed
        {
            self.err(
                loc,
                format!("send: {id} is not a v3.4 PDU: use `body` for its octets"),
            );
        }
        if let Some(f) = &send.fields {
            self.fields(id, f);
        }
        if let Some(t) = &send.tlvs {
            self.tlv_names(t);
        }
        if let Some(m) = &send.mutate {
            if let (Some(id), MutateSpec::COctetTooLong(f) | MutateSpec::COctetUnterminated(f)) =
                (id, &m.value)
            {
                match build::check_field_name(id, f) {
                    Ok(FieldKind::COctet) => {}
                    Ok(_) => self.err(
                        &m.referenced,
                        format!("mutate: `{f}` is not a C-Octet String"),
                    ),
                    Err(e) => self.err(&m.referenced, format!("mutate: {e}")),
                }
            }
            if let MutateSpec::Append(h) = &m.value
                && let Err(e) = build::hex_of(h)
            {
                self.err(&m.referenced, e);
            }
            if let MutateSpec::StatusInRequest(v) = &m.value
                && let Err(e) = build::status_of(v)
            {
                self.err(&m.referenced, e);
            }
        }
        for v in [&send.sequence_number, &send.command_length]
            .into_iter()
            .flatten()
        {
            self.value_refs(v);
            if !matches!(&v.value, Value::String(s) if vars::has_refs(s))
                && let Err(e) = build::int_of(&v.value)
            {
                self.err(&v.referenced, e);
            }
        }
        if let Some(v) = &send.command_status {
            self.value_refs(v);
            if !matches!(&v.value, Value::String(s) if vars::has_refs(s))
                && let Err(e) = build::status_of(&v.value)
            {
                self.err(&v.referenced, e);
            }
        }
        if let Some(body) = &send.body {
            for item in body {
                let mut strings = Vec::new();
                match &item.value {
                    BodyItem::Tlv(t) => {
                        vars::strings_of(&t.tag, &mut strings);
                        if let Some(v) = &t.value {
                            vars::strings_of(v, &mut strings);
                        }
                    }
                    BodyItem::U8(v)
                    | BodyItem::U16(v)
                    | BodyItem::U32(v)
                    | BodyItem::COctet(v)
                    | BodyItem::COctetUnterminated(v)
                    | BodyItem::ShortMessage(v)
                    | BodyItem::SmLength(v)
                    | BodyItem::Hex(v) => vars::strings_of(v, &mut strings),
                }
                for s in strings {
                    self.refs(&item.referenced, &s);
                }
            }
        }
        if let Some(n) = &send.name {
            self.refs(&n.referenced, &n.value);
            self.sends.insert(n.value.clone());
        }
    }

    fn matcher(&mut self, v: &SValue, what: &str) {
        self.value_refs(v);
        if let Err(e) = Matcher::compile(&v.value) {
            self.err(&v.referenced, format!("{what}: {e}"));
        }
    }

    fn captures(&mut self, caps: &OrderedMap<SValue>) {
        for (name, v) in caps.iter() {
            if vars::references(&format!("${{{name}}}")).is_err() {
                self.err(&v.referenced, format!("`{name}` is not a variable name"));
            }
            if let Err(e) = CaptureSpec::compile(&v.value) {
                self.err(&v.referenced, format!("capture {name}: {e}"));
            }
        }
    }

    fn expectation(&mut self, e: &Expectation, loc: &Location, ctx: Ctx) {
        self.session(&e.session);
        let id = self.command_id(&e.pdu);
        if let Some(r) = &e.reply_to {
            self.refs(&r.referenced, &r.value);
            let dynamic = vars::has_refs(&r.value) || r.value.contains('*');
            if !dynamic && !self.sends.contains(&r.value) {
                self.err(
                    &r.referenced,
                    format!("reply_to: no earlier send is named `{}` (as:)", r.value),
                );
            }
            if let Some(id) = id
                && !id.is_response()
            {
                self.err(&r.referenced, format!("reply_to: {id} is not a response"));
            }
        }
        if let Some(s) = &e.status {
            self.matcher(s, "status");
            if let Err(err) = status_matcher(&s.value) {
                self.err(&s.referenced, format!("status: {err}"));
            }
        }
        if let Some(s) = &e.sequence_number {
            self.matcher(s, "sequence_number");
        }
        if let Some(s) = &e.command_length {
            self.matcher(s, "command_length");
        }
        if let Some(f) = &e.fields {
            for (name, v) in f.iter() {
                self.matcher(v, name);
                if let Some(id) = id
                    && let Err(err) = build::check_field_name(id, name)
                {
                    self.err(&v.referenced, err);
                }
            }
        }
        if let Some(t) = &e.tlvs {
            for (name, v) in t.iter() {
                self.matcher(v, name);
                if let Err(err) = build::tlv_tag_of(name) {
                    self.err(&v.referenced, err);
                }
            }
        }
        if let Some(c) = &e.capture {
            self.captures(c);
        }
        if let Some(r) = &e.respond {
            match id {
                Some(id) if id.response().is_none() => self.err(
                    &r.referenced,
                    format!("respond: {id} is not a request with a response"),
                ),
                _ => {}
            }
            if r.value.to.is_some() || r.value.session.is_some() {
                self.err(
                    &r.referenced,
                    "respond inside expect answers the PDU matched: no `to` or `session`",
                );
            }
            self.respond(
                &r.value,
                &r.referenced,
                false,
                id.and_then(|i| i.response()),
            );
        }
        if let Some(n) = &e.count {
            if !(1..=10_000).contains(&n.value) {
                self.err(&n.referenced, "count: 1 to 10000");
            }
            if n.value > 1 && (e.name.is_some() || e.respond.is_some() && ctx == Ctx::Branch) {
                self.err(&n.referenced, "count above 1 cannot name the PDU (as)");
            }
        }
        self.duration_ok(&e.timeout);
        if e.optional == Some(true) && ctx != Ctx::Top {
            self.err(loc, "optional is for a plain expect step");
        }
        if ctx != Ctx::Branch {
            if let Some(l) = &e.level {
                self.err(
                    &l.referenced,
                    "level is for any_of branches (the scenario has its own)",
                );
            }
            if e.then.is_some() {
                self.err(loc, "then is for any_of branches");
            }
        }
        if let Some(n) = &e.name {
            self.refs(&n.referenced, &n.value);
            self.recvs.insert(n.value.clone(), id);
        }
        if let Some(t) = &e.then {
            self.steps(t, Ctx::Top);
        }
    }

    fn respond(
        &mut self,
        r: &RespondSpec,
        loc: &Location,
        step: bool,
        response_id: Option<CommandId>,
    ) {
        let mut response_id = response_id;
        if step {
            self.session(&r.session);
            if let Some(to) = &r.to {
                self.refs(&to.referenced, &to.value);
                if !vars::has_refs(&to.value) {
                    match self.recvs.get(&to.value) {
                        None => self.err(
                            &to.referenced,
                            format!(
                                "respond: no earlier expect names a PDU `{}` (as:)",
                                to.value
                            ),
                        ),
                        Some(Some(id)) => match id.response() {
                            Some(resp) => response_id = Some(resp),
                            None => self.err(
                                &to.referenced,
                                format!(
                                    "respond: `{}` is a {id}, which takes no response",
                                    to.value
                                ),
                            ),
                        },
                        Some(None) => {}
                    }
                }
            }
        }
        let _ = loc;
        if let Some(s) = &r.status {
            self.value_refs(s);
            if !matches!(&s.value, Value::String(x) if vars::has_refs(x))
                && let Err(e) = build::status_of(&s.value)
            {
                self.err(&s.referenced, e);
            }
        }
        if let Some(f) = &r.fields {
            self.fields(response_id, f);
        }
        if let Some(t) = &r.tlvs {
            self.tlv_names(t);
        }
    }

    fn close(&mut self, c: &ExpectClose, ctx: Ctx) {
        self.session(&c.session);
        self.duration_ok(&c.within);
        if ctx != Ctx::Branch
            && let Some(l) = &c.level
        {
            self.err(&l.referenced, "level is for any_of branches");
        }
        if let Some(t) = &c.then {
            self.steps(t, Ctx::Top);
        }
    }
}

/// The statuses a `status` matcher names must exist (`ESME_ROK`, a number).
fn status_matcher(v: &Value) -> Result<(), String> {
    let one = |x: &Value| match x {
        Value::String(s) if vars::has_refs(s) => Ok(()),
        other => build::status_of(other).map(|_| ()),
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("eq" | "ne", x) => one(x)?,
                    ("one_of", Value::Array(a)) => a.iter().try_for_each(one)?,
                    _ => {}
                }
            }
            Ok(())
        }
        other => one(other),
    }
}

/// Load-time check of a typed field value (values holding `${}` are checked when sent).
fn check_field_value(kind: FieldKind, v: &Value) -> Result<(), String> {
    let dynamic = |v: &Value| matches!(v, Value::String(s) if vars::has_refs(s));
    if dynamic(v) {
        return Ok(());
    }
    match kind {
        FieldKind::Int => {
            let n = build::int_of(v)?;
            if n > 255 {
                return Err(format!("{n} is above 255"));
            }
            Ok(())
        }
        FieldKind::COctet => build::string_of(v).map(|_| ()),
        FieldKind::Octets => match v {
            Value::String(_) | Value::Number(_) => Ok(()),
            Value::Object(m) => {
                for (k, x) in m {
                    match k.as_str() {
                        "hex" | "udh" => {
                            let s = build::string_of(x)?;
                            if !vars::has_refs(&s) {
                                build::hex_of(&s)?;
                            }
                        }
                        "text" => {
                            build::string_of(x)?;
                        }
                        other => return Err(format!("unknown key `{other}` (hex, udh, text)")),
                    }
                }
                Ok(())
            }
            other => Err(format!(
                "{} is not text nor {{hex: ...}}",
                build::show(other)
            )),
        },
        FieldKind::DestAddresses | FieldKind::UnsuccessSmes => match v {
            Value::Array(_) => Ok(()),
            other => Err(format!("{} is not a list", build::show(other))),
        },
    }
}

/// Ids with their titles, levels and roles (for `--list`), grouped by section.
pub fn by_section(scenarios: &[Scenario]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for s in scenarios {
        *m.entry(s.section().to_owned()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("4.4.1/submit-ok"));
        assert!(valid_id("2.3/submit/in-open"));
        assert!(valid_id("B/receipt-text"));
        assert!(!valid_id("4.4.1"));
        assert!(!valid_id("x/submit"));
        assert!(!valid_id("4.4./a"));
        assert!(!valid_id("4.4/Submit"));
    }

    #[test]
    fn sort_is_numeric() {
        let mut ids = vec!["4.10/a", "4.4.1/b", "4.4/a", "2.3/z"];
        ids.sort_by_key(|i| section_key(i));
        assert_eq!(ids, ["2.3/z", "4.4/a", "4.4.1/b", "4.10/a"]);
    }
}
