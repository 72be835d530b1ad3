//! Origins a procurement system's pages are served from, as the CSP names them.

/// `origin` as a CSP source: an http(s) origin, nothing else (no path, wildcard or keyword).
pub fn frame_origin(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !origin.contains('*');
    let serialised = url.origin().ascii_serialization();
    (plain
        && origin
            .trim_end_matches('/')
            .eq_ignore_ascii_case(&serialised))
    .then_some(serialised)
}

#[cfg(test)]
mod tests {
    #[test]
    fn frame_ancestors_are_plain_origins() {
        let ok = super::frame_origin;
        assert_eq!(
            ok("https://srm.example.com").as_deref(),
            Some("https://srm.example.com")
        );
        assert_eq!(
            ok("https://SRM.example.com:8443/").as_deref(),
            Some("https://srm.example.com:8443")
        );
        for bad in [
            "srm.example.com",
            "https://srm.example.com/path",
            "https://*.example.com",
            "'self'",
            "ftp://srm.example.com",
            "https://user@srm.example.com",
            "https://srm.example.com?x",
            "https://srm.example.com;script-src *",
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
    }
}
