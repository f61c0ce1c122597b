//! URL building that never lets a config value or an address change the request's
//! path: mailboxes and tenants are validated, then percent-encoded as one path segment.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::error::{Error, Result};

/// Everything outside RFC 3986's unreserved set plus `@` is encoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b';')
    .add(b'&')
    .add(b'=')
    .add(b'+')
    .add(b',')
    .add(b'$')
    .add(b'\'');

/// Percent-encodes `value` as a single URL path segment.
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Rejects values that could escape a path segment: CR/LF, slashes, dots-only, `?`, `#`.
pub fn check_path_free(key: &str, value: &str) -> Result<()> {
    let bad = value.chars().any(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%'))
        || value == "."
        || value == ".."
        || value.is_empty();
    if bad {
        return Err(Error::config(key, format!("`{key}` contains characters not allowed in an id or address (line breaks, slashes, `?`, `#`, `%`)")));
    }
    Ok(())
}

/// Longest address RFC 5321 allows (a 256-octet path less its angle brackets).
pub const MAX_ADDRESS_OCTETS: usize = 254;

/// Checks a mailbox (UPN, SMTP address or object id) before it goes into a URL.
pub fn check_mailbox(key: &str, value: &str) -> Result<()> {
    check_path_free(key, value)?;
    if value.len() > MAX_ADDRESS_OCTETS {
        return Err(Error::config(key, format!("`{key}` is {} octets long; an address has at most {MAX_ADDRESS_OCTETS} (RFC 5321)", value.len())));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(Error::config(key, format!("`{key}` must be an address like sender@contoso.com, without spaces")));
    }
    let is_guid = uuid::Uuid::parse_str(value).is_ok();
    let looks_like_address = value.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if !is_guid && !looks_like_address {
        return Err(Error::config(key, format!("`{key}` must be a mailbox address like sender@contoso.com or a user object id")));
    }
    Ok(())
}

/// Normalises a base URL config value: http(s), a host and optional port, nothing else.
/// Refused: anything the URL parser rejects (a port over 65535, an unbalanced `[`), user
/// info (`http://a@b`: credentials never travel in a URL), backslashes and control
/// characters (parsers disagree on them), a path, query or fragment. The value is not
/// echoed: user info may hold a password.
pub fn base_url(key: &str, value: &str) -> Result<String> {
    let v = value.trim_end_matches('/');
    match fault(v, false) {
        Some(why) => Err(Error::config(key, format!("`{key}` {why}"))
            .with_hint(format!("set `{key}` to a base URL without a path, like https://graph.microsoft.com or http://127.0.0.1:8080"))),
        None => Ok(v.to_string()),
    }
}

/// Checks a full endpoint URL (`managed_identity_endpoint`, a token URL: path and query
/// allowed) by the rules of [`base_url`] otherwise. `origin` says where the value came
/// from (the config key or an env variable); the value itself is not echoed.
pub fn endpoint_url(key: &str, value: &str, origin: &str, example: &str) -> Result<String> {
    match fault(value, true) {
        Some(why) => Err(Error::config(key, format!("`{key}` (from {origin}) {why}"))
            .with_hint(format!("set `{key}` to the full token URL, like {example}, or remove it"))),
        None => Ok(value.to_string()),
    }
}

/// What is wrong with `value` as an http(s) URL, if anything; `with_path`: a path and a
/// query may follow the authority.
fn fault(value: &str, with_path: bool) -> Option<String> {
    if value.chars().any(char::is_control) {
        return Some("contains a control character (NUL, line break, tab)".into());
    }
    if value.contains('\\') {
        return Some("contains a backslash".into());
    }
    let lower = value.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"].iter().find(|p| lower.starts_with(*p)).map(|p| &value[p.len()..]) else {
        return Some("is not an http(s) URL: it must start with https:// (or http:// for a local emulator)".into());
    };
    let authority = if with_path { rest.split(['/', '?']).next().unwrap_or_default() } else { rest };
    if authority.contains('@') {
        return Some("contains user info (`user@host`); credentials never go into the URL".into());
    }
    if !with_path && authority.contains(['/', '?', '#']) {
        return Some("must be a base URL without a path, query or fragment".into());
    }
    if value.chars().any(char::is_whitespace) || authority.is_empty() || authority.contains('#') {
        return Some("must be a URL without spaces or a fragment, naming a host".into());
    }
    if with_path && rest.contains('#') {
        return Some("must not have a fragment (`#`)".into());
    }
    let url = match reqwest::Url::parse(value) {
        Ok(url) => url,
        Err(e) => return Some(format!("is not a valid URL: {e}")),
    };
    if url.host_str().is_none_or(str::is_empty) || !url.username().is_empty() || url.password().is_some() {
        return Some("must name a host and nothing else".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_cannot_escape_its_segment() {
        assert!(check_mailbox("mailbox", "a@b.com/../../me").is_err());
        assert!(check_mailbox("mailbox", "a@b.com\r\nX: y").is_err());
        assert!(check_mailbox("mailbox", "a@b.com?x=1").is_err());
        assert!(check_mailbox("mailbox", "sender@contoso.com").is_ok());
        assert_eq!(segment("o'brien+x@contoso.com"), "o%27brien%2Bx@contoso.com");
    }

    #[test]
    fn base_urls_have_no_path() {
        assert_eq!(base_url("graph_endpoint", "http://127.0.0.1:9/").unwrap(), "http://127.0.0.1:9");
        assert!(base_url("graph_endpoint", "https://graph.microsoft.com/v1.0").is_err());
        assert!(base_url("graph_endpoint", "ftp://x").is_err());
        assert_eq!(base_url("graph_endpoint", "https://[::1]:8443").unwrap(), "https://[::1]:8443");
        for bad in ["http://127.0.0.1:99999", "http://[::1", "http://a@b", "http://u:p@b", "http://a\\b", "http://a\0b", "http://"] {
            let e = base_url("graph_endpoint", bad).unwrap_err();
            assert_eq!(e.config_key.as_deref(), Some("graph_endpoint"), "{bad}");
            assert!(!e.to_string().contains("u:p"), "{e}");
        }
    }
}
