//! The Ed25519 keys behind access tokens.
//!
//! One private key signs; its public key and any number of older public keys
//! verify, so keys can be rotated without logging everyone out: configure the
//! new private key and list the previous public key until the last token it
//! signed has expired (15 minutes by default). Each key's `kid` is its RFC
//! 7638 JWK thumbprint. The public keys are served as a JWKS.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Where the signing key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// A PKCS#8 PEM private key given inline (`TIERLINK_JWT_PRIVATE_KEY`).
    Pem(String),
    /// A PKCS#8 PEM file (`TIERLINK_JWT_PRIVATE_KEY_FILE`).
    File(PathBuf),
    /// Nothing configured: use the key kept in this directory, making one on
    /// first start.
    Generated { dir: PathBuf },
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pem(_) => f.write_str("KeySource::Pem(***)"),
            Self::File(path) => write!(f, "KeySource::File({})", path.display()),
            Self::Generated { dir } => write!(f, "KeySource::Generated({})", dir.display()),
        }
    }
}

/// The file name of a generated key inside the data directory.
pub const GENERATED_KEY_FILE: &str = "jwt-signing-key.pem";

struct PublicKey {
    kid: String,
    x: String,
    decoding: DecodingKey,
}

/// The signing key and every verification key.
pub struct KeyRing {
    signing_kid: String,
    encoding: EncodingKey,
    public: Vec<PublicKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.public.iter().map(|key| key.kid.as_str()).collect();
        f.debug_struct("KeyRing")
            .field("signing_kid", &self.signing_kid)
            .field("verification_kids", &kids)
            .finish_non_exhaustive()
    }
}

/// A JSON Web Key Set (RFC 7517) of Ed25519 public keys.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
    "kid": "Rk1b2sG2TqEoTg7k5w5bUqkqLbQ1l3eYbq0m0N5yH2s", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}))]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// One public key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub key_use: &'static str,
    pub kid: String,
    pub x: String,
}

impl KeyRing {
    /// Loads the signing key from `source` and the extra verification keys
    /// from `previous_public_pem` (zero or more PEM public keys, concatenated).
    pub fn load(source: &KeySource, previous_public_pem: Option<&str>) -> Result<Self, String> {
        let private_pem = match source {
            KeySource::Pem(pem) => pem.clone(),
            KeySource::File(path) => std::fs::read_to_string(path).map_err(|error| {
                format!(
                    "cannot read the JWT private key {}: {error}",
                    path.display()
                )
            })?,
            KeySource::Generated { dir } => load_or_generate(dir)?,
        };
        Self::from_pem(&private_pem, previous_public_pem.unwrap_or_default())
    }

    pub fn from_pem(private_pem: &str, previous_public_pem: &str) -> Result<Self, String> {
        // Whatever uses these keys signs and verifies through it.
        super::jwt_crypto::install();
        let signing = SigningKey::from_pkcs8_pem(private_pem.trim())
            .map_err(|_| "the JWT private key is not a PKCS#8 PEM Ed25519 key".to_owned())?;
        let der = signing
            .to_pkcs8_der()
            .map_err(|_| "the JWT private key cannot be encoded".to_owned())?;
        let mut public = vec![public_key(&signing.verifying_key())?];
        for block in previous_public_pem.split("-----END PUBLIC KEY-----") {
            let block = block.trim();
            if block.is_empty() {
                continue;
            }
            let pem = format!("{block}\n-----END PUBLIC KEY-----\n");
            let key = VerifyingKey::from_public_key_pem(&pem).map_err(|_| {
                "a previous JWT public key is not a PEM Ed25519 public key".to_owned()
            })?;
            let key = public_key(&key)?;
            if !public.iter().any(|known| known.kid == key.kid) {
                public.push(key);
            }
        }
        Ok(Self {
            signing_kid: public[0].kid.clone(),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public,
        })
    }

    /// A new private key, as PKCS#8 PEM.
    pub fn generate_pem() -> Result<String, String> {
        let mut seed = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        SigningKey::from_bytes(&seed)
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|_| "cannot encode a new JWT key".to_owned())
    }

    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The verification key with this `kid`, if it is one of ours.
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.public
            .iter()
            .find(|key| key.kid == kid)
            .map(|key| &key.decoding)
    }

    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .public
                .iter()
                .map(|key| Jwk {
                    kty: "OKP",
                    crv: "Ed25519",
                    alg: "EdDSA",
                    key_use: "sig",
                    kid: key.kid.clone(),
                    x: key.x.clone(),
                })
                .collect(),
        }
    }
}

