//! Header names: compact forms (RFC 3261 §7.3.3 and later RFCs), the usual
//! spelling of the names we know, and which headers hold comma lists.

/// Names this crate knows, in their usual spelling.
const KNOWN: &[&str] = &[
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "In-Reply-To",
    "Max-Forwards",
    "MIME-Version",
    "Min-Expires",
    "Organization",
    "Priority",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reply-To",
    "Require",
    "Retry-After",
    "Route",
    "Server",
    "Session-Expires",
    "Subject",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
];

/// Headers whose value is a comma-separated list (RFC 3261 §7.3.1), so that
/// several lines and several elements of one line mean the same.
const LISTS: &[&str] = &[
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Call-Info",
    "Contact",
    "Content-Encoding",
    "Content-Language",
    "Error-Info",
    "In-Reply-To",
    "Proxy-Require",
    "Record-Route",
    "Require",
    "Route",
    "Supported",
    "Unsupported",
    "Via",
    "Warning",
];

/// The long name of a compact form, if `name` is one.
fn compact(name: &str) -> Option<&'static str> {
    let [b] = name.as_bytes() else { return None };
    Some(match b.to_ascii_lowercase() {
        b'a' => "Accept-Contact",
        b'b' => "Referred-By",
        b'c' => "Content-Type",
        b'e' => "Content-Encoding",
        b'f' => "From",
        b'i' => "Call-ID",
        b'k' => "Supported",
        b'l' => "Content-Length",
        b'm' => "Contact",
        b'o' => "Event",
        b'r' => "Refer-To",
        b's' => "Subject",
        b't' => "To",
        b'u' => "Allow-Events",
        b'v' => "Via",
        b'x' => "Session-Expires",
        _ => return None,
    })
}

/// The static spelling of a known name (any case, or a compact form).
pub(crate) fn known(name: &str) -> Option<&'static str> {
    compact(name).or_else(|| KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(name)))
}

/// The canonical spelling of a header name: compact forms expanded, known
/// names in their usual case, other names as given.
pub fn canonical_name(name: &str) -> String {
    known(name).map_or_else(|| name.to_owned(), str::to_owned)
}

/// Whether two header names mean the same header.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || matches!((known(a), known(b)), (Some(x), Some(y)) if x == y)
}

/// Whether a (canonical) header holds a comma list.
pub(crate) fn is_list(name: &str) -> bool {
    LISTS.iter().any(|l| l.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case() {
        assert_eq!(canonical_name("i"), "Call-ID");
        assert_eq!(canonical_name("I"), "Call-ID");
        assert_eq!(canonical_name("call-id"), "Call-ID");
        assert_eq!(canonical_name("cseq"), "CSeq");
        assert_eq!(canonical_name("MaX-fOrWaRdS"), "Max-Forwards");
        assert_eq!(canonical_name("X-Custom"), "X-Custom");
        assert_eq!(canonical_name("C%6Fntact"), "C%6Fntact");
        assert!(same("v", "VIA") && !same("Via", "Route"));
        assert!(is_list("Via") && !is_list("Authorization"));
    }
}
