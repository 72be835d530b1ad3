//! Naming a document the adapter service sent: its `Content-Disposition` file name, made safe
//! for a download header and any file system whatever the service put there.

/// The `filename` parameter of a `Content-Disposition` value.
pub(super) fn filename_of(disposition: &str) -> Option<&str> {
    disposition.split(';').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| value.trim().trim_matches('"'))
            .filter(|v| !v.is_empty())
    })
}

/// A file name that is safe in a header and on any file system, whatever the service sent.
pub(super) fn safe_filename(name: &str) -> String {
    let safe: String = name
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.trim_matches(['.', '_']).is_empty() {
        "document".to_owned()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_are_made_safe() {
        assert_eq!(
            filename_of("attachment; filename=\"invoice-1.pdf\""),
            Some("invoice-1.pdf")
        );
        assert_eq!(filename_of("inline"), None);
        assert_eq!(safe_filename("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(safe_filename("a\"b\r\n.pdf"), "a_b__.pdf");
        assert_eq!(safe_filename(".."), "document");
    }
}
