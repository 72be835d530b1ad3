//! The printable invoice of the demo ERP: an A4 PDF drawn on the fly with the standard
//! Helvetica fonts, which every PDF reader has, so nothing is embedded.
//!
//! Text goes out in WinAnsiEncoding; characters it cannot hold become `?` rather than
//! garbage. Long invoices continue on further pages with the table header repeated.

mod canvas;

use pdf_writer::{Finish, Name, Pdf, Rect, Ref, TextStr};

use canvas::{Font, LEFT, PAGE, Pages, RIGHT, TOP, draw, width, wrap};

use crate::domain::{Customer, Invoice, InvoiceStatus, Money};

const SELLER: &str = "Demo Industrial Supply GmbH";
const SELLER_ADDRESS: &str = "Werkstrasse 12 \u{b7} 70565 Stuttgart \u{b7} Germany";
const SELLER_CONTACT: &str =
    "VAT ID DE123456789 \u{b7} billing@demo-supply.example \u{b7} +49 711 555 0100";
const BANK: &str = "Demo Bank AG \u{b7} IBAN DE89 3704 0044 0532 0130 00 \u{b7} BIC COBADEFFXXX";

/// Table columns: SKU and description from the left, the numbers right-aligned at these edges.
const COL_DESC: f32 = 118.0;
const COL_QTY: f32 = 350.0;
const COL_UNIT: f32 = 440.0;

/// The top of a continuation page, so that a loose page still says whose invoice it is.
fn continued(p: &mut Pages, number: &str) {
    p.text(
        LEFT,
        TOP,
        Font::Bold,
        10.0,
        &format!("Invoice {number} (continued)"),
    );
    p.y -= 30.0;
}

fn table_header(p: &mut Pages) {
    let y = p.y;
    p.text(LEFT, y, Font::Bold, 9.0, "SKU");
    p.text(COL_DESC, y, Font::Bold, 9.0, "Description");
    p.text_right(COL_QTY, y, Font::Bold, 9.0, "Qty");
    p.text_right(COL_UNIT, y, Font::Bold, 9.0, "Unit price");
    p.text_right(RIGHT, y, Font::Bold, 9.0, "Net");
    p.rule(y - 5.0);
    p.y -= 20.0;
}

