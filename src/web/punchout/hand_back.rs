//! The page that posts a cart (or a validated item) back to the procurement system through the
//! buyer's browser: a form aimed at the return address, submitted by a nonce'd script, with a
//! visible button when scripts are off. Its CSP allows exactly that script and that address.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::punchout::Identity;
use crate::web::AppError;

#[derive(Template)]
#[template(path = "punchout/transfer.html")]
struct TransferPage<'a> {
    system: &'a str,
    action: &'a str,
    /// The form's `target`, where the protocol names one (OCI).
    target: Option<&'a str>,
    fields: &'a [(String, String)],
    nonce: String,
    lines: usize,
    company: &'a str,
}

/// What goes back, and where.
pub(super) struct HandBack<'a> {
    pub identity: &'a Identity,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub fields: &'a [(String, String)],
    pub lines: usize,
    pub company: &'a str,
}

impl HandBack<'_> {
    /// The page, with its own CSP.
    pub fn page(&self) -> Result<Response, AppError> {
        let origin = url::Url::parse(self.action)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.origin().ascii_serialization())
            .ok_or_else(|| {
                AppError::BadRequest("The procurement system's return address is not valid.".into())
            })?;
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let html = TransferPage {
            system: &self.identity.system,
            action: self.action,
            target: self.target,
            fields: self.fields,
            nonce: nonce.clone(),
            lines: self.lines,
            company: self.company,
        }
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
        let csp = format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'nonce-{nonce}'; form-action {origin}; frame-ancestors {}",
            super::frame_ancestors(self.identity)
        );
        let mut response = Html(html).into_response();
        if let Ok(value) = HeaderValue::from_str(&csp) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        Ok(response)
    }
}
