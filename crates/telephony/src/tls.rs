//! SIP over TLS (RFC 3261 §26, port 5061): the server side's rustls
//! configuration from PEM files, and a self-signed certificate for the
//! demo (written once, the key readable by its owner only). aws-lc-rs is
//! the crypto provider, passed explicitly so no process-wide default is
//! needed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: no certificate or key in PEM form ({why})")]
    Pem { path: PathBuf, why: String },
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// A TLS acceptor serving the certificate chain and key in these PEM files.
pub fn acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, TlsError> {
    let pem = |path: &Path, why: String| TlsError::Pem { path: path.to_owned(), why };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(pem(cert, "no CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// The demo's certificate and key in `dir` (`sip-cert.pem`, `sip-key.pem`),
/// made self-signed for `names` (host names or IP addresses) unless both
/// files exist already.
pub fn self_signed(dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf), TlsError> {
    let cert_path = dir.join("sip-cert.pem");
    let key_path = dir.join("sip-key.pem");
    if cert_path.exists() && key_path.exists() {
        return Ok((cert_path, key_path));
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| TlsError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let made = rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| TlsError::Config(e.to_string()))?;
    write_private(&key_path, made.signing_key.serialize_pem().as_bytes()).map_err(io(&key_path))?;
    std::fs::write(&cert_path, made.cert.pem()).map_err(io(&cert_path))?;
    Ok((cert_path, key_path))
}

/// Writes a file only its owner may read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_once_and_serves() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed(dir.path(), &["localhost".into(), "127.0.0.1".into()]).unwrap();
        let first = std::fs::read(&cert).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(acceptor(&cert, &key).is_ok());
        // Again: the same files.
        self_signed(dir.path(), &["localhost".into()]).unwrap();
        assert_eq!(std::fs::read(&cert).unwrap(), first);
        // Files that are not PEM are named in the error.
        std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
        let Err(e) = acceptor(&dir.path().join("junk.pem"), &key) else { panic!("junk accepted as a certificate") };
        let e = e.to_string();
        assert!(e.contains("junk.pem"), "{e}");
    }
}
