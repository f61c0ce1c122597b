//! The ledger in process memory: what this process itself sent, remembered for
//! `ledger_ttl`. Always written (also when Redis holds the ledger), so that a Redis lost
//! mid-way never lets this process send a message twice. Entries are a few hundred
//! bytes; expired ones are swept as the map grows.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

type Map = HashMap<String, (String, Instant)>;

static MEMORY: LazyLock<Mutex<Map>> = LazyLock::new(|| Mutex::new(HashMap::new()));
/// Above this many entries a write first sweeps the expired ones.
const SWEEP_ABOVE: usize = 4096;

fn lock() -> MutexGuard<'static, Map> {
    MEMORY.lock().unwrap_or_else(PoisonError::into_inner)
}

fn live(map: &Map, key: &str) -> Option<String> {
    map.get(key).filter(|(_, until)| Instant::now() < *until).map(|(v, _)| v.clone())
}

fn put(map: &mut Map, key: &str, value: Option<&str>, ttl: Duration) {
    if map.len() > SWEEP_ABOVE {
        let now = Instant::now();
        map.retain(|_, (_, until)| now < *until);
    }
    match value {
        Some(v) => {
            map.insert(key.to_string(), (v.to_string(), Instant::now() + ttl));
        }
        None => {
            map.remove(key);
        }
    }
}

/// The live value of `key`.
pub(super) fn get(key: &str) -> Option<String> {
    live(&lock(), key)
}

/// Writes `value` (`None`: removes) when the live value is `expect`; else returns it.
pub(super) fn swap(key: &str, expect: Option<&str>, value: Option<&str>, ttl: Duration) -> Result<(), Option<String>> {
    let mut map = lock();
    let current = live(&map, key);
    if current.as_deref() != expect {
        return Err(current);
    }
    put(&mut map, key, value, ttl);
    Ok(())
}

/// Writes `value` (`None`: removes) whatever was there.
pub(super) fn set(key: &str, value: Option<&str>, ttl: Duration) {
    put(&mut lock(), key, value, ttl);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_is_compare_and_set_and_entries_expire() {
        let key = format!("test-{}", uuid::Uuid::new_v4());
        assert_eq!(swap(&key, None, Some("a"), Duration::from_secs(60)), Ok(()));
        assert_eq!(swap(&key, None, Some("b"), Duration::from_secs(60)), Err(Some("a".into())));
        assert_eq!(swap(&key, Some("a"), Some("b"), Duration::from_secs(60)), Ok(()));
        assert_eq!(get(&key).as_deref(), Some("b"));
        set(&key, Some("c"), Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(get(&key), None, "expired");
        assert_eq!(swap(&key, None, Some("d"), Duration::from_secs(60)), Ok(()));
        set(&key, None, Duration::from_secs(60));
        assert_eq!(get(&key), None);
    }
}
