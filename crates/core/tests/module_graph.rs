//! Structure guards for the workspace's three crates (crates/core, crates/emulator,
//! crates/ext), read from the source text; one test per crate and rule:
//! - no import cycle at any level of a crate's module tree: between its top-level
//!   modules, and between the sibling modules inside each directory module (a file
//!   `a/b.rs` using `crate::a::c` is the edge `b -> c` inside `a`; using `crate::d::x`
//!   is `a -> d` at the top). Dependencies point one way, so each module can be read
//!   and tested without the ones above it;
//! - no function longer than the limit (bodies counted from `{` to `}`), in src/ and
//!   tests/.
//!
//! The module tree is the one rustc sees: it starts at lib.rs (and, as a crate of its
//! own, main.rs) and follows `mod x;` declarations (`#[path]` included). A path is
//! resolved as rustc would: `crate::`, `super::`, `self::` (inside an inline
//! `mod tests { .. }` too), `use` groups, and names re-exported by `pub use` (lib.rs,
//! a directory's mod.rs, any module) count as the module that defines them. A path
//! through the crate's own name (main.rs using the library) is not an edge inside it.
//! Edges between a module and its own parent or child are not sibling edges.
//!
//! The source is lexed just enough to be trusted: comments, strings and char literals
//! are blanked out first, so a path in a doc comment or a brace in a string counts for
//! nothing. Each detector is also run on synthetic input that must trip it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest function body allowed, in lines (the `{` line to the `}` line).
const MAX_FN_LINES: usize = 59;

/// Module -> the modules it uses, among the siblings of one level.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// A module's path from its crate root (`["graph", "routes"]`); the root is `[]`.
type ModPath = Vec<String>;

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

/// One path of a `use` tree or an expression: its segments (`*` ends a glob) and the
/// name it is imported `as`, if renamed.
type UsePath = (Vec<String>, Option<String>);

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The identifier at `*i` (empty if none), moving `*i` past it.
fn ident(b: &[u8], i: &mut usize) -> String {
    let start = *i;
    while *i < b.len() && is_ident(b[*i]) {
        *i += 1;
    }
    String::from_utf8_lossy(&b[start..*i]).into_owned()
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

/// Whether the word `kw` stands alone at `at` (not part of a longer identifier).
fn word_at(b: &[u8], at: usize, kw: &str) -> bool {
    b[at..].starts_with(kw.as_bytes()) && (at == 0 || !is_ident(b[at - 1])) && b.get(at + kw.len()).is_none_or(|&c| !is_ident(c))
}

/// Every path of the `use` tree (or plain path) starting at `*i`, groups expanded:
/// `crate::{a::{b, c as d}, e::*}` gives `crate::a::b`, `crate::a::c` (as `d`) and
/// `crate::e::*`. A path ends at anything else (`::<T>`, `(`, `;`).
fn use_tree(b: &[u8], i: &mut usize, prefix: &[String], out: &mut Vec<UsePath>) {
    let mut segs = prefix.to_vec();
    loop {
        skip_ws(b, i);
        match b.get(*i) {
            Some(b'{') => return use_group(b, i, &segs, out),
            Some(b'*') => {
                *i += 1;
                segs.push("*".into());
                return out.push((segs, None));
            }
            _ => {}
        }
        let name = ident(b, i);
        if name.is_empty() {
            if segs.len() > prefix.len() {
                out.push((segs, None));
            }
            return;
        }
        segs.push(name);
        let after = *i;
        skip_ws(b, i);
        if b[*i..].starts_with(b"::") {
            *i += 2;
            continue;
        }
        let alias = word_at(b, *i, "as").then(|| {
            *i += 2;
            skip_ws(b, i);
            ident(b, i)
        });
        if alias.is_none() {
            *i = after;
        }
        return out.push((segs, alias));
    }
}

/// The `{a, b::c, ..}` group at `*i` under `prefix`.
fn use_group(b: &[u8], i: &mut usize, prefix: &[String], out: &mut Vec<UsePath>) {
    *i += 1;
    loop {
        skip_ws(b, i);
        match b.get(*i) {
            None => return,
            Some(b'}') => {
                *i += 1;
                return;
            }
            Some(b',') => *i += 1,
            Some(_) => {
                let before = *i;
                use_tree(b, i, prefix, out);
                if *i == before {
                    *i += 1; // not a path: step over it
                }
            }
        }
    }
}

/// Every path in `code` that starts with `crate`, `super` or `self`, with the offset
/// of its first segment (relative paths such as `a::b` in a mod.rs name the module's
/// own children, never a sibling).
fn anchored_paths(code: &str) -> Vec<(usize, UsePath)> {
    let b = code.as_bytes();
    let mut found = Vec::new();
    for kw in ["crate", "super", "self"] {
        let mut from = 0;
        while let Some(p) = code[from..].find(kw) {
            let at = from + p;
            from = at + kw.len();
            let before = code[..at].trim_end();
            let mut end = from;
            skip_ws(b, &mut end);
            if !word_at(b, at, kw) || before.ends_with("::") || before.ends_with('$') || !b[end..].starts_with(b"::") {
                continue;
            }
            let mut i = at;
            let mut paths = Vec::new();
            use_tree(b, &mut i, &[], &mut paths);
            found.extend(paths.into_iter().map(|p| (at, p)));
        }
    }
    found
}

/// `segs` as a path from the crate root, read in module `context`: `crate`, `super` and
/// `self` resolved, a glob's `*` dropped. A first segment that is none of those is a
/// child module of `context` if `is_module` knows it, else another crate's (None).
fn absolute(segs: &[String], context: &[String], is_module: &dyn Fn(&[String]) -> bool) -> Option<ModPath> {
    let first = segs.first()?;
    let mut path: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "super" | "self" => context.to_vec(),
        name => {
            let mut child = context.to_vec();
            child.push(name.to_string());
            is_module(&child).then_some(context.to_vec())?
        }
    };
    let from = usize::from(matches!(first.as_str(), "crate" | "self"));
    for seg in &segs[from..] {
        match seg.as_str() {
            "super" => {
                path.pop()?;
            }
            "self" | "*" => {}
            name => path.push(name.to_string()),
        }
    }
    Some(path)
}

