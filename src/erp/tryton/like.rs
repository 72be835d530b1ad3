//! `ilike` patterns that find a word whatever its case and accents, on PostgreSQL and on SQLite.
//!
//! Tryton's `ilike` removes accents only on PostgreSQL with the `unaccent` extension, and
//! SQLite's `LIKE` folds the case of ASCII letters only. So each letter outside ASCII in a word
//! is matched by its lower- and upper-case forms and its base letter: "müller" becomes the
//! patterns `%müller%`, `%mÜller%` and `%muller%`, which find "Müller", "MÜLLER", "Muller" and
//! "müller" everywhere. A word typed without accents ("muller") finds "Müller" only where the
//! database unaccents.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Beyond this many patterns per word, the remaining non-ASCII letters match any one character.
const MAX_PATTERNS: usize = 9;

/// The spellings of one character a case- and accent-blind match must accept.
fn spellings(c: char) -> Vec<String> {
    if c.is_ascii() {
        return vec![escape(c)];
    }
    let base: String = c
        .to_string()
        .nfd()
        .filter(|m| !is_combining_mark(*m))
        .collect();
    let mut found: Vec<String> = Vec::new();
    for s in [
        c.to_string(),
        c.to_lowercase().collect(),
        c.to_uppercase().collect(),
        base,
    ] {
        if !s.is_empty() && s.chars().count() == 1 && !found.contains(&s) {
            found.push(s);
        }
    }
    found
}

/// `c` as a literal in a Tryton `ilike` pattern, whose escape character is the backslash.
fn escape(c: char) -> String {
    match c {
        '%' | '_' | '\\' => format!("\\{c}"),
        c => c.to_string(),
    }
}

/// The `%…%` patterns that together find `word` as part of a value.
pub(super) fn patterns(word: &str) -> Vec<String> {
    let mut patterns = vec![String::from("%")];
    for c in word.chars() {
        let spellings = spellings(c);
        if spellings.len() > 1 && patterns.len() * spellings.len() > MAX_PATTERNS {
            patterns.iter_mut().for_each(|p| p.push('_'));
            continue;
        }
        patterns = patterns
            .iter()
            .flat_map(|p| spellings.iter().map(move |s| format!("{p}{s}")))
            .collect();
    }
    patterns.iter_mut().for_each(|p| p.push('%'));
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_are_matched_in_every_case_and_without_their_accent() {
        assert_eq!(patterns("müller"), ["%müller%", "%mÜller%", "%muller%"]);
        assert_eq!(patterns("ÄÖ").len(), 9);
        assert_eq!(patterns("ÄÖÜ").len(), 9, "capped: {:?}", patterns("ÄÖÜ"));
        assert!(patterns("ÄÖÜ").iter().all(|p| p.ends_with("_%")));
    }

    #[test]
    fn wildcards_typed_are_literal() {
        assert_eq!(patterns("50%_a\\b"), ["%50\\%\\_a\\\\b%"]);
    }
}
