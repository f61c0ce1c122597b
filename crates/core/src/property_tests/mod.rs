//! Property tests (proptest) over crate-private code: parsers fed hostile input, the
//! MIME cut, and the streamed plan against the whole-message plan. Compiled only for
//! `cargo test` (`#[cfg(test)]` in lib.rs): no production module uses them. They may
//! import any module of the crate; nothing imports them.

mod mime_cut;
mod parse_fuzz;
mod stream_plan;
