//! Server-side certificates: the provider's gateway certificate. Everything both sides
//! share (generation, PEM, the structural checks) lives in [`dcloud_client::tenant::certs`]
//! and is re-exported here.

pub use dcloud_client::tenant::certs::*;
use dcloud_types::AccAddress;

/// The provider's server certificate: fresh P-256 key, CN = `provider`, SAN = the host of
/// `host_uri` (e.g. `https://provider.example.com:8443` → `provider.example.com`), ServerAuth
/// and ClientAuth usages, valid for one year. Publish it with [`GeneratedCert::publish_msg`]
/// so tenants can pin it.
pub fn generate_server_cert(
    provider: &AccAddress,
    host_uri: &str,
) -> Result<GeneratedCert, CertError> {
    let host = host_of_uri(host_uri)?;
    generate(&provider.to_string(), &CertOptions { sans: vec![host], ..CertOptions::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn addr() -> AccAddress {
        dcloud_crypto::secp256k1::SigningKey::random().public_key().address()
    }

    #[test]
    fn server_cert_has_the_host_as_san_and_is_publishable() {
        let provider = addr();
        let g = generate_server_cert(&provider, "https://127.0.0.1:8443").unwrap();
        dcloud_chain::cert::verify_certificate(
            &provider,
            g.cert_pem.as_bytes(),
            g.pubkey_pem.as_bytes(),
        )
        .unwrap();
        let der = cert_pem_to_der(&g.cert_pem).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let san = cert.subject_alternative_name().unwrap().unwrap();
        assert_eq!(san.value.general_names.len(), 1);
        assert!(matches!(
            san.value.general_names[0],
            x509_parser::extensions::GeneralName::IPAddress(&[127, 0, 0, 1])
        ));
        let g = generate_server_cert(&provider, "https://provider.example.com:8443").unwrap();
        let der = cert_pem_to_der(&g.cert_pem).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let san = cert.subject_alternative_name().unwrap().unwrap();
        assert!(matches!(
            san.value.general_names[0],
            x509_parser::extensions::GeneralName::DNSName("provider.example.com")
        ));
        assert!(generate_server_cert(&provider, "no host here").is_err());
    }
}