fn public_key(key: &VerifyingKey) -> Result<PublicKey, String> {
    let x = URL_SAFE_NO_PAD.encode(key.to_bytes());
    // RFC 7638: the thumbprint of the required members, in lexicographic order.
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    let decoding = DecodingKey::from_ed_components(&x)
        .map_err(|error| format!("unusable public key: {error}"))?;
    Ok(PublicKey { kid, x, decoding })
}

fn load_or_generate(dir: &Path) -> Result<String, String> {
    let path = dir.join(GENERATED_KEY_FILE);
    match std::fs::read_to_string(&path) {
        // An empty file signed nothing (it may be left by an older version
        // that died writing it): generate over it.
        Ok(pem) if !pem.trim().is_empty() => {
            KeyRing::from_pem(&pem, "").map_err(|error| {
                format!(
                    "{error}: {} (delete it to have a new key generated, or configure \
                     TIERLINK_JWT_PRIVATE_KEY_FILE)",
                    path.display()
                )
            })?;
            return Ok(pem);
        }
        Ok(_) => std::fs::remove_file(&path).map_err(|error| {
            format!(
                "cannot replace the empty JWT key {}: {error}",
                path.display()
            )
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(format!(
                "cannot read the JWT key {}: {error}",
                path.display()
            ));
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let pem = KeyRing::generate_pem()?;
    write_atomically(&path, &pem)
        .map_err(|error| format!("cannot write the JWT key {}: {error}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "no JWT signing key configured: generated one and kept it in the data directory; \
         configure TIERLINK_JWT_PRIVATE_KEY_FILE in production (and the same key on every replica)"
    );
    // Another process starting at the same moment may have written its key
    // first: everyone uses whatever is there now.
    std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read the JWT key {}: {error}", path.display()))
}

/// Writes `pem` to `path` whole or not at all, unless `path` exists: a
/// private temporary file in the same directory (mode 0600), flushed to
/// disk, then linked into place. A crash leaves no half-written key.
fn write_atomically(path: &Path, pem: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".jwt-signing-key")
        .tempfile_in(dir)?;
    file.write_all(pem.as_bytes())?;
    file.as_file().sync_all()?;
    match file.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error.error),
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::pkcs8::EncodePublicKey;

    use super::*;

    #[test]
    fn a_generated_key_is_kept_and_an_empty_one_is_replaced() {
        let dir = tempfile::tempdir().expect("a directory");
        let source = KeySource::Generated {
            dir: dir.path().to_owned(),
        };
        let path = dir.path().join(GENERATED_KEY_FILE);
        // What a start that died while writing the key used to leave.
        std::fs::write(&path, "").expect("an empty file");
        let first = KeyRing::load(&source, None).expect("a key is generated over it");
        assert!(
            !std::fs::read_to_string(&path)
                .expect("kept")
                .trim()
                .is_empty()
        );
        let again = KeyRing::load(&source, None).expect("the same key loads");
        assert_eq!(first.signing_kid(), again.signing_kid());
        let strays = std::fs::read_dir(dir.path()).expect("listed").count();
        assert_eq!(strays, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_broken_generated_key_is_named_by_its_path() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join(GENERATED_KEY_FILE);
        std::fs::write(&path, "not a key").expect("a broken file");
        let error = KeyRing::load(
            &KeySource::Generated {
                dir: dir.path().to_owned(),
            },
            None,
        )
        .err()
        .unwrap_or_default();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(!error.contains("not a key"), "no key material in: {error}");
    }

    #[test]
    fn a_generated_key_loads_and_publishes_its_public_half() {
        let pem = KeyRing::generate_pem().expect("a key");
        let ring = KeyRing::from_pem(&pem, "").expect("loads");
        let jwks = ring.jwks();
        assert_eq!(jwks.keys.len(), 1);
        assert_eq!(jwks.keys[0].kid, ring.signing_kid());
        assert_eq!(jwks.keys[0].x.len(), 43);
        assert!(!format!("{ring:?}").contains("PRIVATE"));
    }

    #[test]
    fn previous_public_keys_verify_too() {
        let old =
            SigningKey::from_pkcs8_pem(&KeyRing::generate_pem().expect("a key")).expect("parses");
        let old_public = old
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        let ring = KeyRing::from_pem(&KeyRing::generate_pem().expect("a key"), &old_public)
            .expect("loads");
        assert_eq!(ring.jwks().keys.len(), 2);
    }

    #[test]
    fn garbage_is_refused_with_a_message_that_shows_no_key() {
        let error = KeyRing::from_pem(
            "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
            "",
        )
        .err();
        assert_eq!(
            error.as_deref(),
            Some("the JWT private key is not a PKCS#8 PEM Ed25519 key")
        );
    }
}
