//! Test data shared by the large-message tests and the crate's own streaming property
//! test (`src/property_tests/stream_plan.rs` includes this file by path), so both generate the
//! same bytes from the same seed with one generator.

/// Deterministic pseudo-random bytes (xorshift), fast enough for 150 MB in debug builds.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
