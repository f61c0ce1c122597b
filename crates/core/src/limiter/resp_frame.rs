//! RESP framing, only as far as bounding needs it: where each reply (or command) ends,
//! whether it stays under a size limit, and whether it is RESP at all. It never holds a
//! reply: it looks at each byte once and keeps a few counters, so a hostile peer cannot
//! make it allocate. Used by `bounded_stream.rs` on both directions of the limiter's Redis
//! connection (RESP2 and RESP3 types; the limiter speaks RESP2 unless the URL asks for 3).

use std::fmt;

/// The largest reply the limiter's connections accept. The limiter's replies are a few
/// bytes (two integers, a script's SHA1, BLPOP's key and token, OK, PONG, an error line),
/// the send ledger's (which shares them) one entry of a few hundred bytes (`ledger/entry.rs`);
/// Redis's own messages are under 1 KiB. Anything larger is not a Redis answering them.
pub(super) const MAX_REPLY: usize = 16 << 10;

/// Nesting deeper than this is not an answer to any command the limiter sends.
const MAX_DEPTH: usize = 8;

/// The longest length line (`$`, `*`, ...): an i64 and its sign.
const MAX_LENGTH_DIGITS: usize = 20;

/// Why a peer's bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Violation {
    /// A reply (or a length announced in it) over [`MAX_REPLY`].
    TooLarge,
    /// Bytes that are not RESP.
    Malformed,
    /// Bytes while no command was waiting for its reply.
    Unsolicited,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Violation::TooLarge => "it sent a reply larger than 16 KiB (the limiter's and the send ledger's replies are under 1 KiB), so the connection was closed",
            Violation::Malformed => "it sent a reply that is not RESP, so the connection was closed",
            Violation::Unsolicited => "it sent data while no command was pending, so the connection was closed",
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Before a value's type byte.
    Type,
    /// In a value's first line; `length`: it announces a bulk or aggregate length.
    Line(Line),
    /// In a bulk payload: bytes left, its closing CRLF included.
    Payload(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// `+`, `-`, `:`, `,`, `#`, `(`, `_`: the line is the value.
    Simple,
    /// `$`, `=`, `!`: a length, then that many bytes.
    Bulk,
    /// `*`, `~`, `>`: a count of values; `%`, `|`: a count of pairs (2 values each).
    Aggregate(u64),
}

/// Tracks one direction of a connection, byte by byte.
#[derive(Debug)]
pub(crate) struct Framer {
    limit: usize,
    state: State,
    /// Values still to come in each open aggregate, innermost last.
    open: Vec<u64>,
    /// Bytes of the current top-level value so far.
    size: usize,
    /// The previous byte of the current line (a line ends with CR LF).
    prev: u8,
    /// The length announced by the current line, as it is read.
    digits: usize,
    number: i64,
    negative: bool,
}

impl Framer {
    /// A framer that refuses any top-level value over `limit` bytes.
    pub(crate) fn new(limit: usize) -> Framer {
        Framer { limit, state: State::Type, open: Vec::new(), size: 0, prev: 0, digits: 0, number: 0, negative: false }
    }

    /// Feeds one byte: `Ok(true)` when it ended a top-level value.
    pub(crate) fn push(&mut self, b: u8) -> Result<bool, Violation> {
        self.size += 1;
        if self.size > self.limit {
            return Err(Violation::TooLarge);
        }
        match self.state {
            State::Type => {
                self.state = State::Line(line_of(b)?);
                (self.prev, self.digits, self.number, self.negative) = (0, 0, 0, false);
                Ok(false)
            }
            State::Line(kind) => self.line_byte(kind, b),
            State::Payload(left) => {
                let expected = match left {
                    2 => Some(b'\r'),
                    1 => Some(b'\n'),
                    _ => None,
                };
                if expected.is_some_and(|e| e != b) {
                    return Err(Violation::Malformed);
                }
                if left == 1 {
                    return Ok(self.value_done());
                }
                self.state = State::Payload(left - 1);
                Ok(false)
            }
        }
    }

    fn line_byte(&mut self, kind: Line, b: u8) -> Result<bool, Violation> {
        let prev = std::mem::replace(&mut self.prev, b);
        if b == b'\n' {
            if prev != b'\r' {
                return Err(Violation::Malformed);
            }
            return self.line_done(kind);
        }
        if prev == b'\r' {
            return Err(Violation::Malformed);
        }
        if kind == Line::Simple || b == b'\r' {
            return Ok(false);
        }
        // A length: an optional minus sign, then digits.
        self.digits += 1;
        match b {
            b'-' if self.digits == 1 => self.negative = true,
            b'0'..=b'9' if self.digits <= MAX_LENGTH_DIGITS => self.number = self.number.saturating_mul(10).saturating_add(i64::from(b - b'0')),
            _ => return Err(Violation::Malformed),
        }
        Ok(false)
    }

