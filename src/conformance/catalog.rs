//! Catalog rules: paging, search, and products by SKU.

use std::collections::HashMap;

use super::context::{Context, short_random};
use super::{Checked, During, Outcome, Rule, ensure, expect_not_found};
use crate::domain::{CatalogQuery, Sku};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "catalog.paging",
        description: "Catalog pages do not overlap, have the size the total implies, and end after the last page.",
        check: |cx| Box::pin(paging(cx)),
    },
    Rule {
        id: "catalog.search",
        description: "A search by a product's SKU finds it, a category search stays in the category, a search matching nothing is empty.",
        check: |cx| Box::pin(search(cx)),
    },
    Rule {
        id: "catalog.product",
        description: "A product asked for by SKU is the product the catalog lists under that SKU.",
        check: |cx| Box::pin(product(cx)),
    },
    Rule {
        id: "catalog.unknown_sku",
        description: "A product asked for by an unknown SKU is NotFound.",
        check: |cx| Box::pin(unknown_sku(cx)),
    },
];

/// Pages beyond this are not asked for, as queries are clamped there.
const LAST_PAGE_ASKED: u64 = 10_000;

async fn paging(cx: &Context<'_>) -> Checked {
    let erp = &cx.subject.erp;
    let everything = |page, per_page| CatalogQuery::new(None, None, page, per_page);
    let total = erp
        .search_products(&everything(1, 1))
        .await
        .during("search_products(page 1 of 1 per page)")?
        .total;
    ensure(total > 0, || "the catalog says it holds 0 products".into())?;
    // Small pages, so that even a small catalog spans several of them.
    let per_page = (total / 3).clamp(1, 5);
    let page_count = total.div_ceil(per_page);
    let mut pages: Vec<u64> = (1..=page_count.min(3)).collect();
    if page_count > 3 && page_count < LAST_PAGE_ASKED {
        pages.push(page_count);
    }

    let mut seen: HashMap<Sku, u64> = HashMap::new();
    for &number in &pages {
        let page = erp
            .search_products(&everything(number as u32, per_page as u32))
            .await
            .during(format_args!("search_products(page {number})"))?;
        ensure(page.total == total, || {
            format!(
                "page {number} says {} products in all, the first said {total}",
                page.total
            )
        })?;
        let expected = per_page.min(total - (number - 1) * per_page);
        ensure(page.items.len() as u64 == expected, || {
            format!(
                "page {number} of {per_page} per page holds {} products; with {total} in all it should hold {expected}",
                page.items.len()
            )
        })?;
        for item in &page.items {
            if let Some(earlier) = seen.insert(item.sku.clone(), number) {
                return Err(if earlier == number {
                    format!("page {number} lists SKU {} twice", item.sku)
                } else {
                    format!(
                        "page {number} repeated SKU {} from page {earlier}",
                        item.sku
                    )
                });
            }
        }
    }

    if page_count < LAST_PAGE_ASKED {
        let beyond = page_count + 1;
        let page = erp
            .search_products(&everything(beyond as u32, per_page as u32))
            .await
            .during(format_args!("search_products(page {beyond})"))?;
        ensure(page.items.is_empty(), || {
            format!(
                "page {beyond}, after the last page {page_count}, holds {} products (first {})",
                page.items.len(),
                page.items[0].sku
            )
        })?;
    }
    Ok(Outcome::Pass)
}

async fn search(cx: &Context<'_>) -> Checked {
    let erp = &cx.subject.erp;
    let sample = cx.sample().await?;
    // Not the first product: an adapter that ignores the text would still list that one.
    let known = &sample[sample.len() / 2];

    let by_sku = CatalogQuery::new(
        Some(known.sku.as_str()),
        None,
        1,
        CatalogQuery::MAX_PER_PAGE,
    );
    let page = erp
        .search_products(&by_sku)
        .await
        .during(format_args!("search_products(text \"{}\")", known.sku))?;
    ensure(page.items.iter().any(|p| p.sku == known.sku), || {
        let found: Vec<&str> = page.items.iter().take(5).map(|p| p.sku.as_str()).collect();
        format!(
            "a search for \"{}\" did not return {} ({} results, first {found:?})",
            known.sku, known.sku, page.total
        )
    })?;

    let in_category = CatalogQuery::new(None, Some(&known.category), 1, CatalogQuery::MAX_PER_PAGE);
    let page = erp
        .search_products(&in_category)
        .await
        .during(format_args!(
            "search_products(category \"{}\")",
            known.category
        ))?;
    if let Some(stray) = page.items.iter().find(|p| p.category != known.category) {
        return Err(format!(
            "a search in category \"{}\" returned {} of category \"{}\"",
            known.category, stray.sku, stray.category
        ));
    }
    let complete = page.total <= u64::from(CatalogQuery::MAX_PER_PAGE);
    ensure(
        !complete || page.items.iter().any(|p| p.sku == known.sku),
        || {
            format!(
                "a search in category \"{}\" did not return {}, which is in it",
                known.category, known.sku
            )
        },
    )?;

    let nonsense = format!("zzq-no-such-product-{}", short_random().to_lowercase());
    let page = erp
        .search_products(&CatalogQuery::new(Some(&nonsense), None, 1, 10))
        .await
        .during(format_args!("search_products(text \"{nonsense}\")"))?;
    ensure(page.items.is_empty() && page.total == 0, || {
        format!(
            "a search for \"{nonsense}\", which no product matches, returned {} products (total {})",
            page.items.len(),
            page.total
        )
    })?;
    Ok(Outcome::Pass)
}

async fn product(cx: &Context<'_>) -> Checked {
    for listed in cx.sample().await?.iter().take(3) {
        let sku = &listed.sku;
        let product = cx
            .subject
            .erp
            .product(sku)
            .await
            .during(format_args!("product({sku})"))?;
        ensure(&product.sku == sku, || {
            format!("product({sku}) returned product {}", product.sku)
        })?;
        ensure(product.name == listed.name, || {
            format!(
                "product({sku}) is named {:?}, the catalog search names it {:?}",
                product.name, listed.name
            )
        })?;
        ensure(product.category == listed.category, || {
            format!(
                "product({sku}) is in category {:?}, the catalog search puts it in {:?}",
                product.category, listed.category
            )
        })?;
    }
    Ok(Outcome::Pass)
}

async fn unknown_sku(cx: &Context<'_>) -> Checked {
    let sku = unknown_sku_value()?;
    let answer = cx.subject.erp.product(&sku).await;
    expect_not_found(&format!("product({sku})"), answer, |p| {
        format!("product {}", p.sku)
    })?;
    Ok(Outcome::Pass)
}

/// A well-formed SKU that no ERP holds.
pub(super) fn unknown_sku_value() -> Result<Sku, String> {
    Sku::parse(format!("ZZQ-NO-SUCH-{}", short_random())).map_err(|e| e.to_string())
}
