//! Where a buyer goes after logging in: the `next` page they asked for, but only ever a path on
//! this site. The value is read the way a browser would read it as a link (the WHATWG URL
//! rules: tabs and newlines dropped, backslashes as slashes, `//` starting another host), and
//! anything that would leave the site becomes the catalog. The result is percent-encoded, so
//! it is always a valid `Location` header.

use url::Url;

/// The page shown when `next` is missing or not a local path.
const HOME: &str = "/catalog";

/// `next` as a path on this site, or the catalog.
pub fn local_path(next: Option<&str>) -> String {
    let Some(next) = next else {
        return HOME.to_string();
    };
    // Any origin will do: only whether the link stays on it matters.
    let base = Url::parse("http://erpfront.invalid/").expect("a valid base URL");
    // A local path starts with one slash once the browser has dropped what it ignores.
    let starts_as_path = next
        .trim_start_matches(|c: char| c.is_ascii_control() || c == ' ')
        .starts_with('/');
    match base.join(next) {
        Ok(url) if starts_as_path && url.origin() == base.origin() => {
            let mut path = url.path().to_string();
            if let Some(query) = url.query() {
                path.push('?');
                path.push_str(query);
            }
            path
        }
        _ => HOME.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for (next, path) in [
            (Some("/orders"), "/orders"),
            (Some("/orders?page=2"), "/orders?page=2"),
            (Some("/x\ny"), "/xy"),
            (Some("/caf\u{e9}"), "/caf%C3%A9"),
            (Some("/%2F%2Fevil.example"), "/%2F%2Fevil.example"),
            (Some("/a/../orders"), "/orders"),
            (None, "/catalog"),
        ] {
            assert_eq!(local_path(next), path, "{next:?}");
        }
        for next in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " //evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "orders",
            "",
        ] {
            assert_eq!(local_path(Some(next)), "/catalog", "{next:?}");
        }
    }
}
