//! The ERP customer (sold-to party) a buyer buys for, and its addresses.

use serde::{Deserialize, Serialize};

use super::{AddressId, Currency, CustomerId};

/// A postal address the ERP holds for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The ERP's id of the address.
    pub id: AddressId,
    /// Addressee (company or site name).
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// ISO 3166 country code.
    pub country: String,
}

impl Address {
    /// The address on one line, for lists and selects.
    pub fn one_line(&self) -> String {
        format!(
            "{}, {}, {} {}, {}",
            self.name, self.street, self.postal_code, self.city, self.country
        )
    }
}

/// A customer (sold-to party) as the ERP knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The ERP's customer number.
    pub id: CustomerId,
    /// The customer's name.
    pub name: String,
    /// The currency the customer is billed in.
    pub currency: Currency,
    /// Where invoices go.
    pub bill_to: Address,
    /// Where goods may be shipped; the first is the default.
    pub ship_tos: Vec<Address>,
}

impl Customer {
    /// The ship-to with this id, if it belongs to the customer.
    pub fn ship_to(&self, id: &AddressId) -> Option<&Address> {
        self.ship_tos.iter().find(|a| &a.id == id)
    }
}
