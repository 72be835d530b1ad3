//! The gateway's own reading of the text semantics, for ERPs that are searched in memory (the
//! demo ERP, the sandbox) and for checking what a real ERP answered.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The words of a search text: split at whitespace, empty ones dropped.
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// `text` lower-cased and without accents: canonically decomposed with the combining marks
/// dropped, so that "Müller", "MÜLLER" and "Muller" all fold to "muller". Letters that do not
/// decompose (ß, ø, ł) stay as they are.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether every word of `needle` (when given) is part of at least one of `haystacks`, ignoring
/// case and accents.
pub fn matches_words(needle: Option<&str>, haystacks: &[&str]) -> bool {
    let Some(needle) = needle else { return true };
    let haystacks: Vec<String> = haystacks.iter().map(|h| fold(h)).collect();
    words(needle)
        .into_iter()
        .map(fold)
        .all(|word| haystacks.iter().any(|h| h.contains(&word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold("Müller GmbH"), "muller gmbh");
        assert!(matches_words(Some("müller"), &["Bäckerei MÜLLER"]));
        assert!(matches_words(Some("muller"), &["Müller"]));
        assert!(matches_words(Some("MULLER"), &["müller"]));
    }

    #[test]
    fn every_word_must_appear_in_some_haystack() {
        assert!(matches_words(
            Some("traders north"),
            &["C-1000", "Northwind Traders"]
        ));
        assert!(matches_words(
            Some("c-1000 north"),
            &["C-1000", "Northwind Traders"]
        ));
        assert!(!matches_words(
            Some("traders globex"),
            &["C-1000", "Northwind Traders"]
        ));
        assert!(matches_words(None, &["anything"]));
    }
}
