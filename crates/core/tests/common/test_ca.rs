//! A throwaway certificate authority and a server certificate for 127.0.0.1 / localhost
//! signed by it: for the test servers that speak TLS (the hostile server, redis-server).

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};

/// A fresh CA and a loopback server certificate it signed.
pub struct LoopbackCert {
    /// The CA's certificate, PEM (what the client trusts: `ca_file`).
    pub ca_pem: String,
    /// The CA's certificate, DER (for a server chain).
    pub ca_der: rustls::pki_types::CertificateDer<'static>,
    /// The server's certificate, PEM and DER.
    pub cert_pem: String,
    pub cert_der: rustls::pki_types::CertificateDer<'static>,
    /// The server's private key, PEM and PKCS#8 DER.
    pub key_pem: String,
    pub key_der: Vec<u8>,
}

/// Makes a new CA and a server certificate for 127.0.0.1 and localhost.
pub fn loopback() -> LoopbackCert {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("CA");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).expect("params");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &ca).expect("cert");
    LoopbackCert {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        cert_pem: cert.pem(),
        cert_der: cert.der().clone(),
        key_pem: key.serialize_pem(),
        key_der: key.serialize_der(),
    }
}
