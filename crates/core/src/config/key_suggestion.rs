//! "Did you mean …?" for a misspelled config key: the known key closest to it, when one
//! is close enough to be the likely intent (`mailbx` → `mailbox`, `tenant` → `tenant_id`).

/// The known key `key` most likely meant, if any.
pub(crate) fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let key = key.trim().to_ascii_lowercase().replace('-', "_");
    let close = |k: &str| {
        let d = distance(&key, k);
        // A typo (a third of the letters at most), or a shortened or prefixed form.
        (d <= (k.len() / 3).max(1), d)
    };
    known
        .iter()
        .filter_map(|k| match close(k) {
            (true, d) => Some((d, *k)),
            _ if key.len() >= 4 && (k.contains(key.as_str()) || key.contains(*k)) => Some((k.len().abs_diff(key.len()), *k)),
            _ => None,
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over bytes (keys are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::nearest;

    const KEYS: &[&str] = &["tenant_id", "client_id", "client_secret", "mailbox", "timeout", "max_retries"];

    #[test]
    fn typos_and_short_forms_find_their_key() {
        assert_eq!(nearest("mailbx", KEYS), Some("mailbox"));
        assert_eq!(nearest("client_secet", KEYS), Some("client_secret"));
        assert_eq!(nearest("tenant", KEYS), Some("tenant_id"));
        assert_eq!(nearest("Client-ID", KEYS), Some("client_id"));
        assert_eq!(nearest("retries", KEYS), Some("max_retries"));
    }

    #[test]
    fn unrelated_keys_get_no_guess() {
        assert_eq!(nearest("colour", KEYS), None);
        assert_eq!(nearest("url", KEYS), None);
    }
}
