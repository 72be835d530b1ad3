//! A sale's deliveries and what each of its lines has shipped.
//!
//! Deliveries are the sale's customer shipments (`stock.shipment.out`) that are done. Their
//! carrier and tracking references come from optional Tryton modules: `carrier` (through
//! `stock_shipment_cost`) puts a `carrier` on the shipment, and `stock_package_shipping` gives
//! the shipment and its packages a `shipping_reference` and the packages a
//! `shipping_tracking_url` (filled by the carrier's own module, such as
//! `stock_package_shipping_dpd`). A database without these modules has no such fields, and
//! asking for a field Tryton does not know fails the whole read, so which ones exist is asked
//! once (`fields_get`) and only those are read. Without them a delivery has no carrier and, for
//! tracking, the shipment's plain `reference` when someone entered one.

use serde_json::{Value, json};

use super::TrytonErp;
use super::wire::Record;
use crate::domain::{Delivery, LineQuantity};
use crate::erp::{ErpError, ErpResult};

/// Which of the optional shipment fields this Tryton has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ShipmentFields {
    /// `carrier` on the shipment.
    carrier: bool,
    /// `shipping_reference` on the shipment and its packages (`root_packages`).
    tracking: bool,
}

/// The shipment fields whose presence is asked for.
const PROBED: [&str; 3] = ["carrier", "shipping_reference", "root_packages"];

impl ShipmentFields {
    /// What a `fields_get` answer for [`PROBED`] says: Tryton leaves out the fields it does
    /// not have.
    fn from_fields_get(reply: &Value) -> ErpResult<Self> {
        let known = reply.as_object().ok_or_else(|| {
            ErpError::invalid_data("stock.shipment.out.fields_get: expected an object")
        })?;
        Ok(Self {
            carrier: known.contains_key("carrier"),
            tracking: known.contains_key("shipping_reference")
                && known.contains_key("root_packages"),
        })
    }

    /// The sale fields to read for deliveries and shipped quantities (dotted through
    /// `shipments` and `lines`).
    pub(super) fn sale_fields(self) -> Vec<&'static str> {
        let mut fields = vec![
            "shipments",
            "shipments.number",
            "shipments.effective_date",
            "shipments.state",
            "shipments.reference",
            "lines.product.type",
            "lines.unit",
            "lines.moves",
            "lines.moves.quantity",
            "lines.moves.state",
            "lines.moves.unit",
        ];
        if self.carrier {
            fields.push("shipments.carrier.party.name");
        }
        if self.tracking {
            fields.extend([
                "shipments.shipping_reference",
                "shipments.root_packages.shipping_reference",
                "shipments.root_packages.shipping_tracking_url",
            ]);
        }
        fields
    }
}

impl TrytonErp {
    /// Which optional shipment fields the server has, asked once: activating a module needs a
    /// restart of Tryton's server anyway.
    pub(super) async fn shipment_fields(&self) -> ErpResult<ShipmentFields> {
        self.shipment_fields
            .get_or_try_init(|| async {
                let reply = self
                    .rpc
                    .read(
                        "model.stock.shipment.out.fields_get",
                        vec![json!(PROBED)],
                        &[],
                    )
                    .await?;
                ShipmentFields::from_fields_get(&reply)
            })
            .await
            .copied()
    }
}

/// The sale's done shipments, oldest first: one delivery per tracked package, or one for the
/// shipment when no package carries a reference.
pub(super) fn deliveries(sale: &Record<'_>) -> ErpResult<Vec<Delivery>> {
    let mut deliveries = Vec::new();
    for shipment in sale.related_list("shipments")? {
        if shipment.opt_str("state")? != Some("done") {
            continue;
        }
        let Some(shipped_on) = shipment.opt_date("effective_date")? else {
            continue;
        };
        let carrier = match shipment
            .related("carrier")?
            .map(|c| c.related("party"))
            .transpose()?
            .flatten()
        {
            Some(party) => party.text("name")?,
            None => String::new(),
        };
        let delivery = |tracking_number: Option<String>, tracking_url: Option<String>| Delivery {
            number: String::new(),
            shipped_on,
            carrier: carrier.clone(),
            tracking_number,
            tracking_url,
        };
        let number = shipment.text("number")?;
        let mut tracked = Vec::new();
        for package in shipment.related_list("root_packages")? {
            if let Some(reference) = filled(package.raw("shipping_reference")) {
                tracked.push(delivery(
                    Some(reference),
                    filled(package.raw("shipping_tracking_url")),
                ));
            }
        }
        if tracked.is_empty() {
            let reference = filled(shipment.raw("shipping_reference"))
                .or_else(|| filled(shipment.raw("reference")));
            tracked.push(delivery(reference, None));
        }
        deliveries.extend(tracked.into_iter().map(|d| Delivery {
            number: number.clone(),
            ..d
        }));
    }
    deliveries.sort_by_key(|d| d.shipped_on);
    Ok(deliveries)
}