/// One source file of a crate's module tree.
struct SourceFile {
    /// Its module (`["graph", "routes"]` for src/graph/routes.rs).
    module: ModPath,
    /// Its path relative to src/ (`graph/routes.rs`).
    file: String,
    code: String,
    /// `mod name { .. }` blocks in it: (name, `{` offset, `}` offset).
    inline: Vec<(String, usize, usize)>,
}

impl SourceFile {
    /// The module that the code at `at` is in: the file's, or an inline one inside it.
    fn context_at(&self, at: usize) -> ModPath {
        let mut module = self.module.clone();
        module.extend(self.inline.iter().filter(|(_, open, close)| *open < at && at < *close).map(|(name, _, _)| name.clone()));
        module
    }

    fn line_of(&self, at: usize) -> usize {
        self.code[..at].matches('\n').count() + 1
    }
}

/// A `mod name;` or `mod name { .. }` in a file.
struct ModDecl {
    name: String,
    at: usize,
    /// The `{ .. }` of an inline module.
    body: Option<(usize, usize)>,
    /// Its `#[path = ".."]`, read from the raw source (strings are blanked in the code).
    path_attr: Option<String>,
}

fn mod_declarations(code: &str, raw: &str) -> Vec<ModDecl> {
    let b = code.as_bytes();
    let mut decls = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("mod") {
        let at = from + p;
        from = at + 3;
        if !word_at(b, at, "mod") {
            continue;
        }
        let mut i = from;
        skip_ws(b, &mut i);
        let name = ident(b, &mut i);
        skip_ws(b, &mut i);
        let body = match b.get(i) {
            Some(b'{') => Some((i, matching_brace(b, i))),
            Some(b';') => None,
            _ => continue,
        };
        let item_start = code[..at].rfind([';', '}', '{']).map_or(0, |q| q + 1);
        let path_attr = raw[item_start..at].split_once("#[path").and_then(|(_, rest)| rest.split('"').nth(1)).map(String::from);
        decls.push(ModDecl { name, at, body, path_attr });
    }
    decls
}

