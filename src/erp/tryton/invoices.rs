//! Invoices: the party's posted and paid customer invoices (`account.invoice` of type `out`;
//! drafts are the seller's work in progress), and their PDF from Tryton's invoice report.

use serde_json::{Value, json};

use super::TrytonErp;
use super::pricing::unit_amount;
use super::sales::currency;
use super::wire::{Record, records, whole_quantity};
use crate::domain::{
    CustomerId, Document, Invoice, InvoiceLine, InvoiceNumber, InvoiceStatus, InvoiceSummary,
    Money, OrderNumber, Sku,
};
use crate::erp::{ErpError, ErpResult};

const SUMMARY_FIELDS: [&str; 8] = [
    "number",
    "invoice_date",
    "state",
    "total_amount",
    "amount_to_pay",
    "currency.code",
    "lines_to_pay.maturity_date",
    "sales.number",
];

const INVOICE_FIELDS: [&str; 9] = [
    "untaxed_amount",
    "tax_amount",
    "lines.type",
    "lines.product.code",
    "lines.product.name",
    "lines.description",
    "lines.quantity",
    "lines.unit_price",
    "lines.amount",
];

fn summary(record: &Record<'_>) -> ErpResult<InvoiceSummary> {
    let number = record.str("number")?;
    let issued_on = record
        .opt_date("invoice_date")?
        .ok_or_else(|| ErpError::invalid_data(format!("invoice {number} has no date")))?;
    // The earliest instalment is when payment is due; an invoice with none is due at once.
    let mut due_on = None;
    for line in record.related_list("lines_to_pay")? {
        if let Some(date) = line.opt_date("maturity_date")? {
            due_on = Some(due_on.map_or(date, |d: chrono::NaiveDate| d.min(date)));
        }
    }
    let mut order_number = None;
    for sale in record.related_list("sales")? {
        if let Some(n) = sale.opt_str("number")? {
            order_number = OrderNumber::parse(n).ok();
            break;
        }
    }
    let currency = currency(record)?;
    let status = match record.str("state")? {
        "paid" => InvoiceStatus::Paid,
        "posted" => InvoiceStatus::Open,
        other => return Err(ErpError::invalid_data(format!("invoice state {other:?}"))),
    };
    let open = match status {
        InvoiceStatus::Paid => rust_decimal::Decimal::ZERO,
        InvoiceStatus::Open => record.opt_decimal("amount_to_pay")?.unwrap_or_default(),
    };
    Ok(InvoiceSummary {
        number: InvoiceNumber::parse(number)
            .map_err(|e| ErpError::invalid_data(format!("invoice number {number:?}: {e}")))?,
        order_number,
        issued_on,
        due_on: due_on.unwrap_or(issued_on),
        gross: Money::new(record.decimal("total_amount")?, currency),
        open_amount: Money::new(open, currency),
        status,
    })
}

fn invoice(record: &Record<'_>, customer: &CustomerId) -> ErpResult<Invoice> {
    let summary = summary(record)?;
    let money = |amount| Money::new(amount, summary.gross.currency);
    let mut lines = Vec::new();
    for line in record.related_list("lines")? {
        if line.opt_str("type")? != Some("line") {
            continue;
        }
        let product = line.related("product")?;
        let sku = match &product {
            Some(p) => p.opt_str("code")?.and_then(|c| Sku::parse(c).ok()),
            None => None,
        };
        let description = match line
            .opt_str("description")?
            .filter(|d| !d.trim().is_empty())
        {
            Some(d) => d.to_owned(),
            None => product
                .map(|p| p.text("name"))
                .transpose()?
                .unwrap_or_default(),
        };
        lines.push(InvoiceLine {
            sku,
            quantity: whole_quantity(&description, line.float("quantity")?)?.into(),
            description,
            unit_price: money(unit_amount(line.decimal("unit_price")?)),
            net: money(line.decimal("amount")?),
        });
    }
    Ok(Invoice {
        number: summary.number,
        customer: customer.clone(),
        order_number: summary.order_number,
        issued_on: summary.issued_on,
        due_on: summary.due_on,
        net: money(record.decimal("untaxed_amount")?),
        tax: money(record.decimal("tax_amount")?),
        gross: summary.gross,
        open_amount: summary.open_amount,
        status: summary.status,
        lines,
    })
}

