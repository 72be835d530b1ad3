//! What free text typed by a buyer may contain before it goes to the ERP. Control characters
//! (NUL included) break ERP fields and logs; bidirectional controls and zero-width characters
//! make two different PO numbers look the same on the service desk.

/// Whether `text` has a control character other than a line break or tab (which a note may
/// have).
pub fn has_control_chars(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Whether `text` has a character that changes how text around it is shown without being
/// seen itself: bidirectional controls, zero-width characters, the word joiner and the BOM.
pub fn has_invisible_formatting(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
    })
}

/// `text` without control characters, for search words (which are only read, never stored).
pub fn without_control_chars(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_found() {
        assert!(has_control_chars("a\0b"));
        assert!(has_control_chars("a\u{7f}"));
        assert!(!has_control_chars("line one\r\nline\ttwo"));
        assert!(has_invisible_formatting("PO\u{202E}123"));
        assert!(has_invisible_formatting("PO\u{200B}123"));
        assert!(!has_invisible_formatting("PO-123 Müller"));
        assert_eq!(without_control_chars("dr\0ill\n"), "drill");
    }
}
