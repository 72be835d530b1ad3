//! `POST /punchout/cxml/setup`: who may set up, and what a bad document gets.

use reqwest::StatusCode;

use super::documents::*;
use super::{post_cxml, start_url};
use crate::support::{spawn_app, spawn_app_with_users};

const RETURN: &str = "https://buyer.example/punchout/return?session=42&amp;x=1";

#[tokio::test]
async fn an_ariba_setup_answers_a_valid_start_page_on_the_requesting_host() {
    let app = spawn_app().await;
    let (status, body) = post_cxml(
        &app,
        "/punchout/cxml/setup",
        ariba_setup("create", "cookie-1", RETURN, ARIBA_SECRET, ""),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&body), (200, "OK".into()));
    let url = start_url(&body);
    assert!(
        url.starts_with(&format!("{}/punchout/start?t=", app.address)),
        "{url}"
    );
    assert!(
        !url.contains("buyer.example") && !url.contains("cookie-1"),
        "the link is sealed: {url}"
    );
    assert_valid_cxml(&body);
}

#[tokio::test]
async fn a_coupa_setup_needs_its_own_sender_and_secret() {
    let app = spawn_app_with_users(&users_with_coupa()).await;
    let good = coupa_setup(
        "c",
        "https://globex.coupahost.com/punchout/return",
        "globex-coupa-sender",
        COUPA_SECRET,
    );
    let (status, body) = post_cxml(&app, "/punchout/cxml/setup", good).await;
    assert_eq!(
        (status, status_of(&body).0),
        (StatusCode::OK, 200),
        "{body}"
    );
    assert_valid_cxml(&body);
    let wrong_sender = coupa_setup(
        "c",
        "https://globex.coupahost.com/r",
        "someone-else",
        COUPA_SECRET,
    );
    let (status, body) = post_cxml(&app, "/punchout/cxml/setup", wrong_sender).await;
    assert_eq!(
        (status, status_of(&body).0),
        (StatusCode::UNAUTHORIZED, 401),
        "{body}"
    );
    assert!(!body.contains("StartPage"));
}

#[tokio::test]
async fn a_wrong_secret_or_unknown_buyer_gets_401_and_no_start_page() {
    let app = spawn_app().await;
    let wrong = ariba_setup("create", "c", RETURN, "guess", "");
    let unknown = ariba_setup("create", "c", RETURN, ARIBA_SECRET, "")
        .replace("AN01000001000", "AN09999999999");
    for document in [wrong, unknown] {
        let (status, body) = post_cxml(&app, "/punchout/cxml/setup", document).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(status_of(&body).0, 401);
        assert!(!body.contains("StartPage"), "{body}");
        assert_valid_cxml(&body);
    }
}

#[tokio::test]
async fn bad_documents_get_a_cxml_4xx_never_a_5xx() {
    let app = spawn_app().await;
    let good = ariba_setup("create", "c", RETURN, ARIBA_SECRET, "");
    let truncated = good[..good.len() / 2].to_string();
    let entities = good
        .replacen(
            "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\">",
            "<!DOCTYPE cXML [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
            1,
        )
        .replace(
            "<BuyerCookie>c</BuyerCookie>",
            "<BuyerCookie>&b;</BuyerCookie>",
        );
    let external = good
        .replacen(
            "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\">",
            "<!DOCTYPE cXML SYSTEM \"cXML.dtd\" [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
            1,
        )
        .replace(
            "<BuyerCookie>c</BuyerCookie>",
            "<BuyerCookie>&x;</BuyerCookie>",
        );
    let oversized = good.replace(
        "<BuyerCookie>",
        &format!("<!-- {} --><BuyerCookie>", "x".repeat(70_000)),
    );
    let cases = [
        ("not xml", "this is not xml".to_string(), 406),
        ("truncated", truncated, 406),
        ("internal DTD with entities", entities, 400),
        ("external entity", external, 400),
        ("oversized", oversized, 413),
        ("no BrowserFormPost", good.replace("<BrowserFormPost><URL>https://buyer.example/punchout/return?session=42&amp;x=1</URL></BrowserFormPost>", ""), 400),
    ];
    for (what, document, code) in cases {
        let (status, body) = post_cxml(&app, "/punchout/cxml/setup", document).await;
        assert_eq!(status.as_u16(), code, "{what}: {body}");
        assert_eq!(status_of(&body).0, code, "{what}: {body}");
        assert!(!body.contains("root:"), "{what}: nothing fetched");
        assert_valid_cxml(&body);
    }
}