/// A download name that is safe in a header and on any file system (Tryton's report names
/// carry the invoice number's slashes).
fn filename(name: &str, number: &InvoiceNumber) -> String {
    let name = if name.trim().is_empty() {
        format!("Invoice-{number}")
    } else {
        name.to_owned()
    };
    let safe: String = name
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.pdf")
}

impl TrytonErp {
    /// The party's posted and paid customer invoices matching `extra`, newest first.
    async fn invoice_records(
        &self,
        customer: &CustomerId,
        extra: Option<&InvoiceNumber>,
        fields: &[&str],
    ) -> ErpResult<Value> {
        let mut domain = vec![
            json!(["party.code", "=", customer.as_str()]),
            json!(["type", "=", "out"]),
            json!(["state", "in", ["posted", "paid"]]),
        ];
        if let Some(number) = extra {
            domain.push(json!(["number", "=", number.as_str()]));
        }
        self.rpc
            .read(
                "model.account.invoice.search_read",
                vec![
                    Value::Array(domain),
                    json!(0),
                    Value::Null,
                    json!([["invoice_date", "DESC"], ["id", "DESC"]]),
                    json!(fields),
                ],
                &[],
            )
            .await
    }

    pub(super) async fn invoice_list(
        &self,
        customer: &CustomerId,
    ) -> ErpResult<Vec<InvoiceSummary>> {
        let (_, reply) = tokio::try_join!(
            self.party(customer, false),
            self.invoice_records(customer, None, &SUMMARY_FIELDS)
        )?;
        records("account.invoice", &reply)?
            .iter()
            .map(summary)
            .collect()
    }

    pub(super) async fn invoice_by_number(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Invoice> {
        let fields: Vec<&str> = SUMMARY_FIELDS
            .iter()
            .chain(&INVOICE_FIELDS)
            .copied()
            .collect();
        let reply = self
            .invoice_records(customer, Some(number), &fields)
            .await?;
        let found = records("account.invoice", &reply)?;
        found
            .first()
            .map(|r| invoice(r, customer))
            .unwrap_or(Err(ErpError::NotFound))
    }

    pub(super) async fn invoice_pdf(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        let reply = self
            .invoice_records(customer, Some(number), &["number"])
            .await?;
        let id = match records("account.invoice", &reply)?.first() {
            Some(record) => record.id()?,
            None => return Err(ErpError::NotFound),
        };
        let report = self
            .rpc
            .read(
                "report.account.invoice.execute",
                vec![json!([id]), json!({})],
                &[],
            )
            .await?;
        // [extension, content, direct print, name]
        let (extension, content, name) = match report.as_array().map(Vec::as_slice) {
            Some([Value::String(ext), content, _, Value::String(name), ..]) => (ext, content, name),
            _ => return Err(ErpError::invalid_data("invoice report: unexpected reply")),
        };
        if extension != "pdf" {
            tracing::warn!(
                tryton.format = %extension,
                "Tryton renders invoices as {extension}; set the invoice report's format to PDF"
            );
            return Err(ErpError::Unsupported {
                operation: "invoice documents other than PDF",
            });
        }
        let bytes = super::wire::bytes("invoice report", content)?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(ErpError::invalid_data("invoice report: not a PDF"));
        }
        Ok(Document {
            content_type: "application/pdf".into(),
            filename: filename(name, number),
            bytes: bytes::Bytes::from(bytes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_become_safe_file_names() {
        let number = InvoiceNumber::parse("INV/2026/1").unwrap();
        assert_eq!(
            filename("Invoice-INV/2026/1", &number),
            "Invoice-INV_2026_1.pdf"
        );
        assert_eq!(filename("", &number), "Invoice-INV_2026_1.pdf");
        assert_eq!(filename("a\"b\r\n", &number), "a_b__.pdf");
    }
}
