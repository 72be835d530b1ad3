//! Customers for the desk: `A_Customer` by number and name, kept to the configured sales
//! area, each word checked ignoring case and accents; cities from `A_BusinessPartner`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::super::SapErp;
use super::super::odata::{Collection, Expanded, Query, any_of, from_d};
use super::filter::{MAX_WORDS, word_clause};
use super::{PARTNER_SRV, customer_id};
use crate::domain::{CustomerId, CustomerSearch, CustomerSummary, Hits, matches_words, words};
use crate::erp::ErpResult;

/// Customer candidates read for one name search.
const CANDIDATES: usize = 200;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Area {
    sales_organization: String,
    distribution_channel: String,
    division: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Candidate {
    customer: String,
    customer_name: String,
    #[serde(rename = "to_CustomerSalesArea", default)]
    areas: Expanded<Area>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct City {
    city_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartnerCity {
    customer: String,
    #[serde(rename = "to_BusinessPartnerAddress", default)]
    addresses: Expanded<City>,
}

impl SapErp {
    fn in_area(&self, areas: &[Area]) -> bool {
        let config = &self.config;
        areas.iter().any(|a| {
            a.sales_organization == config.sales_organization
                && a.distribution_channel == config.distribution_channel
                && a.division == config.division
        })
    }

    /// Every customer of the sales area whose number or name has every word of `text` (in
    /// any case and accent), ordered by name, out of at most [`CANDIDATES`] read.
    pub(super) async fn matching_customers(
        &self,
        text: &str,
    ) -> ErpResult<Vec<(CustomerId, String)>> {
        let asked: Vec<&str> = words(text).into_iter().take(MAX_WORDS).collect();
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let any_word: Vec<String> = asked
            .iter()
            .map(|w| word_clause(w, &["CustomerName"], &["Customer"]))
            .collect();
        let query = Query::new()
            .set("$filter", any_word.join(" or "))
            .set("$select", "Customer,CustomerName,to_CustomerSalesArea/SalesOrganization,to_CustomerSalesArea/DistributionChannel,to_CustomerSalesArea/Division")
            .set("$expand", "to_CustomerSalesArea")
            .set("$orderby", "CustomerName,Customer")
            .set("$top", CANDIDATES.to_string());
        let answer = self
            .client
            .get(PARTNER_SRV, "A_Customer", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("customer search"))?;
        let candidates: Collection<Candidate> = from_d(answer.json, "customer search")?;
        if candidates.results.len() >= CANDIDATES {
            tracing::warn!(
                text,
                "customer search reached its candidate limit; hits may be missing"
            );
        }
        candidates
            .results
            .into_iter()
            .filter(|c| self.in_area(&c.areas.results))
            .filter(|c| matches_words(Some(text), &[&c.customer, &c.customer_name]))
            .map(|c| Ok((customer_id(&c.customer)?, c.customer_name)))
            .collect()
    }

    /// The city of each customer's own business partner address.
    async fn cities(&self, customers: &[&str]) -> ErpResult<BTreeMap<String, String>> {
        if customers.is_empty() {
            return Ok(BTreeMap::new());
        }
        let query = Query::new()
            .set("$filter", any_of("Customer", customers.iter().copied()))
            .set("$select", "Customer,to_BusinessPartnerAddress/CityName")
            .set("$expand", "to_BusinessPartnerAddress");
        let answer = self
            .client
            .get(PARTNER_SRV, "A_BusinessPartner", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("customer addresses"))?;
        let partners: Collection<PartnerCity> = from_d(answer.json, "customer addresses")?;
        Ok(partners
            .results
            .into_iter()
            .filter_map(|p| {
                let city = p.addresses.results.into_iter().next()?.city_name;
                Some((p.customer, city))
            })
            .collect())
    }

    pub(in crate::erp::sap) async fn search_customer_list(
        &self,
        search: &CustomerSearch,
    ) -> ErpResult<Hits<CustomerSummary>> {
        let found = self.matching_customers(&search.text).await?;
        let page = Hits::from_all(found, &search.paging);
        let ids: Vec<&str> = page.items.iter().map(|(id, _)| id.as_str()).collect();
        let cities = self.cities(&ids).await?;
        Ok(page.map(|(id, name)| CustomerSummary {
            city: cities.get(id.as_str()).cloned().unwrap_or_default(),
            id,
            name,
        }))
    }
}
