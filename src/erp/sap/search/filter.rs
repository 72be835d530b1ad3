//! The `$filter` clauses of the desk's searches: words in the case forms SAP may hold them
//! in, and order statuses as SAP's status codes.

use super::super::odata::quote;
use crate::domain::{OrderStatus, words};

/// Words of one text criterion sent to SAP; more only make the `$filter` longer.
pub const MAX_WORDS: usize = 6;

/// The forms of a word SAP is asked for: as typed, lower case, upper case, capitalised, and the
/// same without accents (a rep types `BLÚEWATER` for Bluewater; an accent SAP holds cannot be
/// guessed from a word typed without it).
pub fn case_forms(word: &str) -> Vec<String> {
    let mut forms = letter_case_forms(word);
    let plain = without_accents(word);
    if plain != word {
        forms.extend(letter_case_forms(&plain));
    }
    let mut seen = Vec::new();
    forms.retain(|f| {
        let new = !seen.contains(f);
        seen.push(f.clone());
        new
    });
    forms
}

fn without_accents(word: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .collect()
}

fn letter_case_forms(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    let capitalised: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    vec![word.to_owned(), lower, word.to_uppercase(), capitalised]
}

/// `(substringof('w', F) or substringof('W', F) …)` over every form of `word` and every field;
/// fields SAP keeps in upper case (`upper`) are asked for in upper case only.
pub fn word_clause(word: &str, fields: &[&str], upper: &[&str]) -> String {
    let mut any = Vec::new();
    for field in upper {
        any.push(format!(
            "substringof({},{field})",
            quote(&word.to_uppercase())
        ));
    }
    for form in case_forms(word) {
        for field in fields {
            any.push(format!("substringof({},{field})", quote(&form)));
        }
    }
    format!("({})", any.join(" or "))
}

/// One clause per word (all must match), or `None` without words.
pub fn all_words(text: Option<&str>, fields: &[&str], upper: &[&str]) -> Vec<String> {
    text.map(|t| {
        words(t)
            .into_iter()
            .take(MAX_WORDS)
            .map(|w| word_clause(w, fields, upper))
            .collect()
    })
    .unwrap_or_default()
}

/// The status codes behind a status (see `convert::status`); `block` adds the header block,
/// which releases before 2021 do not have.
pub fn status_clause(status: OrderStatus, block: bool) -> String {
    let not_cancelled = "OverallSDDocumentRejectionSts ne 'C'";
    let open = "OverallSDProcessStatus ne 'C'";
    let undelivered = "OverallTotalDeliveryStatus ne 'C' and OverallTotalDeliveryStatus ne 'B'";
    match status {
        OrderStatus::Cancelled => "OverallSDDocumentRejectionSts eq 'C'".into(),
        OrderStatus::Completed => format!("{not_cancelled} and OverallSDProcessStatus eq 'C'"),
        OrderStatus::Shipped => {
            format!("{not_cancelled} and {open} and OverallTotalDeliveryStatus eq 'C'")
        }
        OrderStatus::PartiallyShipped => {
            format!("{not_cancelled} and {open} and OverallTotalDeliveryStatus eq 'B'")
        }
        OrderStatus::Processing => {
            format!("{not_cancelled} and OverallSDProcessStatus eq 'B' and {undelivered}")
        }
        OrderStatus::Received | OrderStatus::Confirmed => {
            let mut clause = format!(
                "{not_cancelled} and {open} and OverallSDProcessStatus ne 'B' and {undelivered}"
            );
            match (status, block) {
                (OrderStatus::Received, true) => clause.push_str(" and TotalBlockStatus ne ''"),
                (_, true) => clause.push_str(" and TotalBlockStatus eq ''"),
                // Without a block status every open order reads as confirmed.
                (OrderStatus::Received, false) => clause.push_str(" and SalesOrder eq ''"),
                _ => {}
            }
            clause
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_asked_for_in_the_case_forms_sap_may_hold() {
        assert_eq!(
            case_forms("müller"),
            ["müller", "MÜLLER", "Müller", "muller", "MULLER", "Muller"]
        );
        assert_eq!(
            case_forms("BLÚEWATER"),
            [
                "BLÚEWATER",
                "blúewater",
                "Blúewater",
                "BLUEWATER",
                "bluewater",
                "Bluewater"
            ]
        );
        assert_eq!(case_forms("GmbH"), ["GmbH", "gmbh", "GMBH", "Gmbh"]);
        assert_eq!(case_forms("42"), ["42"]);
        assert_eq!(
            word_clause("po-1", &["PurchaseOrderByCustomer"], &["SalesOrder"]),
            "(substringof('PO-1',SalesOrder) or substringof('po-1',PurchaseOrderByCustomer) or substringof('PO-1',PurchaseOrderByCustomer) or substringof('Po-1',PurchaseOrderByCustomer))"
        );
        assert_eq!(
            word_clause("o'neil", &["CustomerName"], &[]),
            "(substringof('o''neil',CustomerName) or substringof('O''NEIL',CustomerName) or substringof('O''neil',CustomerName))"
        );
    }

    #[test]
    fn statuses_read_back_as_themselves() {
        let confirmed = status_clause(OrderStatus::Confirmed, true);
        assert!(confirmed.ends_with("TotalBlockStatus eq ''"), "{confirmed}");
        assert!(!status_clause(OrderStatus::Confirmed, false).contains("TotalBlockStatus"));
        assert!(status_clause(OrderStatus::Received, false).contains("SalesOrder eq ''"));
    }
}