/// Renders the invoice as PDF bytes.
pub(super) fn render(invoice: &Invoice, customer: &Customer, po_number: Option<&str>) -> Vec<u8> {
    let mut p = Pages {
        pages: Vec::new(),
        y: TOP,
    };

    p.text(LEFT, TOP, Font::Bold, 16.0, SELLER);
    p.text(LEFT, TOP - 14.0, Font::Regular, 8.5, SELLER_ADDRESS);
    p.text(LEFT, TOP - 25.0, Font::Regular, 8.5, SELLER_CONTACT);
    p.text_right(RIGHT, TOP - 4.0, Font::Bold, 22.0, "INVOICE");
    p.rule(TOP - 36.0);

    let mut y = TOP - 64.0;
    p.text(LEFT, y, Font::Bold, 8.5, "BILL TO");
    let bill_to = &customer.bill_to;
    let address = [
        customer.name.as_str(),
        bill_to.name.as_str(),
        bill_to.street.as_str(),
        &format!("{} {}", bill_to.postal_code, bill_to.city),
        bill_to.country.as_str(),
    ];
    for (i, line) in address.iter().enumerate() {
        y -= 14.0;
        let font = if i == 0 { Font::Bold } else { Font::Regular };
        p.text(LEFT, y, font, 10.0, line);
    }

    let terms_days = (invoice.due_on - invoice.issued_on).num_days();
    let order = invoice.order_number.as_ref().map(ToString::to_string);
    let facts = [
        ("Invoice number", Some(invoice.number.to_string())),
        ("Issue date", Some(invoice.issued_on.to_string())),
        ("Due date", Some(invoice.due_on.to_string())),
        ("Customer number", Some(customer.id.to_string())),
        ("Order number", order),
        ("Your PO number", po_number.map(str::to_owned)),
        ("Status", Some(invoice.status.label().to_owned())),
    ];
    let mut y = TOP - 64.0;
    for (label, value) in facts.iter().filter_map(|(l, v)| Some((l, v.as_ref()?))) {
        p.text(330.0, y, Font::Regular, 9.5, label);
        p.text_right(RIGHT, y, Font::Bold, 9.5, value);
        y -= 14.0;
    }

    p.y = TOP - 190.0;
    table_header(&mut p);
    for line in &invoice.lines {
        let description = wrap(&line.description, COL_QTY - COL_DESC - 45.0, 9.0, 3);
        p.reserve(12.0 * description.len() as f32 + 6.0, |p| {
            continued(p, invoice.number.as_str());
            table_header(p);
        });
        let y = p.y;
        if let Some(sku) = &line.sku {
            p.text(LEFT, y, Font::Regular, 9.0, sku.as_str());
        }
        for (i, text) in description.iter().enumerate() {
            p.text(COL_DESC, y - 12.0 * i as f32, Font::Regular, 9.0, text);
        }
        p.text_right(COL_QTY, y, Font::Regular, 9.0, &line.quantity.to_string());
        p.text_right(
            COL_UNIT,
            y,
            Font::Regular,
            9.0,
            &line.unit_price.to_string(),
        );
        p.text_right(RIGHT, y, Font::Regular, 9.0, &line.net.to_string());
        p.y -= 12.0 * description.len() as f32 + 6.0;
    }
    p.rule(p.y + 8.0);

    p.reserve(140.0, |p| continued(p, invoice.number.as_str()));
    p.y -= 8.0;
    let mut totals: Vec<(&str, Money, Font)> = vec![
        ("Net amount", invoice.net, Font::Regular),
        ("VAT 19%", invoice.tax, Font::Regular),
        ("Total", invoice.gross, Font::Bold),
    ];
    if invoice.status == InvoiceStatus::Open {
        totals.push(("Amount due", invoice.open_amount, Font::Bold));
    }
    for (label, amount, font) in totals {
        p.text(COL_UNIT - 90.0, p.y, font, 10.0, label);
        p.text_right(RIGHT, p.y, font, 10.0, &amount.to_string());
        p.y -= 15.0;
    }

    p.y -= 15.0;
    let status = match invoice.status {
        InvoiceStatus::Paid => "Status: paid. Thank you for your payment.".to_owned(),
        InvoiceStatus::Open => format!(
            "Status: open. Please pay {} by {}.",
            invoice.open_amount, invoice.due_on
        ),
    };
    let terms = format!(
        "Payment terms: {terms_days} days net from the invoice date. \
         Please quote {} with your payment.",
        invoice.number
    );
    for (font, text) in [
        (Font::Bold, status.as_str()),
        (Font::Regular, &terms),
        (Font::Regular, BANK),
    ] {
        p.text(LEFT, p.y, font, 9.5, text);
        p.y -= 14.0;
    }

    finish(p, &format!("Invoice {}", invoice.number))
}

/// Adds footers and writes the document structure around the drawn pages.
fn finish(mut p: Pages, title: &str) -> Vec<u8> {
    let count = p.pages.len();
    let footer = format!("{SELLER} \u{b7} {SELLER_ADDRESS}");
    for (i, page) in p.pages.iter_mut().enumerate() {
        draw(page, LEFT, 40.0, Font::Regular, 8.0, &footer);
        let number = format!("Page {} of {count}", i + 1);
        draw(
            page,
            RIGHT - width(&number, Font::Regular, 8.0),
            40.0,
            Font::Regular,
            8.0,
            &number,
        );
    }

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let fonts = [
        (Font::Regular, Ref::new(3), "Helvetica"),
        (Font::Bold, Ref::new(4), "Helvetica-Bold"),
    ];
    let info_id = Ref::new(5);
    let page_ids: Vec<(Ref, Ref)> = (0..count as i32)
        .map(|i| (Ref::new(6 + 2 * i), Ref::new(7 + 2 * i)))
        .collect();

    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(count as i32);
    for (content, &(page_id, content_id)) in p.pages.into_iter().zip(&page_ids) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1));
        page.parent(tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut font_map = resources.fonts();
        for (font, id, _) in fonts {
            font_map.pair(font.name(), id);
        }
        font_map.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    for (_, id, base) in fonts {
        pdf.type1_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info_id)
        .title(TextStr(title))
        .producer(TextStr("erpfront demo ERP"));
    pdf.finish()
}
