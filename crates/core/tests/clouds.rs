//! Clouds: each preset has its login host, Graph host and token scope; explicit
//! endpoints override the hosts but keep the cloud's scope (a token is only valid for
//! its cloud's Graph).

mod common;

use common::*;
use o365_core::{Cloud, Config};

fn config(extra: &[(&str, &str)]) -> Result<Config, o365_core::Error> {
    let mut p = vec![("tenant_id", s(TENANT)), ("client_id", s("app")), ("client_secret", s("secret"))];
    p.extend(extra.iter().map(|(k, v)| (*k, s(v))));
    Config::from_pairs(p)
}

#[test]
fn presets_have_their_hosts_and_scope() {
    let cases = [
        ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        ("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
        ("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
        ("china", "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn"),
    ];
    for (name, login, graph) in cases {
        let c = config(&[("cloud", name)]).unwrap();
        assert_eq!(c.cloud.name(), name);
        assert_eq!(c.login_endpoint, login);
        assert_eq!(c.graph_endpoint, graph);
        assert_eq!(c.scope(), format!("{graph}/.default"));
        assert_eq!(c.token_url(), format!("{login}/{TENANT}/oauth2/v2.0/token"));
    }
    assert_eq!(config(&[]).unwrap().cloud, Cloud::Global);
}

#[test]
fn endpoint_overrides_keep_the_clouds_scope() {
    let c = config(&[("cloud", "usgov"), ("graph_endpoint", "http://127.0.0.1:9/"), ("login_endpoint", "http://127.0.0.1:9")]).unwrap();
    assert_eq!(c.graph_endpoint, "http://127.0.0.1:9");
    assert_eq!(c.scope(), "https://graph.microsoft.us/.default");
}

#[test]
fn bad_cloud_or_endpoint_names_the_key() {
    for (key, value) in [("cloud", "mars"), ("graph_endpoint", "https://graph.microsoft.com/v1.0"), ("login_endpoint", "ftp://x")] {
        let e = config(&[(key, value)]).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some(key), "{e}");
    }
}

#[test]
fn a_national_cloud_token_is_refused_by_the_global_graph_and_names_cloud() {
    // The emulator's Graph stands in for graph.microsoft.com: like Graph, it answers 401 to a
    // token whose `aud` is another cloud's Graph, so a wrong `cloud` shows at the first send.
    let emu = start_default();
    let mut scopes = Vec::new();
    for cloud in ["usgov", "usgov-dod", "china"] {
        let mailer = emu.mailer_with(&[("cloud", s(cloud))]);
        let d = mailer.diagnose().expect("Entra issues a token for the cloud's scope");
        assert_eq!(d.cloud, cloud);
        let e = emu.send(&mailer, cloud).expect_err("another cloud's token is refused");
        assert_eq!(e.kind, o365_core::ErrorKind::GraphClient, "{e}");
        assert_eq!((e.status, e.code.as_deref()), (Some(401), Some("InvalidAuthenticationToken")), "{e}");
        assert!(e.hint.as_deref().unwrap_or("").contains("`cloud`"), "the hint names the key to fix: {e:?}");
        scopes.push(mailer.config().scope());
    }
    assert!(emu.messages().is_empty());
    // Each cloud's scope was asked for twice: the token diagnose cached, and a fresh one
    // after Graph's 401, which Graph refused again.
    let asked: Vec<_> = emu.requests_to("/oauth2/v2.0/token").iter().map(|r| r["scope"].as_str().unwrap_or("").to_string()).collect();
    let twice: Vec<_> = scopes.iter().flat_map(|s| [s.clone(), s.clone()]).collect();
    assert_eq!(asked, twice);
    assert_eq!(scopes, ["https://graph.microsoft.us/.default", "https://dod-graph.microsoft.us/.default", "https://microsoftgraph.chinacloudapi.cn/.default"]);
}
