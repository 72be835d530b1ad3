//! What the cache holds: keys that carry the customer wherever the data is the customer's,
//! and values with an approximate size in bytes for the byte bound.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, Document, Invoice, InvoiceNumber,
    InvoiceSummary, Order, OrderNumber, OrderSummary, Price, Product, ProductPage, Sku,
};

/// A cache key. Every variant holding customer data names the customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum CacheKey {
    Categories,
    Search(CatalogQuery),
    Product(Sku),
    Price(CustomerId, Sku),
    Availability(Sku),
    Customer(CustomerId),
    Orders(CustomerId),
    Order(CustomerId, OrderNumber),
    Invoices(CustomerId),
    Invoice(CustomerId, InvoiceNumber),
    Document(CustomerId, InvoiceNumber),
}

/// Which TTL applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Catalog,
    Price,
    Availability,
    Order,
    Invoice,
}

impl Kind {
    /// Every kind, in declaration order (`kind as usize` indexes it).
    pub(super) const ALL: [Kind; 5] = [
        Kind::Catalog,
        Kind::Price,
        Kind::Availability,
        Kind::Order,
        Kind::Invoice,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog",
            Kind::Price => "price",
            Kind::Availability => "availability",
            Kind::Order => "order",
            Kind::Invoice => "invoice",
        }
    }
}

impl CacheKey {
    pub(super) fn kind(&self) -> Kind {
        match self {
            Self::Categories | Self::Search(_) | Self::Product(_) | Self::Customer(_) => {
                Kind::Catalog
            }
            Self::Price(..) => Kind::Price,
            Self::Availability(_) => Kind::Availability,
            Self::Orders(_) | Self::Order(..) => Kind::Order,
            Self::Invoices(_) | Self::Invoice(..) | Self::Document(..) => Kind::Invoice,
        }
    }

    /// Rough bytes of the key itself, and of the entry around it (see [`ENTRY_OVERHEAD`]).
    pub(super) fn weight(&self) -> usize {
        let ids = |ids: &[&str]| ids.iter().map(|s| s.len()).sum::<usize>();
        ENTRY_OVERHEAD
            + match self {
                Self::Categories => 0,
                Self::Search(q) => {
                    q.text.as_deref().map_or(0, str::len)
                        + q.category.as_deref().map_or(0, str::len)
                }
                Self::Product(s) | Self::Availability(s) => s.as_str().len(),
                Self::Price(c, s) => ids(&[c.as_str(), s.as_str()]),
                Self::Customer(c) | Self::Orders(c) | Self::Invoices(c) => c.as_str().len(),
                Self::Order(c, n) => ids(&[c.as_str(), n.as_str()]),
                Self::Invoice(c, n) | Self::Document(c, n) => ids(&[c.as_str(), n.as_str()]),
            }
    }
}

/// A cached answer. `None` in `Price`/`Availability` remembers that the ERP had none.
#[derive(Clone)]
pub(super) enum CacheValue {
    Categories(Arc<Vec<Category>>),
    Search(Arc<ProductPage>),
    Product(Arc<Product>),
    Price(Option<Arc<Price>>),
    Availability(Option<Arc<Availability>>),
    Customer(Arc<Customer>),
    Orders(Arc<Vec<OrderSummary>>),
    Order(Arc<Order>),
    Invoices(Arc<Vec<InvoiceSummary>>),
    Invoice(Arc<Invoice>),
    Document(Arc<Document>),
}

/// Heap an entry takes besides its key and value: moka's node, its slot in the hash table, its
/// places in the access-order and expiry lists, and the allocator's headers.
const ENTRY_OVERHEAD: usize = 256;

/// Bytes of heap per byte of serialized value. Every `String` and `Vec` of the domain types has a
/// header, its own heap block with the allocator's overhead, and spare capacity, so a value takes
/// about twice its JSON size in memory. Weighing entries by their JSON size alone let the process
/// grow to three times the byte bound (224 MiB at 64 MiB, `tests/bench/run`): the bound must count the
/// memory the cache really holds.
const HEAP_PER_JSON_BYTE: usize = 2;

/// The serialized size, scaled to the heap the value holds; it is computed once per insert,
/// which only happens after an ERP call that costs far more.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    HEAP_PER_JSON_BYTE * serde_json::to_vec(value).map_or(1024, |v| v.len())
}

impl CacheValue {
    pub(super) fn weight(&self) -> usize {
        64 + match self {
            Self::Categories(v) => json_len(v.as_ref()),
            Self::Search(v) => json_len(v.as_ref()),
            Self::Product(v) => json_len(v.as_ref()),
            Self::Price(v) => v.as_ref().map_or(0, |v| json_len(v.as_ref())),
            Self::Availability(v) => v.as_ref().map_or(0, |v| json_len(v.as_ref())),
            Self::Customer(v) => json_len(v.as_ref()),
            Self::Orders(v) => json_len(v.as_ref()),
            Self::Order(v) => json_len(v.as_ref()),
            Self::Invoices(v) => json_len(v.as_ref()),
            Self::Invoice(v) => json_len(v.as_ref()),
            Self::Document(d) => d.bytes.len() + d.filename.len() + d.content_type.len(),
        }
    }
}

impl From<Option<Arc<Price>>> for CacheValue {
    fn from(price: Option<Arc<Price>>) -> Self {
        Self::Price(price)
    }
}

impl From<Option<Arc<Availability>>> for CacheValue {
    fn from(availability: Option<Arc<Availability>>) -> Self {
        Self::Availability(availability)
    }
}

/// A cached price (or its remembered absence), if the value is one.
impl From<&CacheValue> for Option<Option<Arc<Price>>> {
    fn from(value: &CacheValue) -> Self {
        match value {
            CacheValue::Price(p) => Some(p.clone()),
            _ => None,
        }
    }
}

/// A cached availability (or its remembered absence), if the value is one.
impl From<&CacheValue> for Option<Option<Arc<Availability>>> {
    fn from(value: &CacheValue) -> Self {
        match value {
            CacheValue::Availability(a) => Some(a.clone()),
            _ => None,
        }
    }
}
