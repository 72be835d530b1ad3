//! A buyer's day, through the real server: log in, search, see their own price, fill the cart,
//! check out with a PO number, find the order and an invoice PDF.

use reqwest::StatusCode;

use crate::support::{ANNA, LI, attr_of, html, sku_in_stock, spawn_app, text_of};

#[tokio::test]
async fn a_buyer_searches_orders_and_finds_the_order_and_an_invoice_pdf() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();

    let (status, location) = anna.login(ANNA, "demo").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/catalog");

    let (status, body) = anna.get(&format!("/catalog?q={sku}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = html(&body);
    assert!(
        text_of(&page, ".product-card .sku").contains(&sku),
        "search finds {sku}"
    );
    assert!(text_of(&page, ".account").contains("Northwind Traders"));

    let (_, location, _) = anna
        .post("/cart/add", &[("sku", &sku), ("quantity", "3")])
        .await;
    assert_eq!(location, "/cart?added=1");
    let (_, body) = anna.get(&location).await;
    let cart = html(&body);
    assert!(text_of(&cart, ".notice-success").contains("Added 1 line"));
    assert_eq!(
        attr_of(&cart, &format!("input[name=qty_{sku}]"), "value").as_deref(),
        Some("3")
    );

    let (status, body) = anna.get("/checkout").await;
    assert_eq!(status, StatusCode::OK);
    let checkout = html(&body);
    let key = attr_of(&checkout, "input[name=idempotency_key]", "value").unwrap();
    let ship_to = attr_of(&checkout, "select[name=ship_to] option", "value").unwrap();
    let (status, location, _) = anna
        .post(
            "/checkout",
            &[
                ("idempotency_key", &key),
                ("po_number", "PO-E2E-1"),
                ("ship_to", &ship_to),
                ("requested_date", ""),
                ("note", "Gate 4"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "checkout redirects to the confirmation"
    );
    assert!(
        location.starts_with("/orders/") && location.ends_with("?placed=1"),
        "{location}"
    );
    let number = location
        .trim_start_matches("/orders/")
        .trim_end_matches("?placed=1")
        .to_string();

    let (status, body) = anna.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    let confirmation = html(&body);
    assert!(text_of(&confirmation, ".notice-success").contains(&number));
    assert!(text_of(&confirmation, ".facts").contains("PO-E2E-1"));
    assert!(text_of(&confirmation, "table.lines").contains(&sku));

    let (_, body) = anna.get("/orders").await;
    assert!(
        text_of(&html(&body), "table.lines").contains(&number),
        "history lists the new order"
    );
    let (_, body) = anna.get("/cart").await;
    assert!(
        text_of(&html(&body), ".notice").contains("empty"),
        "the cart is emptied after ordering"
    );

    let (_, body) = anna.get("/invoices").await;
    let invoices = html(&body);
    let pdf_link = attr_of(&invoices, "table.lines a[href$='/pdf']", "href")
        .expect("an invoice with a PDF link");
    let pdf = anna.client().get(app.url(&pdf_link)).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn two_customers_see_their_own_contract_price_for_the_same_product() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let price_for = |login: &'static str| {
        let mut browser = app.browser();
        let sku = sku.clone();
        async move {
            browser.login(login, "demo").await;
            let (status, body) = browser.get(&format!("/products/{sku}")).await;
            assert_eq!(status, StatusCode::OK);
            text_of(&html(&body), ".buy-box .price.big")
        }
    };
    let northwind = price_for(ANNA).await;
    let globex = price_for(LI).await;
    assert!(northwind.starts_with("EUR "), "{northwind}");
    assert_ne!(northwind, globex, "same SKU, different contract prices");
}

#[tokio::test]
async fn the_product_page_shows_the_quantity_ladder_for_a_customer_with_tiers() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, body) = anna.get(&format!("/products/{sku}")).await;
    let page = html(&body);
    let tiers = text_of(&page, "table.tiers tbody tr");
    assert!(
        tiers.split(" | ").count() >= 2,
        "Northwind has quantity tiers: {tiers}"
    );
    assert!(text_of(&page, ".stock").contains("available"));
}

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let (status, _) = browser.get("/orders").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, location, _) = browser
        .post(
            "/login",
            &[("login", ANNA), ("password", "demo"), ("next", "/orders")],
        )
        .await;
    assert_eq!(location, "/orders");
}