    fn line_done(&mut self, kind: Line) -> Result<bool, Violation> {
        if kind == Line::Simple {
            return Ok(self.value_done());
        }
        let has_digits = self.digits > usize::from(self.negative);
        let length = match (self.negative, self.number, has_digits) {
            (_, _, false) => return Err(Violation::Malformed),
            // -1: a null bulk or aggregate.
            (true, 1, true) => return Ok(self.value_done()),
            (true, _, true) => return Err(Violation::Malformed),
            (false, n, true) => u64::try_from(n).map_err(|_| Violation::Malformed)?,
        };
        // Refused from the announced length already, before its bytes arrive.
        let left = self.limit.saturating_sub(self.size) as u64;
        match kind {
            Line::Bulk if length.saturating_add(2) > left => Err(Violation::TooLarge),
            Line::Bulk => {
                self.state = State::Payload(length as usize + 2);
                Ok(false)
            }
            Line::Aggregate(_) if length == 0 => Ok(self.value_done()),
            // Each value takes at least 3 bytes (`_\r\n`).
            Line::Aggregate(per) if length.saturating_mul(per).saturating_mul(3) > left => Err(Violation::TooLarge),
            Line::Aggregate(_) if self.open.len() >= MAX_DEPTH => Err(Violation::Malformed),
            Line::Aggregate(per) => {
                self.open.push(length * per);
                self.state = State::Type;
                Ok(false)
            }
            Line::Simple => Ok(self.value_done()),
        }
    }

    /// A value ended: it completes the aggregates it was the last value of; `true` when
    /// that ends the top-level value.
    fn value_done(&mut self) -> bool {
        self.state = State::Type;
        while let Some(left) = self.open.last_mut() {
            *left -= 1;
            if *left > 0 {
                return false;
            }
            self.open.pop();
        }
        self.size = 0;
        true
    }
}

fn line_of(type_byte: u8) -> Result<Line, Violation> {
    Ok(match type_byte {
        b'+' | b'-' | b':' | b',' | b'#' | b'(' | b'_' => Line::Simple,
        b'$' | b'=' | b'!' => Line::Bulk,
        b'*' | b'~' | b'>' => Line::Aggregate(1),
        b'%' | b'|' => Line::Aggregate(2),
        _ => return Err(Violation::Malformed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of complete values in `bytes`, or the first violation.
    fn frames(limit: usize, bytes: &[u8]) -> Result<usize, Violation> {
        let mut f = Framer::new(limit);
        let mut n = 0;
        for &b in bytes {
            n += usize::from(f.push(b)?);
        }
        Ok(n)
    }

    #[test]
    fn counts_the_replies_redis_sends_the_limiter() {
        let replies: &[&[u8]] = &[
            b"+OK\r\n",
            b"+PONG\r\n",
            b":42\r\n",
            b"*2\r\n:0\r\n:1500\r\n",
            b"-NOSCRIPT No matching script. Please use EVAL.\r\n",
            b"$40\r\n0123456789012345678901234567890123456789\r\n",
            b"*2\r\n$9\r\no365:wake\r\n$1\r\n1\r\n",
            b"*-1\r\n",
            b"$-1\r\n",
            b"*0\r\n",
            b"%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n",
            b"_\r\n",
            b"*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n",
        ];
        for r in replies {
            assert_eq!(frames(MAX_REPLY, r), Ok(1), "{}", String::from_utf8_lossy(r));
        }
        assert_eq!(frames(MAX_REPLY, &replies.concat()), Ok(replies.len()), "pipelined");
        // Split anywhere: the same count (the framer keeps its place between reads).
        let all = replies.concat();
        let mut f = Framer::new(MAX_REPLY);
        let n: usize = all.iter().map(|&b| usize::from(f.push(b).expect("valid"))).sum();
        assert_eq!(n, replies.len());
    }

    #[test]
    fn an_endless_line_is_refused_at_the_limit() {
        let mut f = Framer::new(MAX_REPLY);
        let mut fed = 0;
        let e = std::iter::once(b'-').chain(std::iter::repeat(b'x')).find_map(|b| {
            fed += 1;
            f.push(b).err()
        });
        assert_eq!(e, Some(Violation::TooLarge));
        assert_eq!(fed, MAX_REPLY + 1);
    }

    #[test]
    fn a_huge_announced_length_is_refused_before_its_bytes() {
        assert_eq!(frames(MAX_REPLY, b"$2000000000\r\n"), Err(Violation::TooLarge));
        assert_eq!(frames(MAX_REPLY, b"*2000000000\r\n"), Err(Violation::TooLarge));
        assert_eq!(frames(MAX_REPLY, b"%9999\r\n"), Err(Violation::TooLarge));
        assert_eq!(frames(MAX_REPLY, b"$99999999999999999999999\r\n"), Err(Violation::Malformed));
        assert_eq!(frames(100, b"$98\r\n"), Err(Violation::TooLarge));
        assert_eq!(frames(MAX_REPLY, b"$16000\r\n"), Ok(0), "within the limit: waits for the bytes");
    }

    #[test]
    fn what_is_not_resp_is_refused() {
        for bad in [&b"hello\r\n"[..], b"$abc\r\n", b"$-2\r\n", b"$\r\n", b"+OK\n", b"+O\rK\r\n", b"$2\r\nabcd\r\n", b"*1\r\n@\r\n"] {
            assert_eq!(frames(MAX_REPLY, bad), Err(Violation::Malformed), "{}", String::from_utf8_lossy(bad));
        }
        let deep = "*1\r\n".repeat(MAX_DEPTH + 1) + ":1\r\n";
        assert_eq!(frames(MAX_REPLY, deep.as_bytes()), Err(Violation::Malformed));
        let nested = "*1\r\n".repeat(MAX_DEPTH) + ":1\r\n";
        assert_eq!(frames(MAX_REPLY, nested.as_bytes()), Ok(1));
    }

    #[test]
    fn the_limit_is_per_reply() {
        let reply = b"$90\r\n".iter().chain(&[b'a'; 90]).chain(b"\r\n").copied().collect::<Vec<u8>>();
        let many = reply.repeat(100);
        assert_eq!(frames(100, &many), Ok(100));
    }
}