/// The offset of the `}` closing the `{` at `open` (the end if unbalanced).
fn matching_brace(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (q, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return q;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// `dir/rel` with `.` and `..` folded (`a/../../t.rs` is `../t.rs`).
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// The module tree under the crate root `root` (`lib.rs`, `main.rs`), following
/// `mod` declarations; `read` gives a file's text by its path relative to src/. A
/// declared module with no file is an error, as for rustc.
fn load_tree(read: &dyn Fn(&str) -> Option<String>, root: &str) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut todo = vec![(ModPath::new(), root.to_string())];
    while let Some((module, file)) = todo.pop() {
        let raw = read(&file).unwrap_or_else(|| panic!("{file} is declared as a module but cannot be read"));
        let code = code_only(&raw);
        let decls = mod_declarations(&code, &raw);
        let inline = decls.iter().filter_map(|d| d.body.map(|(open, close)| (d.name.clone(), open, close))).collect();
        let source = SourceFile { module, file, code, inline };
        let dir = source.file.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let stem = source.file.rsplit('/').next().unwrap_or_default().trim_end_matches(".rs").to_string();
        // lib.rs, main.rs and mod.rs keep their children beside them; a.rs in a/.
        let own_dir = if source.module.is_empty() || stem == "mod" { dir.clone() } else { join(&dir, &stem) };
        for decl in decls.iter().filter(|d| d.body.is_none()) {
            let inner = source.context_at(decl.at)[source.module.len()..].join("/");
            let mut module = source.context_at(decl.at);
            module.push(decl.name.clone());
            let candidates = match &decl.path_attr {
                Some(p) if inner.is_empty() => vec![join(&dir, p)],
                Some(p) => vec![join(&join(&own_dir, &inner), p)],
                None => {
                    let base = join(&join(&own_dir, &inner), &decl.name);
                    vec![format!("{base}.rs"), format!("{base}/mod.rs")]
                }
            };
            let found = candidates.iter().find(|c| read(c).is_some());
            let child = found.unwrap_or_else(|| panic!("{}: `mod {}` has no file ({})", source.file, decl.name, candidates.join(" or ")));
            todo.push((module, child.clone()));
        }
        files.push(source);
    }
    files
}

/// The names each module binds with `use`, per module: (module, name) -> the path it
/// stands for, from the crate root. A `pub use` re-exports the name; a private one is
/// still seen by the module's children (`super::Name`).
type Reexports = BTreeMap<(ModPath, String), ModPath>;

fn reexports(files: &[SourceFile], is_module: &dyn Fn(&[String]) -> bool) -> Reexports {
    let mut map = Reexports::new();
    for f in files {
        let b = f.code.as_bytes();
        let mut from = 0;
        while let Some(p) = f.code[from..].find("use") {
            let at = from + p;
            from = at + 3;
            if !word_at(b, at, "use") {
                continue;
            }
            let (context, mut i, mut paths) = (f.context_at(at), from, Vec::new());
            use_tree(b, &mut i, &[], &mut paths);
            for (segs, alias) in paths {
                let last = segs.iter().rev().find(|s| *s != "self").cloned().unwrap_or_default();
                let name = alias.unwrap_or(last);
                if name == "*" || name == "_" {
                    continue; // a glob re-export names nothing that can be looked up
                }
                if let Some(target) = absolute(&segs, &context, is_module) {
                    map.insert((context.clone(), name), target);
                }
            }
        }
    }
    map
}

/// The module that defines what `path` names: its longest prefix that is a module,
/// through re-exports (`crate::Result` -> `error`, `crate::limiter::RedisUrl` ->
/// `redis_url`).
fn defining_module(path: &[String], modules: &BTreeSet<ModPath>, reexports: &Reexports) -> ModPath {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let module: ModPath = (0..=path.len()).rev().map(|k| path[..k].to_vec()).find(|m| modules.contains(m)).unwrap_or_default();
        let Some(name) = path.get(module.len()) else { return module };
        let Some(target) = reexports.get(&(module.clone(), name.clone())) else { return module };
        let mut next = target.clone();
        next.extend_from_slice(&path[module.len() + 1..]);
        path = next;
    }
    path
}

/// A crate's imports, per level of its module tree: the level (`[]` for the top,
/// `["graph"]` inside graph/) -> the graph between its child modules, with where each
/// edge was first seen.
#[derive(Debug, Default)]
struct Levels {
    graphs: BTreeMap<ModPath, Graph>,
    why: BTreeMap<(ModPath, String, String), String>,
}

impl Levels {
    /// The edge that a use in module `from` of module `to` makes: between the two
    /// modules' ancestors just below their deepest common one. None between a module
    /// and itself, its parent or its child.
    fn add(&mut self, from: &[String], to: &[String], why: String) {
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common == from.len() || common == to.len() {
            return;
        }
        let level = from[..common].to_vec();
        let (a, b) = (from[common].clone(), to[common].clone());
        self.graphs.entry(level.clone()).or_default().entry(a.clone()).or_default().insert(b.clone());
        self.why.entry((level, a, b)).or_insert(why);
    }

