//! Customers from `API_BUSINESS_PARTNER`: the sold-to party (`A_Customer` with its sales
//! areas), its ship-to and bill-to partners in the shop's sales area (`A_CustSalesPartnerFunc`),
//! and their postal addresses (`A_BusinessPartner` with `to_BusinessPartnerAddress`, found by
//! its `Customer`: business partner and customer numbers often differ on-premise).

use super::SapErp;
use super::odata::{Collection, Query, any_of, eq, from_d, key_path};
use super::wire;
use crate::domain::{Address, AddressId, Currency, Customer, CustomerId};
use crate::erp::{ErpError, ErpResult};

const PARTNER_SRV: &str = "API_BUSINESS_PARTNER";

/// Partner function codes for ship-to and bill-to: internal (`WE`, `RE`), which is what the
/// business partner API gives, and in English (`SH`, `BP`), should a system convert them.
const SHIP_TO: [&str; 2] = ["WE", "SH"];
const BILL_TO: [&str; 2] = ["RE", "BP"];

impl SapErp {
    pub(super) async fn read_customer(&self, id: &CustomerId) -> ErpResult<Customer> {
        let config = &self.config;
        let query = Query::new().set("$expand", "to_CustomerSalesArea");
        let answer = self
            .client
            .get(
                PARTNER_SRV,
                &key_path("A_Customer", id.as_str()),
                &query.encoded(),
            )
            .await
            .map_err(|f| f.into_read_error("customer"))?;
        let customer: wire::Customer = from_d(answer.json, "customer")?;
        if customer.customer != id.as_str() {
            return Err(ErpError::invalid_data("SAP answered for another customer"));
        }
        // A customer outside the shop's sales area cannot order here.
        let area = customer
            .sales_areas
            .results
            .iter()
            .find(|a| {
                a.sales_organization == config.sales_organization
                    && a.distribution_channel == config.distribution_channel
                    && a.division == config.division
            })
            .ok_or(ErpError::NotFound)?;
        let currency = Currency::parse(&area.currency)
            .map_err(|_| ErpError::invalid_data(format!("currency {:?}", area.currency)))?;

        let filter = [
            eq("Customer", id.as_str()),
            eq("SalesOrganization", &config.sales_organization),
            eq("DistributionChannel", &config.distribution_channel),
            eq("Division", &config.division),
        ]
        .join(" and ");
        let answer = self
            .client
            .get(
                PARTNER_SRV,
                "A_CustSalesPartnerFunc",
                &Query::new().set("$filter", filter).encoded(),
            )
            .await
            .map_err(|f| f.into_read_error("partner functions"))?;
        let mut functions: Collection<wire::PartnerFunction> =
            from_d(answer.json, "partner functions")?;
        functions.results.sort_by_key(|f| !f.default_partner);
        let partners_of = |codes: [&str; 2]| -> Vec<String> {
            let mut ids: Vec<String> = functions
                .results
                .iter()
                .filter(|f| codes.contains(&f.partner_function.as_str()))
                .map(|f| f.bp_customer_number.clone())
                .collect();
            if ids.is_empty() {
                ids.push(id.as_str().to_owned());
            }
            ids.dedup();
            ids
        };
        let ship_to_ids = partners_of(SHIP_TO);
        let bill_to_id = partners_of(BILL_TO).swap_remove(0);

        let mut wanted: Vec<&str> = ship_to_ids.iter().map(String::as_str).collect();
        wanted.push(&bill_to_id);
        wanted.sort_unstable();
        wanted.dedup();
        let query = Query::new()
            .set("$filter", any_of("Customer", wanted))
            .set("$expand", "to_BusinessPartnerAddress");
        let answer = self
            .client
            .get(PARTNER_SRV, "A_BusinessPartner", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("business partners"))?;
        let partners: Collection<wire::BusinessPartner> = from_d(answer.json, "business partners")?;
        let address_of = |partner: &str| -> ErpResult<Address> {
            let bp = partners
                .results
                .iter()
                .find(|p| p.customer == partner)
                .ok_or_else(|| {
                    ErpError::invalid_data(format!(
                        "partner {partner} has no business partner record"
                    ))
                })?;
            let postal = bp.addresses.results.first().ok_or_else(|| {
                ErpError::invalid_data(format!("business partner {partner} has no address"))
            })?;
            let name = if partner == customer.customer || bp.business_partner_full_name.is_empty() {
                customer.customer_name.clone()
            } else {
                bp.business_partner_full_name.clone()
            };
            Ok(Address {
                id: AddressId::parse(partner)
                    .map_err(|e| ErpError::invalid_data(format!("partner number: {e}")))?,
                name,
                street: format!("{} {}", postal.street_name, postal.house_number)
                    .trim()
                    .to_owned(),
                postal_code: postal.postal_code.clone(),
                city: postal.city_name.clone(),
                country: postal.country.clone(),
            })
        };
        Ok(Customer {
            id: id.clone(),
            name: customer.customer_name.clone(),
            currency,
            bill_to: address_of(&bill_to_id)?,
            ship_tos: ship_to_ids
                .iter()
                .map(|s| address_of(s))
                .collect::<ErpResult<Vec<_>>>()?,
        })
    }
}
