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

/// Checks a mailbox (UPN, SMTP address or object id) before it goes into a URL.
pub fn check_mailbox(key: &str, value: &str) -> Result<()> {
    check_path_free(key, value)?;
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

/// Normalises a base URL config value: http(s), no path, query or fragment.
pub fn base_url(key: &str, value: &str) -> Result<String> {
    let v = value.trim_end_matches('/');
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#']) && !host.chars().any(char::is_whitespace) => {
            Ok(v.to_string())
        }
        _ => Err(Error::config(
            key,
            format!("`{key}` must be a base URL without a path, like https://graph.microsoft.com"),
        )),
    }
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
    }
}
