//! `--tls`: a CA generated for this run signs a server certificate for localhost,
//! 127.0.0.1 and ::1 (plus the listen address). Clients trust the CA (written to
//! `--ca-out`, or `Emulator::ca_pem()`), so HTTPS is tested with verification on.
//! Both HTTP/2 and HTTP/1.1 are offered over ALPN, like Graph. Each CA has a name of its
//! own (a random suffix): verifiers look issuers up by name, so two emulators' CAs with
//! one name in one bundle would fail each other's chains ("certificate signature failure").

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::net::IpAddr;
use std::sync::Arc;

/// The generated TLS material.
pub struct Tls {
    pub ca_pem: String,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

fn err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("TLS setup: {e}"))
}

/// Generates the CA and the server certificate.
pub fn generate(listen_ip: IpAddr) -> std::io::Result<Tls> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    let mut suffix = [0u8; 6];
    aws_lc_rs::rand::fill(&mut suffix).map_err(err)?;
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    ca_params.distinguished_name.push(DnType::CommonName, format!("o365-emulator test CA {suffix}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;

    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if !listen_ip.is_unspecified() && !names.contains(&listen_ip.to_string()) {
        names.push(listen_ip.to_string());
    }
    let mut params = CertificateParams::new(names).map_err(err)?;
    params.distinguished_name.push(DnType::CommonName, "o365-emulator");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, &ca).map_err(err)?;

    let chain = vec![cert.der().clone(), ca.der().clone()];
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls { ca_pem: ca.pem(), acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)) })
}
