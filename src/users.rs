//! Website access: who may log in, with which role, buying for which ERP customer.
//!
//! This is the only data erpfront keeps locally, read from a small TOML file at start.
//! Passwords are argon2 hashes; API tokens are stored as SHA-256 hashes, which is enough for
//! long random tokens and keeps the per-request check in microseconds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use arc_swap::ArcSwap;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::CustomerId;
use crate::punchout::{Identities, Identity, PUNCHOUT_LOGIN_PREFIX};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Buys for one ERP customer.
    Buyer,
    /// Customer service: finds orders and acts for customers.
    Service,
}

/// One entry of the users file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login, usually an e-mail address.
    pub login: String,
    /// The name shown on pages.
    pub name: String,
    /// Argon2 PHC string (`erpfront hash-password`).
    pub password_hash: String,
    /// Buyer or service rep.
    pub role: Role,
    /// The ERP customer a buyer buys for.
    #[serde(default)]
    pub customer: Option<CustomerId>,
    /// For a service rep: the only customers they may act for (all when absent).
    #[serde(default)]
    pub customers: Option<Vec<CustomerId>>,
    /// SHA-256 (hex) of each API token the user may call the JSON API with (`erpfront hash-token`).
    #[serde(default)]
    pub api_token_sha256: Vec<String>,
}

impl User {
    /// Whether this service rep may act for and look into `customer`: every customer unless the
    /// users file limits the rep to a list. Buyers serve nobody.
    pub fn may_serve(&self, customer: &CustomerId) -> bool {
        self.role == Role::Service
            && self
                .customers
                .as_ref()
                .is_none_or(|list| list.contains(customer))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    users: Vec<User>,
    /// Buying organisations whose procurement systems punch out to the shop.
    #[serde(default)]
    punchout: Vec<Identity>,
}

/// Why the users file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The file could not be read.
    #[error("users file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("users file: {0}")]
    Parse(String),
    /// An entry is inconsistent.
    #[error("users file, user {login}: {problem}")]
    Invalid {
        /// Which user.
        login: String,
        /// What is wrong.
        problem: String,
    },
}

/// The loaded users, indexed by login and by API token hash.
#[derive(Debug, Default)]
pub struct Users {
    by_login: HashMap<String, Arc<User>>,
    by_token: HashMap<[u8; 32], Arc<User>>,
    /// Tokens already checked against their hash, so a buyer's script pays for SHA-256 once
    /// rather than on every call. Only valid tokens go in: it never outgrows `by_token`.
    verified: RwLock<HashMap<Box<str>, Arc<User>>>,
    /// Punchout identities, and the buyer each shops as (by login `punchout:<id>`).
    punchout: Identities,
    punchout_buyers: HashMap<String, Arc<User>>,
}

