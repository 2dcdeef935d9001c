//! Lexical pieces of the RFC 3261 grammar (§25.1) shared by the header
//! parsers: tokens, quoted strings, comma lists and `;name=value`
//! parameters. Everything works on `&str` slices and never indexes past
//! what it has checked.

use std::fmt;

/// RFC 3261 `token` characters (methods, header names, parameter names).
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// A non-empty run of token characters.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// Linear white space after unfolding: space and tab.
pub(crate) fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Trims SP and HTAB (not other Unicode spaces: they are not SIP's LWS).
pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches(is_ws)
}

/// The length in bytes of the quoted string at the start of `s` (which
/// must begin with `"`), closing quote included; `None` if unterminated.
pub(crate) fn quoted_len(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Removes the quotes and quoted-pair escapes of a well-formed quoted string;
/// other text is returned as is.
pub(crate) fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// Splits `s` on `sep` where it is outside quoted strings and `<...>`.
/// Pieces are not trimmed. An unterminated quote or `<` gives `None`.
pub(crate) fn split_outside(s: &str, sep: char) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut quoted, mut escaped, mut angle, mut start) = (false, false, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' if !angle => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            c if c == sep && !quoted && !angle => {
                out.push(s.get(start..i)?);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted || angle {
        return None;
    }
    out.push(s.get(start..)?);
    Some(out)
}

/// The elements of a comma-separated header value, trimmed; empty
/// elements are kept (the caller decides whether they are an error).
pub(crate) fn split_list(value: &str) -> Option<Vec<&str>> {
    Some(
        split_outside(value, ',')?
            .into_iter()
            .map(trim_ws)
            .collect(),
    )
}

/// One `name[=value]` parameter. The value is kept as written (a quoted
/// string keeps its quotes) so that printing gives back the same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub value: Option<String>,
}

/// Header or URI parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(pub Vec<Param>);

impl Params {
    /// Whether a parameter is present (names compare case-insensitively).
    pub fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// The value of a parameter, unquoted; `None` if absent or without value.
    pub fn get(&self, name: &str) -> Option<String> {
        self.find(name)?.value.as_deref().map(unquote)
    }

    /// The value of a parameter exactly as written.
    pub fn get_raw(&self, name: &str) -> Option<&str> {
        self.find(name)?.value.as_deref()
    }

    fn find(&self, name: &str) -> Option<&Param> {
        self.0.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Sets (replacing) or adds a parameter.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self
            .0
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => p.value = value,
            None => self.0.push(Param {
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// Removes a parameter; returns whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|p| !p.name.eq_ignore_ascii_case(name));
        self.0.len() != before
    }

    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.0.iter()
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            match &p.value {
                Some(v) => write!(f, ";{}={v}", p.name)?,
                None => write!(f, ";{}", p.name)?,
            }
        }
        Ok(())
    }
}

/// A `gen-value`: token, host (with IPv6 references and RFC 5118 bare IPv6
/// in `received`), or quoted string.
fn is_gen_value(v: &str) -> bool {
    if v.starts_with('"') {
        return quoted_len(v) == Some(v.len());
    }
    !v.is_empty() && v.bytes().all(|b| is_token_byte(b) || b"[]:".contains(&b))
}

/// Parses header parameters: `s` is empty or starts (after optional white
/// space) with `;`. Returns `None` for an empty parameter (`;;`), a name
/// that is not a token, or a value that is neither token, host nor quoted
/// string. White space is allowed around `;` and `=` (SEMI, EQUAL).
pub(crate) fn parse_params(s: &str) -> Option<Params> {
    let s = trim_ws(s);
    if s.is_empty() {
        return Some(Params::default());
    }
    let rest = s.strip_prefix(';')?;
    let mut out = Vec::new();
    for piece in split_outside(rest, ';')? {
        let piece = trim_ws(piece);
        let (name, value) = match piece.split_once('=') {
            Some((n, v)) => (trim_ws(n), Some(trim_ws(v))),
            None => (piece, None),
        };
        if !is_token(name) || value.is_some_and(|v| !is_gen_value(v)) {
            return None;
        }
        out.push(Param {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        });
    }
    Some(Params(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_respect_quotes_and_angles() {
        let v = split_list(r#""A, B" <sip:a@b>, <sip:c@d;x=1,2>,sip:e@f"#).unwrap();
        assert_eq!(v, [r#""A, B" <sip:a@b>"#, "<sip:c@d;x=1,2>", "sip:e@f"]);
        assert_eq!(split_list("a,,b").unwrap(), ["a", "", "b"]);
        assert!(split_list(r#""open, b"#).is_none());
        assert!(split_list("<sip:open, b").is_none());
    }

    #[test]
    fn params_allow_spaces_and_quotes_but_not_empties() {
        let p = parse_params(r#" ;  tag    = 1918 ; q=0.5;x="a;b";lr"#).unwrap();
        assert_eq!(p.get("TAG").as_deref(), Some("1918"));
        assert_eq!(p.get("x").as_deref(), Some("a;b"));
        assert_eq!(p.get_raw("x"), Some("\"a;b\""));
        assert!(p.has("lr") && p.get("lr").is_none());
        assert_eq!(p.to_string(), r#";tag=1918;q=0.5;x="a;b";lr"#);
        assert!(parse_params(";;").is_none());
        assert!(parse_params(";a=").is_none());
        assert!(parse_params("a").is_none());
        assert!(parse_params(";a b=c").is_none());
        assert_eq!(unquote(r#""J Rosenberg \\\"""#), r#"J Rosenberg \""#);
    }
}
