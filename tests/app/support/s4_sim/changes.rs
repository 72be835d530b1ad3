//! Deleting orders, allowed only with the current ETag or `*` (428 without `If-Match`, 412
//! when stale), and the PDF every billing document prints as.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::handler::error;
use super::state::State;

/// `DELETE A_SalesOrder('…')`: with `If-Match` (the current ETag or `*`), as SAP allows for an
/// order nothing follows yet.
pub fn delete(state: &State, key: &str, headers: &HeaderMap) -> Response {
    let mut data = state.data.lock().unwrap();
    let Some(index) = data.orders.iter().position(|o| o["SalesOrder"] == key) else {
        return error(
            StatusCode::NOT_FOUND,
            "/IWBEP/CM_MGW_RT/021",
            "Resource not found",
            vec![],
        );
    };
    let Some(sent) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return error(
            StatusCode::PRECONDITION_REQUIRED,
            "/IWBEP/CM_MGW_RT/045",
            "Operation without If-Match header not allowed",
            vec![],
        );
    };
    if data.orders[index]["__metadata"]["etag"] != sent && sent != "*" {
        return error(
            StatusCode::PRECONDITION_FAILED,
            "/IWBEP/CM_MGW_RT/044",
            "The data has been changed in the meantime",
            vec![],
        );
    }
    data.orders.remove(index);
    StatusCode::NO_CONTENT.into_response()
}

/// A small valid PDF: one blank A4 page.
pub fn pdf() -> Vec<u8> {
    use pdf_writer::{Pdf, Rect, Ref};
    let mut pdf = Pdf::new();
    let (catalog, tree, page) = (Ref::new(1), Ref::new(2), Ref::new(3));
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    pdf.page(page)
        .parent(tree)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    pdf.finish()
}
