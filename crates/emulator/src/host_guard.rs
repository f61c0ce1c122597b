//! The guard against DNS rebinding: a web page on `evil.example` whose name the attacker
//! points at 127.0.0.1 could otherwise read every captured mail (through the inbox,
//! Graph or the control API). Its requests carry `Host: evil.example`, so only known
//! names are served: loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`),
//! the address the emulator is bound to (any IP address when it is bound to all of
//! them: an attacker's page can only reach the emulator under a name), the base URL's and
//! upload URLs' hosts, `host.docker.internal` (Docker's name for the host, see
//! docs/emulator.md), and the names given with `--allow-host`. Others get 421 Misdirected Request
//! naming the option that serves them. Every route is guarded, before anything else.

use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::{HeaderMap, StatusCode, Uri};
use hyper::http::request::Parts;
use std::net::IpAddr;

/// The host the request names (`Host`, or the HTTP/2 `:authority`), as sent (with port).
pub fn request_host(parts: &Parts) -> Option<&str> {
    host_of(&parts.uri, &parts.headers)
}

fn host_of<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a str> {
    uri.authority().map(|a| a.as_str()).or_else(|| headers.get(hyper::header::HOST).and_then(|v| v.to_str().ok()))
}

/// Whether the request names a host the emulator serves (no `Host` at all: an HTTP/1.0
/// client, never a browser).
pub fn serves(shared: &Shared, uri: &Uri, headers: &HeaderMap) -> bool {
    host_of(uri, headers).is_none_or(|raw| allowed(shared, &name_of(raw)))
}

/// The refusal when the request names a host the emulator does not serve.
pub fn refuse(shared: &Shared, parts: &Parts) -> Option<Resp> {
    if serves(shared, &parts.uri, &parts.headers) {
        return None;
    }
    let host = name_of(request_host(parts).unwrap_or_default());
    let shown: String = host.chars().filter(|c| !c.is_control()).take(253).collect();
    let message = format!(
        "o365-emulator does not serve the host name `{shown}` (a guard against DNS rebinding: a web page must not read the captured mail through a \
         name of its own). To serve it, start the emulator with `--allow-host {shown}` (repeatable; `allowed_hosts` in a config file), or use \
         localhost or 127.0.0.1"
    );
    Some(http::json(StatusCode::MISDIRECTED_REQUEST, &serde_json::json!({"error": {"code": "EmulatorHostNotAllowed", "message": message}})))
}

/// `Host` without its port, brackets and trailing dot, lowercase.
fn name_of(raw: &str) -> String {
    let raw = raw.trim();
    if raw.parse::<IpAddr>().is_ok() {
        return raw.to_ascii_lowercase();
    }
    let name = match raw.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => match raw.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => raw,
        },
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn allowed(shared: &Shared, host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "host.docker.internal" {
        return true;
    }
    let bind = shared.config.listen.ip();
    if let Ok(ip) = host.parse::<IpAddr>() {
        let loopback = ip.is_loopback() || matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
        return loopback || ip == bind || bind.is_unspecified();
    }
    let base = shared.base_url.split_once("://").map_or("", |(_, rest)| rest);
    let same = |name: &str| name_of(name) == host;
    same(base) || shared.config.upload_host.as_deref().is_some_and(same) || shared.config.allowed_hosts.iter().any(|n| same(n))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_lose_port_brackets_case_and_the_trailing_dot() {
        assert_eq!(super::name_of("Evil.Example.:8365"), "evil.example");
        assert_eq!(super::name_of("[::1]:80"), "::1");
        assert_eq!(super::name_of("127.0.0.1"), "127.0.0.1");
        assert_eq!(super::name_of("::1"), "::1");
    }
}