#[tokio::test]
async fn a_wrong_password_is_refused_politely_and_logs_nobody_in() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/login").await;
    let (status, _, body) = browser
        .post("/login", &[("login", ANNA), ("password", "wrong")])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text_of(&html(&body), ".notice-error").contains("not right"));
    let (_, _, body) = browser
        .post(
            "/login",
            &[("login", "nobody@example.com"), ("password", "demo")],
        )
        .await;
    assert!(text_of(&html(&body), ".notice-error").contains("not right"));
    let (status, _) = browser.get("/orders").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "still not logged in");
}

#[tokio::test]
async fn an_unknown_page_is_a_polite_404_with_the_support_contact() {
    let app = spawn_app().await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    for path in [
        "/no-such-page",
        "/products/NO-SUCH-SKU",
        "/orders/SO-0",
        "/products/%3Cscript%3E",
    ] {
        let (status, body) = anna.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let page = html(&body);
        assert!(
            text_of(&page, "main").contains("+49 30 555 0100"),
            "{path}: support phone shown"
        );
        assert!(
            !body.contains("<script>"),
            "{path}: nothing echoed unescaped"
        );
    }
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = spawn_app().await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/catalog").await;
    let (_, location, _) = anna.post("/logout", &[]).await;
    assert_eq!(location, "/login");
    let (status, _) = anna.get("/catalog").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_overdue_invoice_has_the_status_its_pdf_prints_and_says_it_is_overdue() {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let app = spawn_app().await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        // Open, and due on 2026-11-01 in the demo data.
        let (status, body) = anna.get("/invoices/INV-2026-0426").await;
        assert_eq!(status, StatusCode::OK);
        let page = html(&body);
        let pdf = anna
            .client()
            .get(app.url("/invoices/INV-2026-0426/pdf"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let pdf = String::from_utf8_lossy(&pdf);
        assert!(pdf.contains("(Open) Tj"), "the PDF's status is Open");
        assert!(
            text_of(&page, "h1 .status").starts_with("Open"),
            "the page's status is the PDF's: {}",
            text_of(&page, "h1 .status")
        );
        assert!(
            text_of(&page, ".overdue-notice").contains("was due on 2026-11-01"),
            "and it says the invoice is overdue"
        );
        let (_, list) = anna.get("/invoices").await;
        let row = text_of(&html(&list), "tr:has(a[href='/invoices/INV-2026-0426'])");
        assert!(row.contains("Open Overdue"), "{row}");
    })
    .await
    .expect("the test finished within a minute");
}

#[tokio::test]
async fn the_order_page_links_its_invoices_and_products_and_shows_what_shipped() {
    let app = spawn_app().await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;

    // Partially shipped: each line says how much has left, the delivery links its tracking.
    let (status, body) = anna.get("/orders/SO-100253").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = html(&body);
    assert_eq!(
        text_of(&page, "td[data-label=Shipped]"),
        "12 EA | 10 PK | 20 PK | 0 ROLL | 2 BOX",
        "the demo data's shipped quantities, per line"
    );
    let tracking = "https://www.dhl.com/de-en/home/tracking.html?tracking-id=085771961145";
    let link = format!("a[href='{tracking}']");
    assert_eq!(text_of(&page, &link), "085771961145");
    let rel = attr_of(&page, &link, "rel").unwrap_or_default();
    assert!(rel.split(' ').any(|r| r == "noopener"), "rel={rel:?}");
    assert!(
        text_of(&page, "main").contains("No invoice for this order yet."),
        "no invoice names it"
    );
    let product = attr_of(&page, "a.sku", "href").expect("SKUs link their products");
    assert_eq!(product, "/products/CLN-1025");
    let (status, body) = anna.get(&product).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), "h1").contains("Glass cleaner"));

    // Completed and invoiced: the invoice that names the order is linked.
    let (_, body) = anna.get("/orders/SO-100231").await;
    let page = html(&body);
    assert_eq!(
        text_of(&page, "ul.invoices a"),
        "INV-2026-0412",
        "only this order's invoices"
    );
    let invoice = attr_of(&page, "ul.invoices a", "href").unwrap();
    assert_eq!(invoice, "/invoices/INV-2026-0412");
    let (status, body) = anna.get(&invoice).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), "h1").contains("INV-2026-0412"));
    app.stop().await;
}
