//! A small YAML writer for scenarios: block style, with short maps and lists in flow style on one
//! line, strings quoted unless they are plain identifiers, regular expressions single-quoted.

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Y {
    /// A string: plain when it is an identifier, else double-quoted.
    Str(String),
    /// A string written single-quoted (regular expressions: no backslash escapes).
    Lit(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A map, keys in order.
    Map(Vec<(String, Y)>),
    /// A list.
    Seq(Vec<Y>),
    /// A list item (or map value) preceded by comment lines in block style.
    Noted(String, Box<Y>),
}

/// Lines are kept to this width where flow style would pass it.
const WIDTH: usize = 100;

impl Y {
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    pub(crate) fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Y)>) -> Self {
        Self::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn inner(&self) -> &Y {
        match self {
            Self::Noted(_, y) => y.inner(),
            y => y,
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self.inner(), Self::Map(_) | Self::Seq(_))
    }

    /// The value on one line.
    fn flow(&self) -> String {
        match self {
            Self::Str(s) => quote(s),
            Self::Lit(s) => single_quote(s),
            Self::Int(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Noted(_, y) => y.flow(),
            Self::Map(m) if m.is_empty() => "{}".into(),
            Self::Map(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), v.flow()))
                    .collect();
                format!("{{ {} }}", parts.join(", "))
            }
            Self::Seq(s) => {
                let parts: Vec<String> = s.iter().map(Y::flow).collect();
                format!("[{}]", parts.join(", "))
            }
        }
    }
}

/// Writes `y` (a map) as a YAML document.
pub(crate) fn to_string(y: &Y) -> String {
    let mut out = String::new();
    block(y, 0, &mut out);
    out
}

fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Noted(note, y) => {
            comment(note, indent, out);
            block(y, indent, out);
        }
        Y::Map(m) => {
            for (k, v) in m {
                if let Y::Noted(note, _) = v {
                    comment(note, indent, out);
                }
                let v = v.inner();
                let head = format!("{pad}{}:", key(k));
                let flow = v.flow();
                if v.is_scalar() || head.len() + 1 + flow.len() <= WIDTH || is_empty(v) {
                    out.push_str(&format!("{head} {flow}\n"));
                } else {
                    out.push_str(&head);
                    out.push('\n');
                    block(v, indent + 2, out);
                }
            }
        }
        Y::Seq(items) => {
            for item in items {
                if let Y::Noted(note, _) = item {
                    comment(note, indent, out);
                }
                let item = item.inner();
                let flow = item.flow();
                let map_item = matches!(item, Y::Map(m) if !m.is_empty());
                if !map_item
                    && (item.is_scalar() || indent + 2 + flow.len() <= WIDTH || is_empty(item))
                {
                    out.push_str(&format!("{pad}- {flow}\n"));
                } else if map_item {
                    let mut inner = String::new();
                    block(item, indent + 2, &mut inner);
                    // The first entry goes on the dash's line.
                    let first_content = inner.find(|c: char| c != ' ').unwrap_or(0);
                    if inner[first_content..].starts_with('#') {
                        out.push_str(&format!("{pad}-\n{inner}"));
                    } else {
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                } else {
                    out.push_str(&format!("{pad}-\n"));
                    block(item, indent + 2, out);
                }
            }
        }
        scalar => {
            out.push_str(&format!("{pad}{}\n", scalar.flow()));
        }
    }
}

fn is_empty(y: &Y) -> bool {
    match y {
        Y::Map(m) => m.is_empty(),
        Y::Seq(s) => s.is_empty(),
        _ => false,
    }
}

fn comment(note: &str, indent: usize, out: &mut String) {
    for line in note.lines() {
        out.push_str(&format!("{}# {}\n", " ".repeat(indent), line).replace("# \n", "#\n"));
    }
}

fn key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain && !reserved(k) {
        k.to_owned()
    } else {
        quote_always(k)
    }
}

fn reserved(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
    )
}

/// Plain when an identifier (`submit_sm`, `ESME_ROK`), else double-quoted.
fn quote(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain && !reserved(s) {
        s.to_owned()
    } else {
        quote_always(s)
    }
}

fn quote_always(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{85}' | '\u{a0}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) >= 0x80 && (c as u32) < 0xa0 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Single-quoted (a `'` doubled); double-quoted when the text holds control characters.
fn single_quote(s: &str) -> String {
    if s.chars().any(|c| c.is_control()) {
        return quote_always(s);
    }
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_and_flow() {
        let y = Y::map([
            ("id", Y::str("4.4/x")),
            ("n", Y::Int(3)),
            (
                "steps",
                Y::Seq(vec![
                    Y::Noted(
                        "frame 4".into(),
                        Box::new(Y::map([(
                            "send",
                            Y::map([("pdu", Y::str("enquire_link"))]),
                        )])),
                    ),
                    Y::map([(
                        "expect",
                        Y::map([
                            ("pdu", Y::str("deliver_sm")),
                            ("text", Y::str("a \"quoted\"\nline ${x}")),
                            ("re", Y::Lit("^id:(\\S+) it's$".into())),
                            ("long", Y::str("x".repeat(90))),
                        ]),
                    )]),
                ]),
            ),
            ("0x1400", Y::map::<&str>([])),
            ("yes", Y::Bool(true)),
        ]);
        assert_eq!(
            to_string(&y),
            r#"id: "4.4/x"
"n": 3
steps:
  # frame 4
  - send: { pdu: enquire_link }
  - expect:
      pdu: deliver_sm
      text: "a \"quoted\"\nline ${x}"
      re: '^id:(\S+) it''s$'
      long: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
"0x1400": {}
"yes": true
"#
        );
    }
}
