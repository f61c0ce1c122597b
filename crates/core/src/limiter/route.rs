//! Which node of `redis_url` serves a key: the one node, the primary a Sentinel names,
//! or, in a Redis Cluster, the primary owning the key's hash slot (from CLUSTER SLOTS,
//! updated by MOVED). All keys of one mailbox share a hash tag (`key.rs`), so one slot:
//! one node runs each script, as Redis Cluster requires.

use redis::Value;

/// Where keys go.
#[derive(Clone, Debug)]
pub(crate) enum Route {
    /// Every key to this `host:port` (one node, or the Sentinels' primary).
    One(String),
    /// A Redis Cluster's slots.
    Slots(SlotMap),
}

/// The primary of each of the 16384 slots.
#[derive(Clone, Debug)]
pub(crate) struct SlotMap {
    /// Index into `nodes` per slot; `u16::MAX` where no node serves the slot.
    owner: Vec<u16>,
    nodes: Vec<String>,
}

const SLOTS: usize = 16384;

impl Route {
    /// The `host:port` serving `key`, if any.
    pub fn node_for(&self, key: &str) -> Option<&str> {
        match self {
            Route::One(node) => Some(node),
            Route::Slots(map) => map.owner.get(usize::from(slot(key))).and_then(|i| map.nodes.get(usize::from(*i))).map(String::as_str),
        }
    }

    /// A MOVED answer: `slot` is now served by `node`.
    pub fn moved(&mut self, slot: u16, node: &str) {
        if let Route::Slots(map) = self {
            let i = match map.nodes.iter().position(|n| n == node) {
                Some(i) => i,
                None => {
                    map.nodes.push(node.to_string());
                    map.nodes.len() - 1
                }
            };
            if let (Some(owner), Ok(i)) = (map.owner.get_mut(usize::from(slot)), u16::try_from(i)) {
                *owner = i;
            }
        }
    }
}

impl SlotMap {
    /// The map in a CLUSTER SLOTS answer; `asked` (`host` of the node asked) stands in for
    /// an empty or `?` host, as Redis documents for a node that does not know its address.
    pub fn parse(answer: &Value, asked: &str) -> Option<SlotMap> {
        let Value::Array(ranges) = answer else { return None };
        let mut map = SlotMap { owner: vec![u16::MAX; SLOTS], nodes: Vec::new() };
        for range in ranges {
            let Value::Array(fields) = range else { return None };
            let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(primary))) = (fields.first(), fields.get(1), fields.get(2)) else {
                return None;
            };
            let host = match primary.first() {
                Some(Value::BulkString(h)) if !h.is_empty() && h != b"?" => String::from_utf8(h.clone()).ok()?,
                _ => asked.to_string(),
            };
            let Some(Value::Int(port)) = primary.get(1) else { return None };
            map.nodes.push(node_address(&host, *port));
            let i = u16::try_from(map.nodes.len() - 1).ok()?;
            for s in usize::try_from(*start).ok()?..=usize::try_from(*end).ok()?.min(SLOTS - 1) {
                map.owner[s] = i;
            }
        }
        Some(map)
    }
}

/// `host:port` as a node is named in routes and URLs: an IPv6 host in brackets, once (a
/// seed such as `[::1]:7000` hands its host over already bracketed).
pub(crate) fn node_address(host: &str, port: impl std::fmt::Display) -> String {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if bare.contains(':') { format!("[{bare}]:{port}") } else { format!("{bare}:{port}") }
}

/// Redis Cluster's hash slot of `key`: CRC16 (XMODEM) of its hash tag (the part between
/// the first `{` and the next `}`, when not empty), else of the whole key, mod 16384.
pub(crate) fn slot(key: &str) -> u16 {
    let bytes = key.as_bytes();
    let tagged = key.find('{').and_then(|open| key[open + 1..].find('}').filter(|len| *len > 0).map(|len| &bytes[open + 1..open + 1 + len]));
    crc16(tagged.unwrap_or(bytes)) % SLOTS as u16
}

fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for b in data {
        crc ^= u16::from(*b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_redis_cluster_keyslot() {
        // Values from `CLUSTER KEYSLOT` of a real Redis.
        assert_eq!(slot("123456789"), 0x31C3 % 16384);
        assert_eq!(slot("foo"), 12182);
        assert_eq!(slot("{user1000}.following"), slot("{user1000}.followers"));
        assert_eq!(slot("foo{}{bar}"), crc16(b"foo{}{bar}") % 16384);
        assert_eq!(slot("o365:limit:{a/b}:leases"), slot("a/b"));
    }

    #[test]
    fn a_cluster_slots_answer_and_a_moved_route_keys() {
        let primary = |h: &str, p: i64| Value::Array(vec![Value::BulkString(h.into()), Value::Int(p), Value::BulkString(b"id".to_vec())]);
        let answer = Value::Array(vec![
            Value::Array(vec![Value::Int(0), Value::Int(8191), primary("10.0.0.1", 7000), primary("10.0.0.9", 7009)]),
            Value::Array(vec![Value::Int(8192), Value::Int(16383), primary("", 7001)]),
        ]);
        let mut route = Route::Slots(SlotMap::parse(&answer, "seed").expect("parsed"));
        assert_eq!(slot("bar"), 5061);
        assert_eq!(route.node_for("bar"), Some("10.0.0.1:7000"));
        assert_eq!(route.node_for("foo"), Some("seed:7001"));
        route.moved(slot("foo"), "10.0.0.2:7002");
        assert_eq!(route.node_for("foo"), Some("10.0.0.2:7002"));
        // A slot whose host is left out takes the seed's, bracketed once for IPv6.
        let ipv6 = SlotMap::parse(&answer, "[::1]").expect("parsed");
        assert_eq!(Route::Slots(ipv6).node_for("foo"), Some("[::1]:7001"));
        assert_eq!(node_address("::1", 6379), "[::1]:6379");
        assert_eq!(node_address("redis.local", 6379), "redis.local:6379");
    }
}
