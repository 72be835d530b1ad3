//! The JSON-RPC client: the request envelope, the session (a login, and one new login when
//! Tryton answers 401), the company context every model call carries, and a count of the
//! requests sent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine;
use reqwest::{StatusCode, Url, header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::errors::{RpcError, reply_result, transport};
use super::wire::Record;
use crate::domain::Currency;
use crate::erp::request_id::WithRequestId;
use crate::erp::{ErpError, ErpResult};

/// The selling company, as the session knows it.
#[derive(Debug, Clone)]
pub(super) struct Company {
    pub id: i64,
    pub currency: Currency,
}

/// A logged-in session. Not `Debug`: the authorization is a credential.
struct Session {
    authorization: String,
    context: Map<String, Value>,
    company: Company,
}

/// One HTTP exchange's failure, before the session logic decides what to do with a 401.
enum PostError {
    Unauthorized,
    Rpc(RpcError),
}

impl From<ErpError> for PostError {
    fn from(error: ErpError) -> Self {
        Self::Rpc(RpcError::Failed(error))
    }
}

/// A JSON-RPC connection to one Tryton database as one user.
pub(super) struct Rpc {
    http: reqwest::Client,
    /// `<base>/rpc/`, for the methods that need no database.
    root: Url,
    /// `<base>/<database>/rpc/`.
    endpoint: Url,
    user: String,
    password: SecretString,
    session: RwLock<Option<Arc<Session>>>,
    /// Lets one task log in while the others wait for its session.
    login: tokio::sync::Mutex<()>,
    next_id: AtomicU64,
    requests: AtomicU64,
}

impl Rpc {
    pub(super) fn new(
        http: reqwest::Client,
        root: Url,
        endpoint: Url,
        user: String,
        password: SecretString,
    ) -> Self {
        Self {
            http,
            root,
            endpoint,
            user,
            password,
            session: RwLock::new(None),
            login: tokio::sync::Mutex::new(()),
            next_id: AtomicU64::new(1),
            requests: AtomicU64::new(0),
        }
    }

    /// HTTP requests sent to Tryton so far, logins included.
    pub(super) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The company of the logged-in user (logging in if needed).
    pub(super) async fn company(&self) -> ErpResult<Company> {
        Ok(self.session().await?.company.clone())
    }

    /// Whether the server answers and the login works.
    pub(super) async fn ping(&self) -> ErpResult<()> {
        self.post(&self.root, "common.server.version", Vec::new(), None)
            .await
            .map_err(|e| match e {
                PostError::Unauthorized => ErpError::unavailable("server version: HTTP 401"),
                PostError::Rpc(e) => e.into(),
            })?;
        self.session().await.map(|_| ())
    }

    /// Calls `method` with `args` and the session's context, extended by `extra`, as the last
    /// parameter (Tryton refuses model calls without one, and without the company in it reads
    /// company-dependent fields such as prices as empty).
    pub(super) async fn call(
        &self,
        method: &str,
        args: Vec<Value>,
        extra: &[(&str, Value)],
    ) -> Result<Value, RpcError> {
        let mut fresh_login = false;
        loop {
            let session = self.session().await?;
            let mut context = session.context.clone();
            for (key, value) in extra {
                context.insert((*key).to_owned(), value.clone());
            }
            let mut params = args.clone();
            params.push(Value::Object(context));
            match self
                .post(&self.endpoint, method, params, Some(&session.authorization))
                .await
            {
                Ok(result) => return Ok(result),
                // Sessions expire and are bound to the client address: log in again, once.
                Err(PostError::Unauthorized) if !fresh_login => {
                    self.forget(&session);
                    fresh_login = true;
                }
                Err(PostError::Unauthorized) => {
                    return Err(ErpError::unavailable(format!(
                        "{method}: Tryton refused a fresh session (HTTP 401)"
                    ))
                    .into());
                }
                Err(PostError::Rpc(error)) => return Err(error),
            }
        }
    }

    /// `call` for reads, where a user error is just a failure.
    pub(super) async fn read(
        &self,
        method: &str,
        args: Vec<Value>,
        extra: &[(&str, Value)],
    ) -> ErpResult<Value> {
        self.call(method, args, extra).await.map_err(Into::into)
    }

    fn current(&self) -> Option<Arc<Session>> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn forget(&self, stale: &Arc<Session>) {
        let mut slot = self.session.write().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, stale)) {
            *slot = None;
        }
    }

    async fn session(&self) -> ErpResult<Arc<Session>> {
        if let Some(session) = self.current() {
            return Ok(session);
        }
        let _one_login = self.login.lock().await;
        if let Some(session) = self.current() {
            return Ok(session);
        }
        let session = Arc::new(self.log_in().await?);
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = Some(session.clone());
        Ok(session)
    }

    async fn log_in(&self) -> ErpResult<Session> {
        let login = json!([self.user, {"password": self.password.expose_secret()}, "en"]);
        let params = login.as_array().cloned().unwrap_or_default();
        let reply = match self
            .post(&self.endpoint, "common.db.login", params, None)
            .await
        {
            Ok(reply) => reply,
            Err(PostError::Unauthorized) => {
                return Err(ErpError::unavailable(format!(
                    "Tryton refused the login of {}",
                    self.user
                )));
            }
            Err(PostError::Rpc(error)) => return Err(error.into()),
        };
        let (user_id, key) = match reply.as_array().map(Vec::as_slice) {
            Some([Value::Number(id), Value::String(key), ..]) => (id.clone(), key.clone()),
            _ => return Err(ErpError::invalid_data("common.db.login: unexpected reply")),
        };
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{user_id}:{key}", self.user));
        let authorization = format!("Session {token}");
        let auth = Some(authorization.as_str());

        let preferences = self
            .post_once(
                &self.endpoint,
                "model.res.user.get_preferences",
                vec![json!(true), json!({})],
                auth,
            )
            .await?;
        let preferences = Record::new("res.user preferences", &preferences)?;
        let company_id = preferences.opt_int("company")?.ok_or_else(|| {
            ErpError::invalid_data(format!("the Tryton user {} has no company", self.user))
        })?;
        let mut context = Map::new();
        context.insert("company".into(), json!(company_id));
        if let Some(language) = preferences.opt_str("language")? {
            context.insert("language".into(), json!(language));
        }

        let company = self
            .post_once(
                &self.endpoint,
                "model.company.company.read",
                vec![
                    json!([company_id]),
                    json!(["currency.code"]),
                    Value::Object(context.clone()),
                ],
                auth,
            )
            .await?;
        let company = super::wire::records("company.company", &company)?;
        let code = company
            .first()
            .ok_or_else(|| ErpError::invalid_data("the user's company cannot be read"))?
            .related("currency")?
            .ok_or_else(|| ErpError::invalid_data("the company has no currency"))?
            .str("code")?
            .to_owned();
        let currency = Currency::parse(&code)
            .map_err(|_| ErpError::invalid_data(format!("company currency {code:?}")))?;
        Ok(Session {
            authorization,
            context,
            company: Company {
                id: company_id,
                currency,
            },
        })
    }

    /// A call inside the login, where a 401 is final.
    async fn post_once(
        &self,
        url: &Url,
        method: &str,
        params: Vec<Value>,
        auth: Option<&str>,
    ) -> ErpResult<Value> {
        self.post(url, method, params, auth)
            .await
            .map_err(|e| match e {
                PostError::Unauthorized => {
                    ErpError::unavailable(format!("{method}: HTTP 401 right after the login"))
                }
                PostError::Rpc(e) => e.into(),
            })
    }

    async fn post(
        &self,
        url: &Url,
        method: &str,
        params: Vec<Value>,
        auth: Option<&str>,
    ) -> Result<Value, PostError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"id": id, "method": method, "params": params});
        let mut request = self.http.post(url.clone()).json(&body).with_request_id();
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.map_err(|e| transport(method, &e))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(PostError::Unauthorized);
        }
        if !status.is_success() {
            return Err(ErpError::unavailable(format!("{method}: HTTP {status}")).into());
        }
        let bytes = response.bytes().await.map_err(|e| transport(method, &e))?;
        let reply: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ErpError::invalid_data(format!("{method}: the reply is not JSON: {e}")))?;
        reply_result(method, reply).map_err(PostError::Rpc)
    }
}
