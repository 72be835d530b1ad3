//! Filters for the templates, which find them by this module's name. Every identifier that goes
//! into a link goes through [`segment`], so a document number such as `INV/2026/0101` or
//! `VK 00001/Ü` stays one path segment and the route gets it back whole.

use std::fmt::Display;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters: `/`, `?`, `#`, `%`, spaces and non-ASCII
/// letters all become `%XX`.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as one percent-encoded path segment.
pub fn path_segment(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// `{{ number|segment }}`: the value as one path segment of a link.
#[askama::filter_fn]
pub fn segment(value: impl Display, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(path_segment(&value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(path_segment("SO-100231_a.b~"), "SO-100231_a.b~");
        assert_eq!(path_segment("INV/2026/0101"), "INV%2F2026%2F0101");
        assert_eq!(path_segment("VK 00001/Ü"), "VK%2000001%2F%C3%9C");
        assert_eq!(path_segment("A#1?x=50%&"), "A%231%3Fx%3D50%25%26");
    }
}