    fn edge_count(&self) -> usize {
        self.why.len()
    }
}

/// The import levels of the module tree in `files`.
fn levels(files: &[SourceFile]) -> Levels {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    let is_module = |m: &[String]| modules.contains(m);
    let reexports = reexports(files, &is_module);
    let mut levels = Levels::default();
    for f in files {
        for (at, (segs, _)) in anchored_paths(&f.code) {
            let Some(path) = absolute(&segs, &f.context_at(at), &is_module) else { continue };
            let to = defining_module(&path, &modules, &reexports);
            let shown = segs.strip_suffix(&["self".to_string()]).unwrap_or(&segs).join("::");
            levels.add(&f.module, &to, format!("{}:{} uses {shown}", f.file, f.line_of(at)));
        }
    }
    levels
}

/// The modules `start` reaches in `graph` (itself included only through a ring).
fn reachable(graph: &Graph, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&String> = graph.get(start).into_iter().flatten().collect();
    while let Some(n) = todo.pop() {
        if seen.insert(n.clone()) {
            todo.extend(graph.get(n).into_iter().flatten());
        }
    }
    seen
}

/// Every import cycle of `graph`, one per tangle (strongly connected set of modules):
/// the tangle's modules, and its shortest ring through the first of them, in order,
/// the first repeated at the end.
fn cycles(graph: &Graph) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let reach: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|n| (n, reachable(graph, n))).collect();
    let mut found: Vec<(BTreeSet<String>, Vec<String>)> = Vec::new();
    for (n, r) in &reach {
        if !r.contains(*n) || found.iter().any(|(tangle, _)| tangle.contains(*n)) {
            continue;
        }
        let tangle: BTreeSet<String> = r.iter().filter(|m| reach.get(m).is_some_and(|back| back.contains(*n))).cloned().collect();
        found.push((tangle.clone(), shortest_ring(graph, n, &tangle)));
    }
    found
}

/// The shortest path from `start` back to itself through `within` (breadth first),
/// `start` at both ends.
fn shortest_ring(graph: &Graph, start: &str, within: &BTreeSet<String>) -> Vec<String> {
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.to_string()]);
    while let Some(n) = queue.pop_front() {
        for next in graph.get(&n).into_iter().flatten().filter(|m| within.contains(*m)) {
            if next == start {
                let mut ring = vec![start.to_string()];
                let mut at = n.clone();
                loop {
                    ring.push(at.clone());
                    if at == start {
                        break;
                    }
                    at = parent[&at].clone();
                }
                ring.reverse();
                return ring;
            }
            if !parent.contains_key(next) {
                parent.insert(next.clone(), n.clone());
                queue.push_back(next.clone());
            }
        }
    }
    Vec::new()
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

