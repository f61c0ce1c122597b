//! Structure guards for crates/core, read from the source text:
//! - no import cycle between the crate's top-level modules (`crate::a` used in module
//!   `b` and `crate::b` in `a`, or longer rings): dependencies point one way, so each
//!   module can be read and tested without the ones above it;
//! - no function longer than the limit (bodies counted from `{` to `}`), tests included.
//!
//! The source is lexed just enough to be trusted: comments, strings and char literals
//! are blanked out first, so a path in a doc comment or a brace in a string counts for
//! nothing. Each detector is also run on synthetic input that must trip it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest function body allowed, in lines (the `{` line to the `}` line).
const MAX_FN_LINES: usize = 59;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `src` with comments, string literals and char literals replaced by spaces (newlines
/// kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match literal_or_comment_len(src, i) {
            Some(n) => {
                for c in &mut out[i..i + n] {
                    if *c != b'\n' {
                        *c = b' ';
                    }
                }
                i += n;
            }
            None => i += 1,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The length of the comment or literal starting at `i`, if one does.
fn literal_or_comment_len(src: &str, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    let rest = &b[i..];
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let prev = |back: usize| if i < back { b' ' } else { b[i - back] };
    if rest.starts_with(b"//") {
        return Some(rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len()));
    }
    if rest.starts_with(b"/*") {
        // Block comments nest in Rust.
        let (mut depth, mut j) = (0usize, 0);
        while j < rest.len() {
            if rest[j..].starts_with(b"/*") {
                depth += 1;
                j += 2;
            } else if rest[j..].starts_with(b"*/") {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    break;
                }
            } else {
                j += 1;
            }
        }
        return Some(j);
    }
    // r"..", r#".."#, br"..": not the end of an identifier such as `for`.
    let raw_allowed = !ident(prev(1)) || (prev(1) == b'b' && !ident(prev(2)));
    if rest[0] == b'r' && raw_allowed {
        if let Some(hashes) = raw_string_start(rest) {
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let open = 2 + hashes;
            return Some(rest[open..].windows(close.len()).position(|w| w == close.as_slice()).map_or(rest.len(), |p| open + p + close.len()));
        }
    }
    if rest[0] == b'"' {
        let mut j = 1;
        while j < rest.len() && rest[j] != b'"' {
            j += if rest[j] == b'\\' { 2 } else { 1 };
        }
        return Some((j + 1).min(rest.len()));
    }
    // A char literal ('x', '\n', '\u{..}', '{'); a lifetime ('a) has no closing quote.
    if rest[0] == b'\'' {
        return char_literal_len(&src[i..]);
    }
    None
}

/// `r"`, `r#"`, `r##"`...: the number of hashes.
fn raw_string_start(b: &[u8]) -> Option<usize> {
    let hashes = b.iter().skip(1).take_while(|&&c| c == b'#').count();
    (b.get(1 + hashes) == Some(&b'"')).then_some(hashes)
}

fn char_literal_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        // '\n', '\'', '\x7f', '\u{1F600}'
        let close = s.get(3..)?.find('\'').filter(|&p| p <= 10)?;
        return Some(close + 4);
    }
    let (at, next) = chars.next()?;
    (next == '\'').then_some(at + 1)
}

/// Top-level modules of the crate that `code` (of module `own`) refers to: every
/// `crate::NAME` path and every name in `use crate::{...}` groups. Names that lib.rs
/// re-exports (`crate::Result`) count as their module (`reexports`).
fn references(code: &str, own: &str, reexports: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add = |name: &str| {
        let module = reexports.get(name).map_or(name, String::as_str);
        if module != own {
            found.insert(module.to_string());
        }
    };
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find("crate::") {
        let at = from + p;
        from = at + "crate::".len();
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b'$') {
            continue;
        }
        let rest = code[from..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            for name in top_names_of_group(group) {
                add(&name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                add(&name);
            }
        }
    }
    found
}

/// The first segment of each path in a `{a, b::c, d::{e, f}}` group (`group` starts
/// after the `{`).
fn top_names_of_group(group: &str) -> Vec<String> {
    let mut names = Vec::new();
    let (mut depth, mut at_item_start) = (0usize, true);
    let mut chars = group.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item_start = true,
            c if depth == 0 && at_item_start && (c.is_alphanumeric() || c == '_') => {
                let name: String = group[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                for _ in 1..name.chars().count() {
                    chars.next();
                }
                if name != "self" {
                    names.push(name);
                }
                at_item_start = false;
            }
            _ => {}
        }
    }
    names
}

/// Names lib.rs re-exports from a module: `pub use module::{A, B}` / `pub use module::A`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else { continue };
        let Some((module, rest)) = path.split_once("::") else { continue };
        let rest = rest.trim();
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(g) => g.trim_end_matches('}').split(',').collect(),
            None => vec![rest],
        };
        for n in names {
            let n = n.trim();
            let n = n.rsplit("::").next().unwrap_or(n);
            let n = n.split(" as ").last().unwrap_or(n).trim();
            if !n.is_empty() {
                map.insert(n.to_string(), module.trim().to_string());
            }
        }
    }
    map
}