impl Users {
    /// Reads and checks a users file.
    pub fn load(path: &Path) -> Result<Self, UsersError> {
        let text = std::fs::read_to_string(path).map_err(|source| UsersError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses and checks the text of a users file.
    pub fn parse(text: &str) -> Result<Self, UsersError> {
        let file: UsersFile = toml::from_str(text).map_err(|e| UsersError::Parse(e.to_string()))?;
        let mut users = Users {
            punchout: Identities::new(file.punchout)
                .map_err(|e| UsersError::Parse(e.to_string()))?,
            ..Users::default()
        };
        for identity in users.punchout.iter() {
            let buyer = User {
                login: identity.login(),
                name: identity.system.clone(),
                password_hash: String::new(),
                role: Role::Buyer,
                customer: Some(identity.customer.clone()),
                customers: None,
                api_token_sha256: Vec::new(),
            };
            users
                .punchout_buyers
                .insert(buyer.login.clone(), Arc::new(buyer));
        }
        for user in file.users {
            let login = user.login.clone();
            let invalid = |problem: &str| UsersError::Invalid {
                login: login.clone(),
                problem: problem.to_string(),
            };
            if argon2::password_hash::phc::PasswordHash::new(&user.password_hash).is_err() {
                return Err(invalid("password_hash is not an argon2 PHC string"));
            }
            if user.login.to_lowercase().starts_with(PUNCHOUT_LOGIN_PREFIX) {
                return Err(invalid("logins starting with \"punchout:\" are reserved"));
            }
            if user.role == Role::Buyer && user.customer.is_none() {
                return Err(invalid("a buyer needs a customer"));
            }
            let user = Arc::new(user);
            for hex_hash in &user.api_token_sha256 {
                let hash: [u8; 32] = hex::decode(hex_hash)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| invalid("api_token_sha256 must be 64 hex digits"))?;
                if users.by_token.insert(hash, user.clone()).is_some() {
                    return Err(invalid("an API token is listed twice"));
                }
            }
            let key = user.login.to_lowercase();
            if users.by_login.insert(key, user.clone()).is_some() {
                return Err(invalid("the login is listed twice"));
            }
        }
        Ok(users)
    }

    /// The user with this login (case-insensitive), or the buyer a punchout session shops as.
    pub fn get(&self, login: &str) -> Option<Arc<User>> {
        self.by_login
            .get(&login.to_lowercase())
            .or_else(|| self.punchout_buyers.get(login))
            .cloned()
    }

    /// How many users and punchout identities there are.
    pub fn counts(&self) -> UserCounts {
        UserCounts {
            users: self.by_login.len(),
            punchout: self.punchout.iter().count(),
        }
    }

    /// The punchout identities.
    pub fn punchout(&self) -> &Identities {
        &self.punchout
    }

    /// Checks a login and password. Runs argon2, so call it off the async threads. Punchout
    /// buyers have no password: they come in only through their procurement system.
    pub fn authenticate(&self, login: &str, password: &str) -> Option<Arc<User>> {
        match self.by_login.get(&login.to_lowercase()).cloned() {
            Some(user) => verify_password(password, &user.password_hash).then_some(user),
            None => {
                // Spend the same time for unknown logins, so timing does not reveal which exist.
                verify_password(password, DUMMY_HASH);
                None
            }
        }
    }

    /// The user an API token belongs to.
    pub fn by_api_token(&self, token: &str) -> Option<Arc<User>> {
        let verified = |v: &HashMap<Box<str>, Arc<User>>| v.get(token).cloned();
        if let Some(user) = self.verified.read().ok().and_then(|v| verified(&v)) {
            return Some(user);
        }
        let user = self.by_token.get(&token_hash(token)).cloned()?;
        if let Ok(mut v) = self.verified.write() {
            v.insert(token.into(), user.clone());
        }
        Some(user)
    }
}

/// The users in force. A reload replaces them whole: requests under way keep the set they
/// started with, and a file that fails its checks never replaces a good one.
#[derive(Debug)]
pub struct LiveUsers(ArcSwap<Users>);

impl LiveUsers {
    /// Starts with `users`.
    pub fn new(users: Users) -> Self {
        Self(ArcSwap::from_pointee(users))
    }

    /// The users in force now.
    pub fn current(&self) -> Arc<Users> {
        self.0.load_full()
    }

    /// The user with this login, in the users in force (see [`Users::get`]).
    pub fn get(&self, login: &str) -> Option<Arc<User>> {
        self.0.load().get(login)
    }

    /// The user an API token belongs to, in the users in force.
    pub fn by_api_token(&self, token: &str) -> Option<Arc<User>> {
        self.0.load().by_api_token(token)
    }

    /// Puts `users` in force (checked already, as [`Users::parse`] does) in place of the old
    /// ones; requests under way keep the set they started with.
    pub fn replace(&self, users: Users) -> UserCounts {
        let counts = users.counts();
        self.0.store(Arc::new(users));
        counts
    }
}

/// How many users and punchout identities a file holds, for log lines and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserCounts {
    /// Users with a login.
    pub users: usize,
    /// Punchout identities.
    pub punchout: usize,
}

/// A valid hash of a random password, verified against for unknown logins.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W8V5P+OfZPRWQ2kWmn7sM0s+cVXjhSeH4G1qJ9K7F2k";

/// Whether `password` is the one `hash` was made from.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// An argon2id PHC string for a password, for the users file.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// The SHA-256 of an API token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(hash: &str) -> String {
        format!(
            r#"
            [[users]]
            login = "Anna@example.com"
            name = "Anna"
            password_hash = "{hash}"
            role = "buyer"
            customer = "C-1"
            api_token_sha256 = ["{}"]
            "#,
            hex::encode(token_hash("secret-token"))
        )
    }

    #[test]
    fn passwords_and_tokens_are_checked() {
        let users = Users::parse(&file(&hash_password("pw"))).unwrap();
        assert!(users.authenticate("anna@example.com", "pw").is_some());
        assert!(users.authenticate("anna@example.com", "wrong").is_none());
        assert!(users.authenticate("nobody@example.com", "pw").is_none());
        assert_eq!(users.by_api_token("secret-token").unwrap().name, "Anna");
        // Again, now from the verified tokens.
        assert_eq!(users.by_api_token("secret-token").unwrap().name, "Anna");
        assert!(users.by_api_token("other").is_none());
    }

    #[test]
    fn bad_entries_are_refused_with_the_login() {
        let err = Users::parse(&file("plain-text")).unwrap_err().to_string();
        assert!(
            err.contains("Anna@example.com") && err.contains("argon2"),
            "{err}"
        );
        let no_customer = file(&hash_password("pw")).replace("customer = \"C-1\"", "");
        assert!(
            Users::parse(&no_customer)
                .unwrap_err()
                .to_string()
                .contains("customer")
        );
    }
}
