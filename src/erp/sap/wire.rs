//! SAP's entities as they come over the wire, with SAP's field names so they can be checked
//! against the service metadata. Only the fields the adapter reads are declared; decimals and
//! dates go through the strict readers in [`super::odata`].

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::odata::{Expanded, date, decimal, opt_date};

/// `API_PRODUCT_SRV` `A_Product` with `to_Description` expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Product {
    pub product: String,
    #[serde(default)]
    pub product_group: String,
    #[serde(default)]
    pub base_unit: String,
    #[serde(default)]
    pub product_type: String,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub gross_weight: Option<Decimal>,
    #[serde(default)]
    pub weight_unit: String,
    #[serde(rename = "to_Description", default)]
    pub descriptions: Expanded<ProductDescription>,
}

/// `A_ProductDescription`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductDescription {
    pub language: String,
    pub product_description: String,
}

/// `API_PRODUCTGROUP_SRV` `A_ProductGroupText`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductGroupText {
    pub material_group: String,
    pub material_group_name: String,
}

/// `API_PRODUCT_AVAILY_INFO_BASIC` `AvailabilityRecord`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AvailabilityRecord {
    #[serde(rename = "PeriodStartUTCDateTime")]
    pub period_start: String,
    #[serde(deserialize_with = "decimal")]
    pub available_quantity_in_base_unit: Decimal,
}

/// `API_SALES_ORDER_SIMULATION_SRV` `A_SalesOrderSimulation` as answered.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Simulation {
    pub transaction_currency: String,
    #[serde(rename = "to_Item")]
    pub items: Expanded<SimulationItem>,
}

/// `A_SalesOrderItemSimulation`. Without pricing asked for, or without a price found, SAP
/// leaves `NetAmount` out or at zero.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimulationItem {
    #[serde(default)]
    pub material: String,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub net_amount: Option<Decimal>,
}

/// `API_BUSINESS_PARTNER` `A_Customer` with `to_CustomerSalesArea` expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Customer {
    pub customer: String,
    pub customer_name: String,
    #[serde(rename = "to_CustomerSalesArea", default)]
    pub sales_areas: Expanded<CustomerSalesArea>,
}

/// `A_CustomerSalesArea`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerSalesArea {
    pub sales_organization: String,
    pub distribution_channel: String,
    pub division: String,
    pub currency: String,
}

/// `A_CustSalesPartnerFunc`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartnerFunction {
    pub partner_function: String,
    #[serde(rename = "BPCustomerNumber")]
    pub bp_customer_number: String,
    #[serde(default)]
    pub default_partner: bool,
}

/// `A_BusinessPartner` with `to_BusinessPartnerAddress` expanded. Its number need not be the
/// customer number; `Customer` links the two.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BusinessPartner {
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    pub business_partner_full_name: String,
    #[serde(rename = "to_BusinessPartnerAddress", default)]
    pub addresses: Expanded<BusinessPartnerAddress>,
}

/// `A_BusinessPartnerAddress`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BusinessPartnerAddress {
    #[serde(default)]
    pub street_name: String,
    #[serde(default)]
    pub house_number: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city_name: String,
    #[serde(default)]
    pub country: String,
}

/// `API_SALES_ORDER_SRV` `A_SalesOrder` with `to_Item` (and, for one order, `to_Partner` and
/// `to_Text`) expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesOrder {
    pub sales_order: String,
    pub sold_to_party: String,
    #[serde(default)]
    pub purchase_order_by_customer: String,
    #[serde(deserialize_with = "date")]
    pub creation_date: NaiveDate,
    #[serde(default, deserialize_with = "opt_date")]
    pub requested_delivery_date: Option<NaiveDate>,
    pub transaction_currency: String,
    #[serde(default)]
    pub overall_s_d_process_status: String,
    #[serde(default)]
    pub overall_total_delivery_status: String,
    #[serde(rename = "OverallSDDocumentRejectionSts", default)]
    pub rejection_status: String,
    #[serde(default)]
    pub total_block_status: String,
    #[serde(rename = "to_Item", default)]
    pub items: Expanded<SalesOrderItem>,
    #[serde(rename = "to_Partner", default)]
    pub partners: Expanded<SalesOrderPartner>,
    #[serde(rename = "to_Text", default)]
    pub texts: Expanded<SalesOrderText>,
}

/// `A_SalesOrderItem`. A text item has no material; `RequestedQuantity` is `Edm.Decimal` 15,3
/// (2.5 m of cable); `TaxAmount` is missing in releases before 2021.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesOrderItem {
    #[serde(default)]
    pub material: String,
    #[serde(default)]
    pub sales_order_item_text: String,
    #[serde(deserialize_with = "decimal")]
    pub requested_quantity: Decimal,
    #[serde(default)]
    pub requested_quantity_unit: String,
    #[serde(deserialize_with = "decimal")]
    pub net_amount: Decimal,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub tax_amount: Option<Decimal>,
}

/// `A_SalesOrderHeaderPartner`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesOrderPartner {
    pub partner_function: String,
    #[serde(default)]
    pub customer: String,
}

/// `A_SalesOrderText`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesOrderText {
    #[serde(rename = "LongTextID")]
    pub long_text_id: String,
    #[serde(default)]
    pub long_text: String,
}

/// `API_BILLING_DOCUMENT_SRV` `A_BillingDocument` with `to_Item` expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingDocument {
    pub billing_document: String,
    /// `M` invoice, `N` its cancellation, `O` credit memo, `P` debit memo, `S` credit memo
    /// cancellation, `U` pro forma.
    #[serde(rename = "SDDocumentCategory", default)]
    pub sd_document_category: String,
    #[serde(default)]
    pub billing_document_type: String,
    #[serde(default)]
    pub cancelled_billing_document: String,
    pub sold_to_party: String,
    #[serde(deserialize_with = "date")]
    pub billing_document_date: NaiveDate,
    pub transaction_currency: String,
    #[serde(deserialize_with = "decimal")]
    pub total_net_amount: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub tax_amount: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub total_gross_amount: Decimal,
    #[serde(default)]
    pub billing_document_is_cancelled: bool,
    #[serde(default)]
    pub invoice_clearing_status: String,
    #[serde(rename = "to_Item", default)]
    pub items: Expanded<BillingDocumentItem>,
}

/// `A_BillingDocumentItem`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingDocumentItem {
    #[serde(default)]
    pub material: String,
    #[serde(default)]
    pub billing_document_item_text: String,
    #[serde(deserialize_with = "decimal")]
    pub billing_quantity: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub net_amount: Decimal,
    #[serde(default)]
    pub sales_document: String,
}

/// `GetPDF`'s result.
#[derive(Debug, Deserialize)]
pub struct GetPdf {
    #[serde(rename = "GetPDF")]
    pub result: GetPdfResult,
}

/// `GetPDFResult`.
#[derive(Debug, Deserialize)]
pub struct GetPdfResult {
    #[serde(rename = "BillingDocumentBinary")]
    pub binary: String,
}

fn opt_decimal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => decimal(v).map(Some).map_err(serde::de::Error::custom),
    }
}