/// One import cycle of `graph`, as its modules in order (the first repeated at the end),
/// or `None`. Depth-first search; a back edge to a module on the current path closes a
/// cycle.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// Every function body longer than `max` lines: (lines, name, line of `fn`).
fn long_functions(code: &str, max: usize) -> Vec<(usize, String, usize)> {
    let b = code.as_bytes();
    let mut long = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("fn ") {
        let at = from + p;
        from = at + 3;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let name: String = code[from..].trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue; // a `fn(..)` pointer type
        }
        // The body opens at the first `{` before any `;` (a declaration has none).
        let Some(open) = code[from..].find(['{', ';']).map(|q| from + q).filter(|&q| b[q] == b'{') else { continue };
        let mut depth = 0usize;
        let mut close = open;
        for (q, &c) in b.iter().enumerate().skip(open) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = q;
                        break;
                    }
                }
                _ => {}
            }
        }
        let lines = code[open..=close].lines().count();
        if lines > max {
            long.push((lines, name, code[..at].lines().count() + 1));
        }
    }
    long
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The crate's module graph: top-level module -> modules it refers to.
fn module_graph() -> Graph {
    let src = crate_dir().join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let reexports = reexports(&code_only(&lib));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).expect("read source"));
        graph.entry(module.clone()).or_default().extend(references(&code, &module, &reexports));
    }
    graph
}

#[test]
fn crate_modules_import_each_other_one_way_only() {
    let graph = module_graph();
    // The graph is really read: a send runs Graph requests, the Graph client takes tokens.
    assert!(graph["send"].contains("graph"), "{graph:?}");
    assert!(graph["graph"].contains("auth"), "{graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle in crates/core/src: {} (move the shared item to the module it belongs to)", cycle.join(" -> "));
    }
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    rust_files(&crate_dir().join("tests"), &mut files);
    let mut long = Vec::new();
    for file in &files {
        let code = code_only(&std::fs::read_to_string(file).expect("read source"));
        for (lines, name, line) in long_functions(&code, MAX_FN_LINES) {
            long.push(format!("{}:{line} fn {name}: {lines} lines", file.strip_prefix(crate_dir()).unwrap_or(file).display()));
        }
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    assert!(long.is_empty(), "functions over {MAX_FN_LINES} lines (split them):\n{}", long.join("\n"));
}

#[test]
fn the_cycle_finder_finds_rings_and_passes_trees() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    let ring = find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")])).expect("a ring of three");
    assert_eq!(ring.first(), ring.last());
    assert_eq!(ring.len(), 4, "{ring:?}");
    assert_eq!(find_cycle(&graph(&[("x", "y"), ("y", "x")])), Some(vec!["x".to_string(), "y".into(), "x".into()]));
    // A diamond shares a module but has no cycle.
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])), None);
}

#[test]
fn references_are_paths_in_code_only() {
    let lib = "pub use error::{Error, Result};\npub use mailer::Mailer;";
    let re = reexports(lib);
    assert_eq!(re.get("Result").map(String::as_str), Some("error"));
    assert_eq!(re.get("Mailer").map(String::as_str), Some("mailer"));
    let src = r#####"
        //! Uses [`crate::doc_only`] in a doc comment.
        use crate::{alpha, beta::{Gamma, delta::Eps}, self_mod::X};
        use crate::Result;
        /* crate::in_block /* nested */ crate::still_comment */
        fn f() -> crate::zeta::Z { let s = "crate::in_string"; let r = r#"crate::in_raw"#; let c = '{'; crate::eta::call(); }
        fn g<'a>(x: &'a str) -> &'a str { x }
        mod tests { use super::*; fn h() { my_crate::not_ours(); } }
    "#####;
    let code = code_only(src);
    let refs = references(&code, "self_mod", &re);
    let expected: BTreeSet<String> = ["alpha", "beta", "error", "zeta", "eta"].into_iter().map(String::from).collect();
    assert_eq!(refs, expected);
    // Braces in strings and char literals do not count: f's body is one line.
    assert!(long_functions(&code, 0).iter().any(|(lines, name, _)| name == "f" && *lines == 1), "{:?}", long_functions(&code, 0));
}

#[test]
fn the_length_check_measures_bodies() {
    let body: String = (0..70).map(|i| format!("    let x{i} = {i};\n")).collect();
    let src = format!("fn short() {{ 1 }}\nfn long() {{\n{body}}}\ntrait T {{ fn declared(&self); }}\nfn pointer(f: fn(u8) -> u8) -> u8 {{ f(1) }}\n");
    let long = long_functions(&code_only(&src), MAX_FN_LINES);
    assert_eq!(long, vec![(72, "long".to_string(), 2)]);
}
