//! cXML documents shaped like the ones SAP Ariba and Coupa send, and the DTD check of the ones
//! erpfront sends back.

use std::path::PathBuf;

use crate::support::processes::debian_program;

pub const ARIBA_SECRET: &str = "northwind-punchout-secret";
pub const COUPA_SECRET: &str = "coupa-secret";

/// A Coupa-style identity beside the demo's: From and Sender configured separately.
pub fn users_with_coupa() -> String {
    format!(
        r#"{}
[[punchout]]
id = "globex-coupa"
system = "Coupa"
customer = "C-2000"

[punchout.cxml]
from = [{{ domain = "DUNS", identity = "globex-coupa-buyer" }}]
sender = {{ domain = "DUNS", identity = "globex-coupa-sender" }}
shared_secret_hash = "{}"
"#,
        erpfront::demo::DEMO_USERS,
        erpfront::users::hash_password(COUPA_SECRET)
    )
}

/// An Ariba Network `PunchOutSetupRequest`: Sender rewritten to the network.
pub fn ariba_setup(
    operation: &str,
    cookie: &str,
    return_url: &str,
    secret: &str,
    items: &str,
) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="1733250000.123@ariba.example" timestamp="2026-12-03T10:00:00-08:00" xml:lang="en-US">
  <Header>
    <From>
      <Credential domain="NetworkID"><Identity>AN01000001000</Identity></Credential>
      <Credential domain="SystemID"><Identity>NORTHWIND-ERP</Identity></Credential>
    </From>
    <To><Credential domain="NetworkID"><Identity>AN02000009999</Identity></Credential></To>
    <Sender>
      <Credential domain="AribaNetworkUserId">
        <Identity>sysadmin@ariba.com</Identity>
        <SharedSecret>{secret}</SharedSecret>
      </Credential>
      <UserAgent>Ariba SN Buyer Punchout</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="test">
    <PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>{cookie}</BuyerCookie>
      <Extrinsic name="UserEmail">anna@northwind.example</Extrinsic>
      <Extrinsic name="UniqueName">anna</Extrinsic>
      <BrowserFormPost><URL>{return_url}</URL></BrowserFormPost>
      <Contact role="endUser"><Name xml:lang="en">Anna Berg</Name><Email>anna@northwind.example</Email></Contact>
      <SupplierSetup><URL>https://shop.example/punchout/cxml/setup</URL></SupplierSetup>
      {items}
    </PunchOutSetupRequest>
  </Request>
</cXML>"#
    )
}

/// A Coupa `PunchOutSetupRequest`: its own Sender, an older DTD, a ShipTo.
pub fn coupa_setup(cookie: &str, return_url: &str, sender: &str, secret: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML version="1.2.014" xml:lang="en-US" payloadID="coupa-42@globex.coupahost.com" timestamp="2026-12-03T10:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>globex-coupa-buyer</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>demo-supply</Identity></Credential></To>
    <Sender>
      <Credential domain="DUNS"><Identity>{sender}</Identity><SharedSecret>{secret}</SharedSecret></Credential>
      <UserAgent>Coupa Procurement 1.0</UserAgent>
    </Sender>
  </Header>
  <Request>
    <PunchOutSetupRequest operation="create">
      <BuyerCookie>{cookie}</BuyerCookie>
      <Extrinsic name="FirstName">Li</Extrinsic>
      <Extrinsic name="LastName">Wei</Extrinsic>
      <Extrinsic name="UniqueName">li</Extrinsic>
      <Extrinsic name="UserEmail">li@globex.example</Extrinsic>
      <Extrinsic name="BusinessUnit">Plant 1</Extrinsic>
      <BrowserFormPost><URL>{return_url}</URL></BrowserFormPost>
      <Contact role="endUser"><Name xml:lang="en-US">Li Wei</Name><Email>li@globex.example</Email></Contact>
      <SupplierSetup><URL>https://shop.example/punchout/cxml/setup</URL></SupplierSetup>
      <ShipTo><Address addressID="GX-SHIP-1"><Name xml:lang="en">Globex Plant 1</Name></Address></ShipTo>
    </PunchOutSetupRequest>
  </Request>
</cXML>"#
    )
}

/// An `ItemOut` line as a buyer sends it back (setup edit) or orders it.
pub fn item_out(line: u32, sku: &str, aux: &str, quantity: &str, price: &str) -> String {
    let aux = if aux.is_empty() {
        String::new()
    } else {
        format!("<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID>")
    };
    format!(
        r#"<ItemOut quantity="{quantity}" lineNumber="{line}">
  <ItemID><SupplierPartID>{sku}</SupplierPartID>{aux}</ItemID>
  <ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice><Description xml:lang="en">x</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">31161500</Classification></ItemDetail>
</ItemOut>"#
    )
}

/// An Ariba `OrderRequest` for Northwind.
pub fn ariba_order(payload: &str, order_id: &str, header_attrs: &str, items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="{payload}" timestamp="2026-12-03T11:00:00-08:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000001000</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN02000009999</Identity></Credential></To>
    <Sender><Credential domain="AribaNetworkUserId"><Identity>sysadmin@ariba.com</Identity><SharedSecret>{ARIBA_SECRET}</SharedSecret></Credential><UserAgent>Ariba Buyer</UserAgent></Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="{order_id}" orderDate="2026-12-03T11:00:00-08:00" {header_attrs}>
        <Total><Money currency="EUR">1.00</Money></Total>
        <ShipTo><Address addressID="NW-SHIP-2"><Name xml:lang="en">Northwind Warehouse</Name></Address></ShipTo>
        <BillTo><Address addressID="NW-BILL"><Name xml:lang="en">Northwind</Name></Address></BillTo>
        <Comments xml:lang="en">Deliver to gate 4</Comments>
        <Extrinsic name="CostCenter">4711</Extrinsic>
      </OrderRequestHeader>
      {items}
    </OrderRequest>
  </Request>
</cXML>"#
    )
}

/// The status code and text of a cXML answer.
pub fn status_of(document: &str) -> (u16, String) {
    let page = scraper::Html::parse_document(document);
    let selector = scraper::Selector::parse("status").unwrap();
    let status = page
        .select(&selector)
        .next()
        .unwrap_or_else(|| panic!("no Status in {document}"));
    (
        status.value().attr("code").unwrap().parse().unwrap(),
        status.value().attr("text").unwrap_or("").to_string(),
    )
}

/// Fails unless `document` is valid against the cXML 1.2.063 DTD kept in fixtures/.
pub fn assert_valid_cxml(document: &str) {
    let xmllint = debian_program(
        "xmllint",
        "libxml2-utils",
        "the punchout tests validate cXML against its DTD",
    );
    let dtd = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/cxml/1.2.063/cXML.dtd");
    let file = std::env::temp_dir().join(format!("cxml-{}.xml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, document).unwrap();
    let output = std::process::Command::new(xmllint)
        .args(["--noout", "--nonet", "--dtdvalid"])
        .arg(&dtd)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "not valid cXML 1.2.063: {}\n{document}",
        String::from_utf8_lossy(&output.stderr)
    );
}
