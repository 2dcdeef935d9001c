//! SIP digest credentials of agent extensions: only HA1 values are stored
//! (`H(extension:realm:password)` with MD5 and with SHA-256, RFC 8760), so a
//! database leak does not reveal passwords, and both algorithms can be
//! offered in challenges.

use std::collections::HashMap;

use hotline_sip::auth::Algorithm;
use hotline_store::{SipCredential, TenantStore};

/// The credentials of every extension of one realm, in memory: the SIP
/// task checks digests against these and never waits on the database.
/// Filled at start, replaced by the periodic reload, updated at once when
/// the API changes a password.
#[derive(Debug, Default)]
pub struct CredentialCache {
    realm: String,
    by_extension: HashMap<String, SipCredential>,
}

impl CredentialCache {
    pub fn new(realm: &str) -> CredentialCache {
        CredentialCache { realm: realm.to_owned(), by_extension: HashMap::new() }
    }

    /// Replaces everything with `rows` (other realms' rows are ignored).
    pub fn replace_all(&mut self, rows: Vec<SipCredential>) {
        self.by_extension = rows.into_iter().filter(|c| c.realm == self.realm).map(|c| (c.extension.clone(), c)).collect();
    }

    /// One extension's new credentials.
    pub fn set(&mut self, c: SipCredential) {
        if c.realm == self.realm {
            self.by_extension.insert(c.extension.clone(), c);
        } else {
            self.by_extension.remove(&c.extension);
        }
    }

    /// The stored HA1 of `extension` for `algorithm`.
    pub fn ha1(&self, extension: &str, algorithm: Algorithm) -> Option<String> {
        let c = self.by_extension.get(extension)?;
        Some(match algorithm {
            Algorithm::Md5 => c.ha1_md5.clone(),
            Algorithm::Sha256 => c.ha1_sha256.clone(),
        })
    }

    pub fn len(&self) -> usize {
        self.by_extension.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_extension.is_empty()
    }
}

/// `hex(MD5(user:realm:password))`.
pub fn ha1_md5(user: &str, realm: &str, password: &str) -> String {
    Algorithm::Md5.hash(&format!("{user}:{realm}:{password}"))
}

/// `hex(SHA-256(user:realm:password))`.
pub fn ha1_sha256(user: &str, realm: &str, password: &str) -> String {
    Algorithm::Sha256.hash(&format!("{user}:{realm}:{password}"))
}

/// The credential row for `extension` with `password` in `realm`.
pub fn credential(extension: &str, realm: &str, password: &str, now_ms: i64) -> SipCredential {
    SipCredential {
        extension: extension.to_owned(),
        realm: realm.to_owned(),
        ha1_md5: ha1_md5(extension, realm, password),
        ha1_sha256: ha1_sha256(extension, realm, password),
        updated_at: now_ms,
    }
}

/// Gives every extension in `extensions` the password `password`, unless it
/// already has credentials for `realm` (so a changed password survives a
/// restart with `--demo`). Returns how many were created.
pub async fn seed(
    store: &TenantStore,
    extensions: &[String],
    realm: &str,
    password: &str,
    now_ms: i64,
) -> Result<usize, hotline_store::StoreError> {
    let mut created = 0;
    for ext in extensions {
        if store.sip_credential(ext).await?.is_some_and(|c| c.realm == realm) {
            continue;
        }
        store.set_sip_credential(&credential(ext, realm, password, now_ms)).await?;
        created += 1;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ha1_values() {
        // RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life.
        assert_eq!(ha1_md5("Mufasa", "testrealm@host.com", "Circle Of Life"), "939e7578ed9e3c518a452acee763bce9");
        // RFC 7616 section 3.9.1: Mufasa / http-auth@example.org / Circle of Life.
        assert_eq!(
            ha1_sha256("Mufasa", "http-auth@example.org", "Circle of Life"),
            "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232"
        );
    }
}