/// One paragraph per import cycle of `levels`: its ring and the place of each arrow in
/// the source, then the other arrows between the modules tangled with it.
fn cycle_report(levels: &Levels, root: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (level, graph) in &levels.graphs {
        let place = match level.is_empty() {
            true => format!("between the top-level modules of {root}"),
            false => format!("inside `{}` of {root} (between the modules in {}/)", level.join("::"), level.join("/")),
        };
        for (tangle, ring) in cycles(graph) {
            let arrow = |a: &String, b: &String| format!("    {a} -> {b}: {}", levels.why[&(level.clone(), a.clone(), b.clone())]);
            let on_ring: BTreeSet<(&String, &String)> = ring.windows(2).map(|w| (&w[0], &w[1])).collect();
            let mut lines: Vec<String> = ring.windows(2).map(|w| arrow(&w[0], &w[1])).collect();
            let others: Vec<String> = tangle
                .iter()
                .flat_map(|a| graph[a].iter().filter(|b| tangle.contains(*b)).map(move |b| (a, b)))
                .filter(|edge| !on_ring.contains(edge))
                .map(|(a, b)| arrow(a, b))
                .collect();
            if !others.is_empty() {
                lines.push(format!("  and the other arrows between these {} modules:", tangle.len()));
                lines.extend(others);
            }
            let names: Vec<&str> = tangle.iter().map(String::as_str).collect();
            out.push(format!("import cycle {place}: {} ({} modules tangled: {})\n{}", ring.join(" -> "), tangle.len(), names.join(", "), lines.join("\n")));
        }
    }
    out
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

/// A crate of the workspace (`core`, `emulator`, `ext`), beside this one.
fn workspace_crate(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
}

/// Fails with every import cycle of crates/`name`: each crate root (lib.rs, and
/// main.rs as a crate of its own) and each level of its module tree.
fn check_imports(name: &str, min_imports: usize) {
    let src = workspace_crate(name).join("src");
    let read = |rel: &str| std::fs::read_to_string(src.join(rel)).ok();
    let (mut reached, mut imports, mut problems) = (BTreeSet::new(), 0, Vec::new());
    for root in ["lib.rs", "main.rs"].into_iter().filter(|r| src.join(r).exists()) {
        let files = load_tree(&read, root);
        reached.extend(files.iter().map(|f| f.file.clone()));
        let levels = levels(&files);
        imports += levels.edge_count();
        problems.extend(cycle_report(&levels, &format!("crates/{name}/src/{root}")));
    }
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    let stray: Vec<String> = all.iter().map(|p| p.strip_prefix(&src).unwrap_or(p).to_string_lossy().into_owned()).filter(|f| !reached.contains(f)).collect();
    assert!(stray.is_empty(), "crates/{name}/src: no `mod` declaration reaches {stray:?}, so the guard cannot place it in the module tree: declare it or delete it");
    // The tree is really read: a guard that found nothing would pass anything.
    assert!(imports >= min_imports, "crates/{name}/src: only {imports} imports between modules found in {} files", reached.len());
    assert!(
        problems.is_empty(),
        "crates/{name}/src (paths below are under it): {} import cycle(s). Dependencies must point one way, so that each module can be read and tested without the ones that use it. Break each ring at one arrow: move what the lower module takes from the upper one (a type, a helper) down into it or into a new module below both, or pass it in as an argument.\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Fails with every function of crates/`name` (src/ and tests/) over the limit.
fn check_function_lengths(name: &str) {
    let dir = workspace_crate(name);
    let mut files = Vec::new();
    for sub in ["src", "tests"].map(|s| dir.join(s)).into_iter().filter(|d| d.is_dir()) {
        rust_files(&sub, &mut files);
    }
    let mut long = Vec::new();
    for file in &files {
        let code = code_only(&std::fs::read_to_string(file).expect("read source"));
        for (lines, fn_name, line) in long_functions(&code, MAX_FN_LINES) {
            long.push(format!("  {}:{line} fn {fn_name}: {lines} lines", file.strip_prefix(&dir).unwrap_or(file).display()));
        }
    }
    assert!(files.len() >= 5, "found only {} files in crates/{name}", files.len());
    assert!(
        long.is_empty(),
        "crates/{name}: {} function(s) over {MAX_FN_LINES} lines; split each into steps named after what they do (a function should fit on a screen):\n{}",
        long.len(),
        long.join("\n")
    );
}

#[test]
fn core_modules_import_one_way() {
    check_imports("core", 60);
}

#[test]
fn emulator_modules_import_one_way() {
    check_imports("emulator", 40);
}

#[test]
fn ext_modules_import_one_way() {
    check_imports("ext", 6);
}

#[test]
fn core_functions_fit_the_limit() {
    check_function_lengths("core");
}

#[test]
fn emulator_functions_fit_the_limit() {
    check_function_lengths("emulator");
}

#[test]
fn ext_functions_fit_the_limit() {
    check_function_lengths("ext");
}

/// The import levels and cycle report of an in-memory crate: (path under src/, text).
fn synthetic(files: &[(&str, &str)], root: &str) -> (Levels, Vec<String>) {
    let map: BTreeMap<&str, &str> = files.iter().copied().collect();
    let read = |p: &str| map.get(p).map(|s| s.to_string());
    let levels = levels(&load_tree(&read, root));
    let report = cycle_report(&levels, root);
    (levels, report)
}

/// The edges of `levels` as `level: from -> to` (`: a -> b` at the top).
fn edge_list(levels: &Levels) -> Vec<String> {
    levels.why.keys().map(|(level, a, b)| format!("{}: {a} -> {b}", level.join("::"))).collect()
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
    let found = cycles(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("d", "e"), ("e", "d")]));
    assert_eq!(found.len(), 2, "two tangles: {found:?}");
    assert_eq!(found[0].1, ["a", "b", "c", "a"]);
    assert_eq!(found[1].1, ["d", "e", "d"]);
    assert_eq!(found[0].0.len(), 3);
    // The ring is the shortest one through its first module.
    let found = cycles(&graph(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("b", "a")]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, ["a", "b", "a"]);
    assert_eq!(found[0].0.len(), 4, "the whole tangle is named");
    // A diamond shares a module but has no cycle.
    assert!(cycles(&graph(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])).is_empty());
}

