//! Invoices from `API_BILLING_DOCUMENT_SRV`: the customer's invoices among its billing documents
//! (credit memos, cancellations and pro formas are billing documents too, and left out, as are
//! cancelled invoices) and their PDFs through the `GetPDF` function import (base64 in JSON).

use base64::Engine;

use super::SapErp;
use super::client::MAX_PDF_BODY;
use super::odata::{Collection, Query, eq, from_d, key_path, quote};
use super::{convert, wire};
use crate::domain::{CustomerId, Document, Invoice, InvoiceNumber, InvoiceSummary};
use crate::erp::{ErpError, ErpResult};

const BILLING_SRV: &str = "API_BILLING_DOCUMENT_SRV";
const LIST_MAX: usize = 500;

impl SapErp {
    pub(super) async fn list_invoices(
        &self,
        customer: &CustomerId,
    ) -> ErpResult<Vec<InvoiceSummary>> {
        let query = Query::new()
            .set("$filter", eq("SoldToParty", customer.as_str()))
            .set("$expand", "to_Item")
            .set("$orderby", "BillingDocumentDate desc,BillingDocument desc")
            .set("$top", LIST_MAX.to_string());
        let answer = self
            .client
            .get(BILLING_SRV, "A_BillingDocument", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("invoice list"))?;
        let documents: Collection<wire::BillingDocument> = from_d(answer.json, "invoice list")?;
        // A cancellation names the invoice it cancels, should the flag on it lag behind.
        let cancelled: Vec<String> = documents
            .results
            .iter()
            .map(|d| d.cancelled_billing_document.clone())
            .filter(|c| !c.is_empty())
            .collect();
        let mut summaries = documents
            .results
            .into_iter()
            .filter(|d| is_open_to_the_buyer(d) && !cancelled.contains(&d.billing_document))
            .map(|d| convert::invoice(d, self.config.payment_days).map(|i| i.summary()))
            .collect::<ErpResult<Vec<_>>>()?;
        summaries.sort_by(|a, b| {
            (b.issued_on, b.number.as_str()).cmp(&(a.issued_on, a.number.as_str()))
        });
        Ok(summaries)
    }

    async fn billing_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
        expand: bool,
    ) -> ErpResult<wire::BillingDocument> {
        let query = if expand {
            Query::new().set("$expand", "to_Item")
        } else {
            Query::new()
        };
        let answer = self
            .client
            .get(
                BILLING_SRV,
                &key_path("A_BillingDocument", number.as_str()),
                &query.encoded(),
            )
            .await
            .map_err(|f| f.into_read_error("invoice"))?;
        let document: wire::BillingDocument = from_d(answer.json, "invoice")?;
        // Another customer's document is not there for this one.
        if document.sold_to_party != customer.as_str() || !is_open_to_the_buyer(&document) {
            return Err(ErpError::NotFound);
        }
        Ok(document)
    }

    pub(super) async fn read_invoice(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Invoice> {
        let document = self.billing_document(customer, number, true).await?;
        convert::invoice(document, self.config.payment_days)
    }

    pub(super) async fn read_invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        self.billing_document(customer, number, false).await?;
        let query = Query::new().set("BillingDocument", quote(number.as_str()));
        let answer = self
            .client
            .get_limited(BILLING_SRV, "GetPDF", &query.encoded(), MAX_PDF_BODY)
            .await
            .map_err(|f| f.into_read_error("invoice PDF"))?;
        let pdf: wire::GetPdf = from_d(answer.json, "invoice PDF")?;
        // SAP hands the PDF out as MIME base64, broken into lines.
        let text: String = pdf
            .result
            .binary
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| ErpError::invalid_data(format!("invoice PDF is not base64: {e}")))?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(ErpError::invalid_data("GetPDF did not return a PDF"));
        }
        Ok(Document {
            content_type: "application/pdf".into(),
            filename: convert::document_filename(number),
            bytes: bytes::Bytes::from(bytes),
        })
    }
}

/// An invoice (or debit memo) the buyer owes, not cancelled. Documents without a category
/// (older answers) are judged by their type: cancellations `S1`/`S2`, credit memos `G2`/`RE`
/// and pro formas `F5`/`F8` are no invoices.
fn is_open_to_the_buyer(document: &wire::BillingDocument) -> bool {
    let invoice = match document.sd_document_category.as_str() {
        "" => !matches!(
            document.billing_document_type.as_str(),
            "S1" | "S2" | "G2" | "RE" | "F5" | "F8"
        ),
        category => matches!(category, "M" | "P"),
    };
    invoice && !document.billing_document_is_cancelled
}
