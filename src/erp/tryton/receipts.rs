//! When more of a product arrives: the planned incoming moves into the warehouse (a supplier
//! shipment's moves, or any other move from outside the warehouse into it) that are not done
//! yet, planned from today on. They are what Tryton's own forecast counts as coming in, so the
//! next date is read from the same moves the available quantity already reckons with.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::TrytonErp;
use super::wire::{date, records};
use crate::erp::ErpResult;

/// Most planned receipts read for one availability question: enough for any real purchasing
/// plan of a page of products, and a bound on what one question costs Tryton.
const MAX_RECEIPTS: u32 = 500;

/// A planned receipt: when, and how much in the product's default unit.
pub(super) type Receipt = (NaiveDate, f64);

impl TrytonErp {
    /// The planned receipts into `warehouse` of the products with these codes, by code, each
    /// list ordered by date.
    pub(super) async fn planned_receipts(
        &self,
        warehouse: i64,
        codes: &[&str],
        today: NaiveDate,
    ) -> ErpResult<HashMap<String, Vec<Receipt>>> {
        let domain = json!([
            ["product.code", "in", codes],
            ["to_location", "child_of", [warehouse], "parent"],
            ["from_location", "not child_of", [warehouse], "parent"],
            // the states Tryton's forecast counts, less what has arrived
            ["state", "in", ["draft", "assigned"]],
            ["planned_date", ">=", date(today)],
        ]);
        let reply = self
            .rpc
            .read(
                "model.stock.move.search_read",
                vec![
                    domain,
                    json!(0),
                    json!(MAX_RECEIPTS),
                    json!([["planned_date", "ASC"], ["id", "ASC"]]),
                    json!(["product.code", "internal_quantity", "planned_date"]),
                ],
                &[],
            )
            .await?;
        let mut by_code: HashMap<String, Vec<Receipt>> = HashMap::new();
        for record in records("stock.move", &reply)? {
            let (Some(product), Some(planned)) =
                (record.related("product")?, record.opt_date("planned_date")?)
            else {
                continue;
            };
            let quantity = record.float("internal_quantity")?;
            by_code
                .entry(product.str("code")?.to_owned())
                .or_default()
                .push((planned, quantity));
        }
        for receipts in by_code.values_mut() {
            receipts.sort_by_key(|r| r.0);
        }
        Ok(by_code)
    }
}

/// The first planned date from which more than `available` can be promised, or `None`.
///
/// `on_hand` and `forecast` are Tryton's stock now and its forecast (which counts `receipts`
/// already, and every planned delivery to customers). Without the receipts the forecast would
/// be `forecast - sum(receipts)`; from there each receipt raises what can be promised, and the
/// first one that lifts it above today's `available` is the next date. A receipt that only
/// covers deliveries already promised to others does not count.
pub(super) fn next_date(
    on_hand: f64,
    forecast: f64,
    available: u32,
    receipts: &[Receipt],
) -> Option<NaiveDate> {
    let incoming: f64 = receipts.iter().map(|r| r.1).sum();
    let mut level = on_hand.min(forecast - incoming);
    for &(day, quantity) in receipts {
        level += quantity;
        if level.floor() > f64::from(available) {
            return Some(day);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    #[test]
    fn the_first_receipt_that_brings_stock_is_the_next_date() {
        // out of stock, 20 on the 15th and 30 on the 31st: the forecast counts both
        let receipts = [(day(15), 20.0), (day(31), 30.0)];
        assert_eq!(next_date(0.0, 50.0, 0, &receipts), Some(day(15)));
        assert_eq!(next_date(0.0, 0.0, 0, &[]), None);
    }

    #[test]
    fn receipts_that_only_cover_promised_deliveries_do_not_count() {
        // 0 on hand, 30 promised to customers: the first 20 arriving are theirs
        let receipts = [(day(15), 20.0), (day(31), 20.0)];
        assert_eq!(next_date(0.0, 10.0, 0, &receipts), Some(day(31)));
        // short (10 on hand, 15 promised): 20 more on the 15th lift it past 10
        assert_eq!(next_date(10.0, 15.0, 10, &[(day(15), 20.0)]), Some(day(15)));
        // a receipt too small to add a whole unit beyond today's figure
        assert_eq!(next_date(3.0, 3.5, 3, &[(day(15), 0.5)]), None);
    }
}