#[test]
fn references_are_paths_in_code_only() {
    let lib = "mod error; mod mailer; mod alpha; mod beta; mod zeta; mod eta; mod self_mod;\npub use error::{Error, Result};\npub use mailer::Mailer;";
    let src = r#####"
        //! Uses [`crate::doc_only`] in a doc comment.
        use crate::{alpha, beta::{Gamma, delta::Eps}, self_mod::X};
        use crate::Result;
        /* crate::in_block /* nested */ crate::still_comment */
        fn f() -> crate::zeta::Z { let s = "crate::in_string"; let r = r#"crate::in_raw"#; let c = '{'; crate::eta::call(); }
        fn g<'a>(x: &'a str) -> &'a str { x }
        macro_rules! m { () => { $crate::not_a_use() } }
        mod tests { use super::*; fn h() { my_crate::not_ours(); } }
    "#####;
    let mut files = vec![("lib.rs", lib), ("self_mod.rs", src)];
    files.extend(["error.rs", "mailer.rs", "alpha.rs", "beta.rs", "zeta.rs", "eta.rs"].map(|f| (f, "")));
    let (levels, report) = synthetic(&files, "lib.rs");
    assert_eq!(edge_list(&levels), [": self_mod -> alpha", ": self_mod -> beta", ": self_mod -> error", ": self_mod -> eta", ": self_mod -> zeta"]);
    assert!(report.is_empty(), "{report:?}");
    // Braces in strings and char literals do not count: f's body is one line.
    let code = code_only(src);
    assert!(long_functions(&code, 0).iter().any(|(lines, name, _)| name == "f" && *lines == 1), "{:?}", long_functions(&code, 0));
}

#[test]
fn a_cycle_between_siblings_inside_a_directory_is_found() {
    let (levels, report) = synthetic(
        &[
            ("lib.rs", "mod a;\nmod d;"),
            ("a/mod.rs", "mod b;\nmod c;\npub fn top() {}"),
            ("a/b.rs", "use crate::a::c::C;\nfn f() { crate::d::x(); crate::a::top(); }"),
            ("a/c.rs", "pub struct C;\nfn g() { crate::a::b::f(); }"),
            ("d.rs", "pub fn x() {}"),
        ],
        "lib.rs",
    );
    // b -> c and c -> b inside a; a -> d at the top; b's use of its parent is no edge.
    assert_eq!(edge_list(&levels), [": a -> d", "a: b -> c", "a: c -> b"]);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].starts_with("import cycle inside `a` of lib.rs (between the modules in a/): b -> c -> b (2 modules tangled: b, c)"), "{}", report[0]);
    assert!(report[0].contains("b -> c: a/b.rs:1 uses crate::a::c::C"), "{}", report[0]);
    assert!(report[0].contains("c -> b: a/c.rs:2 uses crate::a::b::f"), "{}", report[0]);
}

#[test]
fn a_tangle_is_reported_with_every_arrow_inside_it() {
    let (_, report) = synthetic(
        &[
            ("lib.rs", "mod a;\nmod b;\nmod c;"),
            ("a.rs", "use crate::b::B;"),
            ("b.rs", "pub struct B;\nfn f() { crate::a::g(); crate::c::h(); }"),
            ("c.rs", "fn h() { crate::b::f(); }"),
        ],
        "lib.rs",
    );
    assert_eq!(report.len(), 1, "one tangle, one paragraph: {report:?}");
    let expected = "import cycle between the top-level modules of lib.rs: a -> b -> a (3 modules tangled: a, b, c)\n    a -> b: a.rs:1 uses crate::b::B\n    b -> a: b.rs:2 uses crate::a::g\n  and the other arrows between these 3 modules:\n    b -> c: b.rs:2 uses crate::c::h\n    c -> b: c.rs:1 uses crate::b::f";
    assert_eq!(report[0], expected);
}

