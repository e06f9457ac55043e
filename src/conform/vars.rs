//! `${name}` substitution.
//!
//! `${name}` is replaced by the variable's value, `${env.NAME}` by the environment variable, `$${`
//! writes a literal `${`. A name is `[A-Za-z_][A-Za-z0-9_]*`.

use std::collections::HashMap;

use serde_json::Value;

/// The built-in variables and their defaults (FORMAT.md, "Variables").
pub const BUILTINS: &[(&str, &str)] = &[
    ("system_id", "conform"),
    ("password", "secret"),
    ("system_type", ""),
    ("source_addr", "12345"),
    ("destination_addr", "447700900123"),
    ("bad_password", "wr0ngpw"),
    ("unknown_system_id", "nosuchesme"),
    ("scenario_id", ""),
];

/// Variable values of a running scenario.
#[derive(Debug, Clone, Default)]
pub struct Vars(HashMap<String, String>);

impl Vars {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Replaces every `${name}` in `s`.
    pub fn substitute(&self, s: &str) -> Result<String, String> {
        substitute(s, |name| {
            if let Some(env) = name.strip_prefix("env.") {
                return std::env::var(env).ok().or(Some(String::new()));
            }
            self.get(name).map(str::to_owned)
        })
    }

    /// Replaces every `${name}` in the strings of `v` (recursively; map keys are left as they are).
    pub fn substitute_value(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => Value::String(self.substitute(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.substitute_value(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, x) in m {
                    out.insert(k.clone(), self.substitute_value(x)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// Replaces every `${name}` in `s` with `lookup(name)`; an unknown name is an error.
pub fn substitute(s: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    if !s.contains('$') {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(lit) = after.strip_prefix("${") {
            out.push_str("${");
            rest = lit;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("`${{` without its closing `}}` in `{s}`"))?;
            let name = &body[..end];
            check_name(name)?;
            let value = lookup(name).ok_or_else(|| format!("undefined variable `{name}`"))?;
            out.push_str(&value);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The names `s` refers to (`env.X` excluded), or the first syntax problem.
pub fn references(s: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    substitute(s, |_| Some(String::new()))?; // syntax check
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(lit) = after.strip_prefix("${") {
            rest = lit;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').unwrap_or(body.len());
            let name = &body[..end];
            if !name.starts_with("env.") {
                names.push(name.to_owned());
            }
            rest = body.get(end + 1..).unwrap_or("");
        } else {
            rest = after;
        }
    }
    Ok(names)
}

/// Every string of `v` (recursively).
pub fn strings_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings_of(x, out)),
        _ => {}
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let bare = name.strip_prefix("env.").unwrap_or(name);
    let mut chars = bare.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("`{name}` is not a variable name"))
    }
}

/// Whether `s` holds a `${...}` reference (so its final value is known only at run time).
pub fn has_refs(s: &str) -> bool {
    references(s).is_ok_and(|r| !r.is_empty()) || s.contains("${env.")
}

/// A scalar YAML value as the string a variable holds.
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_escapes() {
        let mut v = Vars::new();
        v.set("dest", "4477");
        assert_eq!(v.substitute("to ${dest}!").unwrap(), "to 4477!");
        assert_eq!(v.substitute("$${dest} $5").unwrap(), "${dest} $5");
        assert!(v.substitute("${nope}").unwrap_err().contains("undefined"));
        assert!(v.substitute("${bad").is_err());
        assert!(v.substitute("${1x}").is_err());
        assert_eq!(references("a ${x} ${env.HOME} $${y}").unwrap(), ["x"]);
    }
}
