//! Customers: a party found by its code, with its sale price list, its currency, and its
//! addresses as bill-to and ship-tos (chosen the way Tryton's `address_get` chooses them).

use serde_json::{Value, json};

use super::TrytonErp;
use super::wire::{Record, records};
use crate::domain::{Address, AddressId, Currency, Customer, CustomerId};
use crate::erp::{ErpError, ErpResult};

/// A party as the adapter needs it.
#[derive(Debug, Clone)]
pub(super) struct Party {
    pub id: i64,
    pub code: CustomerId,
    pub name: String,
    /// The sale price list (company-dependent in Tryton), if the party has one.
    pub price_list: Option<i64>,
    /// The minimal quantities of that price list's lines.
    pub price_list_quantities: Vec<Option<f64>>,
    /// The party's own sale currency, when it differs from the company's.
    pub currency: Option<(i64, Currency)>,
    /// The addresses in Tryton's order, filled only when asked for.
    pub addresses: Vec<PartyAddress>,
}

/// An address with the flags that say what it is for.
#[derive(Debug, Clone)]
pub(super) struct PartyAddress {
    pub id: i64,
    pub address: Address,
    pub invoice: bool,
    pub delivery: bool,
}

const PARTY_FIELDS: [&str; 6] = [
    "code",
    "name",
    "sale_price_list",
    "sale_price_list.lines.quantity",
    "customer_currency",
    "customer_currency.code",
];

const ADDRESS_FIELDS: [&str; 9] = [
    "addresses",
    "addresses.party_name",
    "addresses.street",
    "addresses.postal_code",
    "addresses.city",
    "addresses.country",
    "addresses.country.code",
    "addresses.invoice",
    "addresses.delivery",
];

impl Party {
    /// Where invoices go: the first invoice address, else the first address.
    pub(super) fn bill_to(&self) -> Option<&PartyAddress> {
        self.addresses
            .iter()
            .find(|a| a.invoice)
            .or(self.addresses.first())
    }

    /// Where goods may go: the delivery addresses, else all of them; the first is the default.
    pub(super) fn ship_tos(&self) -> Vec<&PartyAddress> {
        let delivery: Vec<_> = self.addresses.iter().filter(|a| a.delivery).collect();
        if delivery.is_empty() {
            self.addresses.iter().collect()
        } else {
            delivery
        }
    }
}

impl TrytonErp {
    /// The party with this code; `NotFound` when there is none.
    pub(super) async fn party(
        &self,
        customer: &CustomerId,
        with_addresses: bool,
    ) -> ErpResult<Party> {
        let mut fields: Vec<&str> = PARTY_FIELDS.to_vec();
        if with_addresses {
            fields.extend(ADDRESS_FIELDS);
        }
        let domain = json!([["code", "=", customer.as_str()]]);
        let reply = self
            .rpc
            .read(
                "model.party.party.search_read",
                vec![domain, json!(0), json!(2), Value::Null, json!(fields)],
                &[],
            )
            .await?;
        let found = records("party.party", &reply)?;
        let record = match found.as_slice() {
            [record] => record,
            [] => return Err(ErpError::NotFound),
            _ => {
                return Err(ErpError::invalid_data(format!(
                    "more than one party has the code {customer}"
                )));
            }
        };
        party(record, customer, with_addresses)
    }

    pub(super) async fn customer_record(&self, customer: &CustomerId) -> ErpResult<Customer> {
        let (party, company) = tokio::try_join!(self.party(customer, true), self.rpc.company())?;
        let bill_to = party
            .bill_to()
            .ok_or_else(|| ErpError::invalid_data(format!("party {customer} has no address")))?
            .address
            .clone();
        Ok(Customer {
            id: party.code.clone(),
            name: party.name.clone(),
            currency: party.currency.map_or(company.currency, |(_, c)| c),
            bill_to,
            ship_tos: party
                .ship_tos()
                .into_iter()
                .map(|a| a.address.clone())
                .collect(),
        })
    }
}

fn party(record: &Record<'_>, customer: &CustomerId, with_addresses: bool) -> ErpResult<Party> {
    let name = record.str("name")?.to_owned();
    let currency = match record.related("customer_currency")? {
        Some(currency) => {
            let code = currency.str("code")?;
            let parsed = Currency::parse(code)
                .map_err(|_| ErpError::invalid_data(format!("currency code {code:?}")))?;
            Some((currency.id()?, parsed))
        }
        None => None,
    };
    let addresses = if with_addresses {
        record
            .related_list("addresses")?
            .iter()
            .map(|a| address(a, &name))
            .collect::<ErpResult<_>>()?
    } else {
        Vec::new()
    };
    let price_list_quantities = match record.related("sale_price_list")? {
        Some(list) => list
            .related_list("lines")?
            .iter()
            .map(|line| line.opt_float("quantity"))
            .collect::<ErpResult<_>>()?,
        None => Vec::new(),
    };
    Ok(Party {
        id: record.id()?,
        code: customer.clone(),
        name,
        price_list: record.opt_int("sale_price_list")?,
        price_list_quantities,
        currency,
        addresses,
    })
}

fn address(record: &Record<'_>, party_name: &str) -> ErpResult<PartyAddress> {
    let id = record.id()?;
    let street = record
        .text("street")?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let country = match record.related("country")? {
        Some(country) => country.text("code")?,
        None => String::new(),
    };
    let name = record
        .opt_str("party_name")?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(party_name)
        .to_owned();
    Ok(PartyAddress {
        id,
        address: Address {
            id: AddressId::parse(id.to_string())
                .map_err(|e| ErpError::invalid_data(format!("address id {id}: {e}")))?,
            name,
            street,
            postal_code: record.text("postal_code")?,
            city: record.text("city")?,
            country,
        },
        invoice: record.bool("invoice")?,
        delivery: record.bool("delivery")?,
    })
}
