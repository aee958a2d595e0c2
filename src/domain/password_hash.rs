//! Password hashing with argon2id. New hashes use at least the OWASP
//! minimum (19 MiB, 2 iterations, 1 lane); a stored hash made with weaker
//! parameters is reported so the caller re-hashes it at the next sign-in.
//!
//! Each hash needs 19 MiB of working memory. The `*_in` functions take it
//! from the caller ([`Memory`]), so a server can keep a fixed number of
//! them and reuse them (see `web::passwords`): memory then stays bounded
//! however many people sign in at once.

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;
const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;

fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(OUTPUT_LEN)).expect("valid argon2 parameters")
}

/// The working memory of one hash (19 MiB), reusable from hash to hash.
pub struct Memory(Vec<Block>);

impl Memory {
    pub fn new() -> Memory {
        Memory(vec![Block::default(); MEMORY_KIB as usize])
    }
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new()
    }
}

/// A PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$…`, computed in `memory`.
pub fn hash_in(password: &str, memory: &mut Memory) -> Result<String, String> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| format!("no system randomness: {e}"))?;
    let params = params();
    let mut out = [0u8; OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut memory.0[..])
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored hash, with the hash's own
/// parameters, computing in `memory` (or, for a hash made with more memory
/// than today's, in a buffer of its own).
pub fn verify_in(password: &str, stored: &str, memory: &mut Memory) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm.as_str()) else { return false };
    let version = match phc.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&phc) else { return false };
    let blocks = params.block_count();
    let mut own;
    let work: &mut [Block] = if blocks <= memory.0.len() {
        &mut memory.0[..blocks]
    } else {
        own = vec![Block::default(); blocks];
        &mut own[..]
    };
    let mut out = vec![0u8; expected.as_bytes().len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, work).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|computed| &computed == expected)
}

/// A hash that can never match, to spend the same time on an unknown
/// account as on a known one.
pub fn dummy_verify_in(password: &str, memory: &mut Memory) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored =
        DUMMY.get_or_init(|| hash_in("not a real password", memory).unwrap_or_default()).clone();
    let _ = verify_in(password, &stored, memory);
}

/// [`hash_in`] with memory of its own (the command line, tests).
pub fn hash(password: &str) -> Result<String, String> {
    hash_in(password, &mut Memory::new())
}

/// [`verify_in`] with memory of its own.
pub fn verify(password: &str, stored: &str) -> bool {
    verify_in(password, stored, &mut Memory::new())
}

/// True when the stored hash is not argon2id or uses weaker parameters
/// than today's, and should be replaced after a successful sign-in.
pub fn needs_rehash(stored: &str) -> bool {
    let mut parts = stored.split('$').skip(1);
    if parts.next() != Some("argon2id") {
        return true;
    }
    let params = parts.find(|p| p.starts_with("m=")).unwrap_or("");
    let get = |name: &str| -> u32 {
        params
            .split(',')
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    get("m") < MEMORY_KIB || get("t") < ITERATIONS || get("p") < LANES
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    #[test]
    fn hashes_with_the_required_parameters_and_verifies() {
        let mut memory = Memory::new();
        let h = hash_in("correct horse", &mut memory).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_in("correct horse", &h, &mut memory));
        assert!(!verify_in("wrong horse", &h, &mut memory));
        assert!(!needs_rehash(&h));
        // Another hash of the same password: another salt, reusing memory.
        let again = hash_in("correct horse", &mut memory).unwrap();
        assert_ne!(h, again);
        assert!(verify_in("correct horse", &again, &mut memory));
        // The crate's own verifier agrees (the PHC string is standard).
        use argon2::PasswordVerifier;
        assert!(Argon2::default().verify_password(b"correct horse", h.as_str()).is_ok());
        assert!(!verify_in("x", "garbage", &mut memory));
    }

    #[test]
    fn weaker_and_stronger_hashes_still_verify() {
        let with = |m: u32, t: u32, alg: Algorithm| {
            Argon2::new(alg, Version::V0x13, Params::new(m, t, 1, None).unwrap())
                .hash_password(b"pw")
                .unwrap()
                .to_string()
        };
        let mut memory = Memory::new();
        let weak = with(4096, 1, Algorithm::Argon2id);
        assert!(verify_in("pw", &weak, &mut memory), "old hashes still verify");
        assert!(!verify_in("pw2", &weak, &mut memory));
        assert!(needs_rehash(&weak));
        let strong = with(MEMORY_KIB + 1024, 2, Algorithm::Argon2id);
        assert!(verify_in("pw", &strong, &mut memory), "more memory than ours");
        assert!(!needs_rehash(&strong));
        let argon2i = with(MEMORY_KIB, 2, Algorithm::Argon2i);
        assert!(verify_in("pw", &argon2i, &mut memory));
        assert!(needs_rehash(&argon2i));
        assert!(needs_rehash("garbage"));
    }
}