/// Text that is there and not blank.
fn filled(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// How much of a sale line has left the warehouse: its done moves in the line's unit. A
/// service line ships nothing, so it cannot say.
pub(super) fn shipped(line: &Record<'_>) -> ErpResult<Option<LineQuantity>> {
    let goods = line
        .related("product")?
        .map(|p| p.opt_str("type"))
        .transpose()?
        .flatten()
        .is_some_and(|t| t != "service");
    if !goods {
        return Ok(None);
    }
    let unit = line.opt_int("unit")?;
    let mut total = 0.0;
    for m in line.related_list("moves")? {
        if m.opt_str("state")? != Some("done") {
            continue;
        }
        if m.opt_int("unit")? != unit {
            // a move in another unit of measure would need Tryton's conversion: do not guess
            return Ok(None);
        }
        total += m.float("quantity")?;
    }
    let total = rust_decimal::Decimal::from_f64_retain(total)
        .map(|d| d.round_dp(4))
        .ok_or_else(|| ErpError::invalid_data(format!("shipped quantity {total}")))?;
    Ok(LineQuantity::new(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> Value {
        json!({"__class__": "date", "year": y, "month": m, "day": d})
    }

    #[test]
    fn without_the_modules_no_carrier_or_package_field_is_asked_for() {
        let bare = ShipmentFields::from_fields_get(&json!({})).unwrap();
        assert_eq!(bare, ShipmentFields::default());
        let fields = bare.sale_fields();
        assert!(
            !fields.iter().any(|f| f.contains("carrier")
                || f.contains("shipping_")
                || f.contains("packages")),
            "{fields:?}"
        );
        // stock_package alone has packages but no tracking reference
        let packages_only =
            ShipmentFields::from_fields_get(&json!({"root_packages": {"type": "one2many"}}))
                .unwrap();
        assert!(!packages_only.tracking);
        let full = ShipmentFields::from_fields_get(&json!({
            "carrier": {}, "shipping_reference": {}, "root_packages": {}
        }))
        .unwrap();
        assert!(full.carrier && full.tracking);
        assert!(
            full.sale_fields()
                .contains(&"shipments.root_packages.shipping_reference")
        );
        assert!(ShipmentFields::from_fields_get(&json!([])).is_err());
    }

    #[test]
    fn a_sale_read_without_the_modules_has_deliveries_without_carrier() {
        let sale = json!({
            "id": 1,
            "shipments.": [
                {"id": 7, "number": "7", "state": "done", "effective_date": date(2026, 3, 2),
                 "reference": "HAND-1"},
                {"id": 8, "number": "8", "state": "done", "effective_date": date(2026, 3, 1),
                 "reference": null},
                {"id": 9, "number": "9", "state": "waiting", "effective_date": null,
                 "reference": null}
            ]
        });
        let record = Record::new("sale.sale", &sale).unwrap();
        let found = deliveries(&record).unwrap();
        assert_eq!(found.len(), 2, "only done shipments: {found:?}");
        assert_eq!(found[0].number, "8");
        assert_eq!(
            found[0].shipped_on,
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            (
                found[0].carrier.as_str(),
                found[0].tracking_number.as_deref()
            ),
            ("", None)
        );
        assert_eq!(found[1].tracking_number.as_deref(), Some("HAND-1"));
    }

    #[test]
    fn each_tracked_package_is_a_delivery_with_its_carrier() {
        let sale = json!({
            "id": 1,
            "shipments.": [{
                "id": 7, "number": "7", "state": "done", "effective_date": date(2026, 3, 2),
                "reference": "HAND-1", "shipping_reference": "MASTER",
                "carrier.": {"id": 1, "party.": {"id": 5, "name": "DHL Paket"}},
                "root_packages.": [
                    {"id": 1, "shipping_reference": "P-1",
                     "shipping_tracking_url": "https://track.example/P-1"},
                    {"id": 2, "shipping_reference": "P-2", "shipping_tracking_url": null},
                    {"id": 3, "shipping_reference": "", "shipping_tracking_url": null}
                ]
            }]
        });
        let found = deliveries(&Record::new("sale.sale", &sale).unwrap()).unwrap();
        let tracking: Vec<_> = found
            .iter()
            .map(|d| {
                (
                    d.number.as_str(),
                    d.carrier.as_str(),
                    d.tracking_number.as_deref(),
                    d.tracking_url.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            tracking,
            [
                (
                    "7",
                    "DHL Paket",
                    Some("P-1"),
                    Some("https://track.example/P-1")
                ),
                ("7", "DHL Paket", Some("P-2"), None)
            ]
        );
    }

    #[test]
    fn a_line_has_shipped_its_done_moves() {
        let line = |moves: Value, kind: &str| json!({"id": 1, "unit": 1, "product.": {"id": 3, "type": kind}, "moves.": moves});
        let moves = json!([
            {"id": 1, "quantity": 4.0, "state": "done", "unit": 1},
            {"id": 2, "quantity": 6.0, "state": "assigned", "unit": 1},
            {"id": 3, "quantity": 1.0, "state": "done", "unit": 1}
        ]);
        let goods = line(moves, "goods");
        assert_eq!(
            shipped(&Record::new("sale.line", &goods).unwrap()).unwrap(),
            Some(5u32.into())
        );
        let none = line(json!([]), "goods");
        assert_eq!(
            shipped(&Record::new("sale.line", &none).unwrap()).unwrap(),
            Some(0u32.into())
        );
        let service = line(json!([]), "service");
        assert_eq!(
            shipped(&Record::new("sale.line", &service).unwrap()).unwrap(),
            None
        );
        let other_unit = line(
            json!([{"id": 1, "quantity": 1.0, "state": "done", "unit": 2}]),
            "goods",
        );
        assert_eq!(
            shipped(&Record::new("sale.line", &other_unit).unwrap()).unwrap(),
            None
        );
    }
}