#[test]
fn super_and_self_paths_are_edges() {
    let (levels, report) = synthetic(
        &[
            ("lib.rs", "mod a;\nmod d;"),
            ("a.rs", "mod b;\nmod c;\nuse self::b::B;"),
            ("a/b.rs", "pub struct B;\nuse super::{c::{self, C}};\nfn f() { super::super::d::x(); }"),
            ("a/c.rs", "pub struct C;"),
            ("d.rs", "mod e;\nmod f;\npub fn x() {}"),
            ("d/e.rs", "fn g() { super::f::h(); self::inner::k(); }\nmod inner { pub fn k() { super::super::super::a::b::f(); } }"),
            ("d/f.rs", "pub fn h() {}"),
        ],
        "lib.rs",
    );
    assert_eq!(edge_list(&levels), [": a -> d", ": d -> a", "a: b -> c", "d: e -> f"]);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].starts_with("import cycle between the top-level modules of lib.rs: a -> d -> a"), "{}", report[0]);
    assert!(report[0].contains("a -> d: a/b.rs:3 uses super::super::d::x"), "{}", report[0]);
    assert!(report[0].contains("d -> a: d/e.rs:2 uses super::super::super::a::b::f"), "{}", report[0]);
}

#[test]
fn reexports_count_as_the_module_that_defines_the_name() {
    let (levels, report) = synthetic(
        &[
            ("lib.rs", "mod a;\nmod d;\nmod e;\npub use a::Thing;"),
            ("a/mod.rs", "mod b;\nmod c;\npub use c::Thing;\npub(crate) use self::b::{Other as Renamed};\nuse crate::e::Private;"),
            ("a/b.rs", "pub struct Other;\nuse super::Thing;\nfn f(_: super::Private) {}"),
            ("a/c.rs", "pub struct Thing;\nfn f(_: crate::a::Renamed) {}"),
            ("d.rs", "use crate::{Thing, a::{self}};"),
            ("e.rs", "pub struct Private;"),
        ],
        "lib.rs",
    );
    // crate::Thing is a::c::Thing: d -> a at the top; super::Thing in b is b -> c; the
    // parent's private import that b sees is e's: a -> e at the top.
    assert_eq!(edge_list(&levels), [": a -> e", ": d -> a", "a: b -> c", "a: c -> b"]);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].contains("b -> c: a/b.rs:2 uses super::Thing"), "{}", report[0]);
    assert!(report[0].contains("c -> b: a/c.rs:2 uses crate::a::Renamed"), "{}", report[0]);
}

#[test]
fn inline_tests_path_modules_and_the_crate_name_are_no_cycle() {
    let files = [
        ("lib.rs", "mod a;\nmod b;"),
        ("a.rs", "pub fn run() { crate::b::go(); }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use self::helper::*;\n    mod helper {}\n}"),
        ("b.rs", "pub fn go() {}\n#[cfg(test)]\n#[path = \"../tests/data.rs\"]\nmod data;"),
        ("../tests/data.rs", "fn d() { crate::a::run(); }"),
        ("main.rs", "fn main() { my_crate::a::run(); my_crate::b::go(); }"),
    ];
    let (levels, report) = synthetic(&files, "lib.rs");
    // The module that #[path] names is b's child: its use of a is b -> a.
    assert_eq!(edge_list(&levels), [": a -> b", ": b -> a"]);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].contains("b -> a: ../tests/data.rs:1 uses crate::a::run"), "{}", report[0]);
    let (levels, report) = synthetic(&files, "main.rs");
    assert!(levels.why.is_empty() && report.is_empty(), "main.rs uses the library by its name: {:?}", edge_list(&levels));
}

#[test]
fn a_module_without_a_file_is_an_error() {
    let files = [("lib.rs", "mod a;\nmod missing;"), ("a.rs", "")];
    let err = std::panic::catch_unwind(|| synthetic(&files, "lib.rs")).expect_err("a declared module without a file");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("`mod missing` has no file (missing.rs or missing/mod.rs)"), "{msg}");
}

#[test]
fn the_length_check_measures_bodies() {
    let body: String = (0..70).map(|i| format!("    let x{i} = {i};\n")).collect();
    let src = format!("fn short() {{ 1 }}\nfn long() {{\n{body}}}\ntrait T {{ fn declared(&self); }}\nfn pointer(f: fn(u8) -> u8) -> u8 {{ f(1) }}\n");
    let long = long_functions(&code_only(&src), MAX_FN_LINES);
    assert_eq!(long, vec![(72, "long".to_string(), 2)]);
}
