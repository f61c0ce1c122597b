//! Whose limit a request counts against: Exchange throttles per app and mailbox, so the
//! key is (cloud, tenant, client id, mailbox), case-folded. In Redis all keys of one
//! mailbox share a hash tag (`{...}`), so a Redis Cluster keeps them on one slot and one
//! Lua script may touch them all. Tenant and client ids and the address are not secrets;
//! nothing else (no credential, no URL) goes into a key.

use crate::config::Config;

/// The prefix of every key the limiter writes.
pub const PREFIX: &str = "o365:limit:";

/// One app's view of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxKey {
    tag: String,
}

impl MailboxKey {
    /// The key of `mailbox` for `config`'s app.
    pub fn new(config: &Config, mailbox: &str) -> MailboxKey {
        let parts = [config.cloud.name(), &config.tenant_id, &config.client_id, mailbox];
        let tag = parts.iter().map(|p| escape(&p.to_lowercase())).collect::<Vec<_>>().join("/");
        MailboxKey { tag }
    }

    /// `o365:limit:{cloud/tenant/client/mailbox}:<what>`.
    pub fn redis_key(&self, what: &str) -> String {
        format!("{PREFIX}{{{}}}:{what}", self.tag)
    }

    /// The in-process map's key (same identity as in Redis).
    pub fn local(&self) -> &str {
        &self.tag
    }
}

/// Percent-encodes what would end the hash tag early (`{`, `}`) or make two keys equal
/// (`/`, `%`), and anything invisible, so that every tuple gets its own tag.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' | '}' | '/' | '%' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_control() || c.is_whitespace() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigValue;

    fn config(tenant: &str) -> Config {
        let s = |v: &str| ConfigValue::Str(v.to_string());
        Config::from_pairs(vec![("tenant_id", s(tenant)), ("client_id", s("AbC-1")), ("client_secret", s("never-in-a-key"))]).unwrap()
    }

    #[test]
    fn one_hash_tag_per_mailbox_case_folded_and_without_secrets() {
        let a = MailboxKey::new(&config("Contoso.onmicrosoft.com"), "Sender@Contoso.com");
        let b = MailboxKey::new(&config("contoso.onmicrosoft.com"), "sender@contoso.com");
        assert_eq!(a, b);
        let k = a.redis_key("leases");
        assert_eq!(k, "o365:limit:{global/contoso.onmicrosoft.com/abc-1/sender@contoso.com}:leases");
        assert!(!k.contains("never-in-a-key"));
    }

    #[test]
    fn braces_cannot_break_the_tag() {
        let k = MailboxKey::new(&config("t"), "we}ird{x/y@contoso.com").redis_key("hold");
        // Redis hashes what is between the first `{` and the next `}`: the whole tuple.
        let tag = &k[k.find('{').unwrap() + 1..k.find('}').unwrap()];
        assert_eq!(tag, "global/t/abc-1/we%7Dird%7Bx%2Fy@contoso.com");
    }
}
