//! Invoice rules: amounts and open/paid state, the PDF document, and one customer's invoices
//! staying invisible to another. They read the invoices the ERP already holds.

use super::context::Context;
use super::{Checked, During, Outcome, Rule, ensure, expect_not_found};
use crate::domain::{CustomerId, InvoiceStatus, InvoiceSummary};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "invoices.amounts",
        description: "Invoices have consistent amounts: gross = net + tax, 0 <= open amount <= gross, paid means nothing open.",
        check: |cx| Box::pin(amounts(cx)),
    },
    Rule {
        id: "invoices.document",
        description: "An invoice's document is a PDF: content type application/pdf, bytes starting with %PDF-, a safe file name.",
        check: |cx| Box::pin(document(cx)),
    },
    Rule {
        id: "invoices.isolation",
        description: "One customer's invoice and its document are invisible to another: NotFound, not listed.",
        check: |cx| Box::pin(isolation(cx)),
    },
];

/// How many invoices per customer are read in full.
const INVOICES_READ: usize = 3;

async fn invoices_of(
    cx: &Context<'_>,
    customer: &CustomerId,
) -> Result<Vec<InvoiceSummary>, String> {
    cx.subject
        .erp
        .invoices(customer)
        .await
        .during(format_args!("invoices({customer})"))
}

/// The first invoice of the test customer, or else of the other customer, with its owner.
async fn some_invoice(cx: &Context<'_>) -> Result<Option<(CustomerId, InvoiceSummary)>, String> {
    for customer in [&cx.subject.customer, &cx.subject.other_customer] {
        if let Some(first) = invoices_of(cx, customer).await?.into_iter().next() {
            return Ok(Some((customer.clone(), first)));
        }
    }
    Ok(None)
}

fn no_invoices(cx: &Context<'_>) -> Outcome {
    Outcome::Skip(format!(
        "neither {} nor {} has an invoice to check",
        cx.subject.customer, cx.subject.other_customer
    ))
}

async fn amounts(cx: &Context<'_>) -> Checked {
    let mut checked = 0;
    for customer in [&cx.subject.customer, &cx.subject.other_customer] {
        let listed = invoices_of(cx, customer).await?;
        for summary in &listed {
            check_summary(customer, summary)?;
            checked += 1;
        }
        for summary in listed.iter().take(INVOICES_READ) {
            let number = &summary.number;
            let call = format!("invoice({customer}, {number})");
            let invoice = cx
                .subject
                .erp
                .invoice(customer, number)
                .await
                .during(&call)?;
            ensure(
                &invoice.number == number && &invoice.customer == customer,
                || {
                    format!(
                        "{call} returned invoice {} of {}",
                        invoice.number, invoice.customer
                    )
                },
            )?;
            ensure(invoice.summary() == *summary, || {
                format!(
                    "{call} differs from its entry in invoices({customer}) (amounts, dates or status)"
                )
            })?;
            ensure(
                invoice.net.currency == invoice.gross.currency
                    && invoice.tax.currency == invoice.gross.currency,
                || format!("invoice {number} mixes currencies in net, tax and gross"),
            )?;
            ensure(
                invoice.gross.amount == invoice.net.amount + invoice.tax.amount,
                || {
                    format!(
                        "invoice {number}: gross {} is not net {} plus tax {}",
                        invoice.gross, invoice.net, invoice.tax
                    )
                },
            )?;
        }
    }
    if checked == 0 {
        return Ok(no_invoices(cx));
    }
    Ok(Outcome::Pass)
}

fn check_summary(customer: &CustomerId, invoice: &InvoiceSummary) -> Result<(), String> {
    let number = &invoice.number;
    let (open, gross) = (invoice.open_amount, invoice.gross);
    ensure(open.currency == gross.currency, || {
        format!(
            "invoice {number} of {customer}: open amount in {}, gross in {}",
            open.currency, gross.currency
        )
    })?;
    ensure(!open.amount.is_sign_negative(), || {
        format!("invoice {number} of {customer}: open amount {open} is negative")
    })?;
    ensure(open.amount <= gross.amount, || {
        format!("invoice {number} of {customer}: open amount {open} exceeds gross {gross}")
    })?;
    ensure(
        invoice.status != InvoiceStatus::Paid || open.amount.is_zero(),
        || format!("invoice {number} of {customer} is paid but has {open} open"),
    )?;
    Ok(())
}

async fn document(cx: &Context<'_>) -> Checked {
    let Some((customer, invoice)) = some_invoice(cx).await? else {
        return Ok(no_invoices(cx));
    };
    let number = &invoice.number;
    let call = format!("invoice_document({customer}, {number})");
    let document = cx
        .subject
        .erp
        .invoice_document(&customer, number)
        .await
        .during(&call)?;
    let media_type = document.content_type.split(';').next().unwrap_or("").trim();
    ensure(media_type.eq_ignore_ascii_case("application/pdf"), || {
        format!(
            "{call} has content type {:?}, not application/pdf",
            document.content_type
        )
    })?;
    ensure(document.bytes.starts_with(b"%PDF-"), || {
        let start =
            String::from_utf8_lossy(&document.bytes[..document.bytes.len().min(16)]).into_owned();
        format!(
            "{call} does not start with %PDF- but with {start:?} ({} bytes)",
            document.bytes.len()
        )
    })?;
    let filename = &document.filename;
    let safe = !filename.is_empty()
        && !filename
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '"'));
    ensure(safe, || {
        format!(
            "{call} offers the file name {filename:?}; it must be non-empty without slashes, quotes or control characters"
        )
    })?;
    Ok(Outcome::Pass)
}

async fn isolation(cx: &Context<'_>) -> Checked {
    let Some((owner, invoice)) = some_invoice(cx).await? else {
        return Ok(no_invoices(cx));
    };
    let stranger = if owner == cx.subject.customer {
        &cx.subject.other_customer
    } else {
        &cx.subject.customer
    };
    ensure(&owner != stranger, || {
        format!("the subject names {owner} as both customers; two are needed")
    })?;
    let number = &invoice.number;
    let erp = &cx.subject.erp;
    expect_not_found(
        &format!("invoice({stranger}, {number})"),
        erp.invoice(stranger, number).await,
        |i| format!("invoice {} of {}", i.number, i.customer),
    )?;
    expect_not_found(
        &format!("invoice_document({stranger}, {number})"),
        erp.invoice_document(stranger, number).await,
        |d| format!("a document of {} bytes", d.bytes.len()),
    )?;
    ensure(
        !invoices_of(cx, stranger)
            .await?
            .iter()
            .any(|i| &i.number == number),
        || format!("invoices({stranger}) lists {owner}'s invoice {number}"),
    )?;
    Ok(Outcome::Pass)
}
