//! The service desk's searches in S/4HANA: sales orders (`A_SalesOrder` by number, PO number,
//! sold-to party, creation date and status, always within the configured sales area) and
//! customers (`A_Customer` by number and name, kept to those with the configured sales area).
//!
//! SAP Gateway compares strings in `$filter` as they are stored: `substringof` is case-sensitive
//! and `tolower`/`toupper` are not supported on the released APIs. So each word is asked for
//! as typed, in lower and upper case and capitalised ("müller", "MÜLLER", "Müller"), and so
//! again without the accents typed (`BLÚEWATER` finds Bluewater; `muller` cannot find Müller). Customer names, which mix case freely ("GmbH"), are found by any of their
//! words in those forms and then checked by the gateway, word by word, ignoring case and
//! accents: a bounded set of candidates is read, never the customer table.

mod customers;
mod filter;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SapErp;
use super::client::Failure;
use super::odata::{Collection, Query, any_of, datetime_literal, eq, from_d};
use super::orders::ORDER_SRV;
use super::{convert, wire};
use crate::domain::{CustomerId, Hits, OrderHit, OrderSearch, Paging};
use crate::erp::{ErpError, ErpResult};
use filter::{all_words, status_clause};

const PARTNER_SRV: &str = "API_BUSINESS_PARTNER";
/// Customers an order search by customer narrows to (one `SoldToParty eq` each).
const MAX_SOLD_TO: usize = 40;

fn customer_id(raw: &str) -> ErpResult<CustomerId> {
    CustomerId::parse(raw).map_err(|e| ErpError::invalid_data(format!("customer {raw:?}: {e}")))
}

impl SapErp {
    pub(in crate::erp::sap) async fn search_order_list(
        &self,
        search: &OrderSearch,
    ) -> ErpResult<Hits<OrderHit>> {
        let config = &self.config;
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut filter = vec![
            eq("SalesOrganization", &config.sales_organization),
            eq("DistributionChannel", &config.distribution_channel),
            eq("OrganizationDivision", &config.division),
        ];
        filter.extend(all_words(
            search.order_number.as_deref(),
            &[],
            &["SalesOrder"],
        ));
        filter.extend(all_words(
            search.po_number.as_deref(),
            &["PurchaseOrderByCustomer"],
            &[],
        ));
        if let Some(customer) = &search.customer {
            let customers = self.matching_customers(customer).await?;
            if customers.is_empty() {
                return Ok(Hits::default());
            }
            if customers.len() > MAX_SOLD_TO {
                tracing::info!(
                    matched = customers.len(),
                    "order search: customer words match many customers; orders of the first {MAX_SOLD_TO} by name are searched"
                );
            }
            let ids: Vec<&str> = customers
                .iter()
                .take(MAX_SOLD_TO)
                .map(|(id, _)| id.as_str())
                .collect();
            filter.push(any_of("SoldToParty", ids));
            names.extend(
                customers
                    .into_iter()
                    .map(|(id, name)| (id.as_str().to_owned(), name)),
            );
        }
        if let Some(from) = search.placed_from {
            filter.push(format!("CreationDate ge {}", datetime_literal(from)));
        }
        if let Some(to) = search.placed_to {
            filter.push(format!("CreationDate le {}", datetime_literal(to)));
        }
        let orders = match search.status {
            None => self.order_page(&filter, None, &search.paging).await,
            Some(status) => {
                match self
                    .order_page(&filter, Some(status_clause(status, true)), &search.paging)
                    .await
                {
                    // A release before 2021 has no header block status to filter on.
                    Err(Failure::Refused { .. }) => {
                        tracing::info!("SAP refused the block status filter; searching without");
                        let clause = status_clause(status, false);
                        self.order_page(&filter, Some(clause), &search.paging).await
                    }
                    other => other,
                }
            }
        }
        .map_err(|f| f.into_read_error("order search"))?;
        let orders = orders?;
        let unnamed: Vec<&str> = orders
            .items
            .iter()
            .map(|o| o.sold_to_party.as_str())
            .filter(|c| !names.contains_key(*c))
            .collect();
        names.extend(self.customer_names(&unnamed).await?);
        let mut hits = Vec::with_capacity(orders.items.len());
        let more = orders.more;
        for order in orders.items {
            let customer = customer_id(&order.sold_to_party)?;
            let customer_name = names.get(customer.as_str()).cloned().unwrap_or_default();
            hits.push(OrderHit {
                customer,
                customer_name,
                order: convert::order_summary(order)?,
            });
        }
        Ok(Hits { items: hits, more })
    }

    /// One page of orders, newest first (numbers decide within a day).
    async fn order_page(
        &self,
        filter: &[String],
        status: Option<String>,
        paging: &Paging,
    ) -> Result<ErpResult<Hits<wire::SalesOrder>>, Failure> {
        let mut filter = filter.to_vec();
        filter.extend(status.map(|s| format!("({s})")));
        let query = Query::new()
            .set("$filter", filter.join(" and "))
            .set("$expand", "to_Item")
            .set("$orderby", "CreationDate desc,SalesOrder desc")
            .set("$skip", paging.offset().to_string())
            .set("$top", paging.fetch().to_string());
        let answer = self
            .client
            .get(ORDER_SRV, "A_SalesOrder", &query.encoded())
            .await?;
        Ok(
            from_d::<Collection<wire::SalesOrder>>(answer.json, "order search")
                .map(|page| Hits::from_fetched(page.results, paging)),
        )
    }

    /// The names of these customers (`A_Customer.CustomerName`, as `customer()` has them).
    async fn customer_names(&self, customers: &[&str]) -> ErpResult<BTreeMap<String, String>> {
        let mut customers = customers.to_vec();
        customers.sort_unstable();
        customers.dedup();
        if customers.is_empty() {
            return Ok(BTreeMap::new());
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Named {
            customer: String,
            customer_name: String,
        }
        let query = Query::new()
            .set("$filter", any_of("Customer", customers))
            .set("$select", "Customer,CustomerName");
        let answer = self
            .client
            .get(PARTNER_SRV, "A_Customer", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("customer names"))?;
        let named: Collection<Named> = from_d(answer.json, "customer names")?;
        Ok(named
            .results
            .into_iter()
            .map(|n| (n.customer, n.customer_name))
            .collect())
    }
}
