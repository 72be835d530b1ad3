//! Service-desk customer search rules: a customer is found by number and by a word of its
//! name, in any case, every hit has every word, and hits come a page at a time. Optional like
//! the order search.

use super::context::short_random;
use super::{Checked, Context, During, Outcome, Rule, ensure};
use crate::domain::{CustomerSearch, CustomerSummary, Hits, Paging, matches_words};
use crate::erp::ErpError;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "search.customers_by_number_and_name",
        description: "A customer is found by its number and by words of its name in any case and with an accent added; every hit has every word in its number or name; nonsense finds nobody.",
        check: |cx| Box::pin(by_number_and_name(cx)),
    },
    Rule {
        id: "search.customers_pages",
        description: "Customer hits come a page at a time: never more than the page size, the next page different, a page past the end empty.",
        check: |cx| Box::pin(pages(cx)),
    },
];

async fn search(
    cx: &Context<'_>,
    text: &str,
    paging: Paging,
) -> Result<Option<Hits<CustomerSummary>>, String> {
    let search = CustomerSearch {
        text: text.to_owned(),
        paging,
    };
    match cx.subject.erp.search_customers(&search).await {
        Err(ErpError::Unsupported { .. }) => Ok(None),
        answer => answer
            .during(format_args!("search_customers({search:?})"))
            .map(Some),
    }
}

fn unsupported() -> Outcome {
    Outcome::Skip("the adapter cannot search customers (Unsupported)".into())
}

fn ids(hits: &Hits<CustomerSummary>) -> Vec<String> {
    hits.items
        .iter()
        .map(|c| format!("{} {}", c.id, c.name))
        .collect()
}

async fn by_number_and_name(cx: &Context<'_>) -> Checked {
    let id = &cx.subject.customer;
    let customer = cx
        .subject
        .erp
        .customer(id)
        .await
        .during(format_args!("customer({id})"))?;
    let mut words: Vec<&str> = customer.name.split_whitespace().collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let name_words = words
        .iter()
        .take(2)
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>();
    let mut texts = vec![
        id.to_string(),
        id.to_string().to_lowercase(),
        name_words.join(" "),
        customer.name.to_uppercase(),
    ];
    texts.extend(accented(&customer.name.to_uppercase()));
    for text in texts {
        let Some(hits) = search(cx, &text, Paging::new(1, 50)).await? else {
            return Ok(unsupported());
        };
        ensure(hits.items.iter().any(|c| &c.id == id), || {
            format!(
                "searching \"{text}\" did not find {id} {}; hits: {:?}",
                customer.name,
                ids(&hits)
            )
        })?;
        for hit in &hits.items {
            ensure(
                matches_words(Some(&text), &[hit.id.as_str(), &hit.name]),
                || {
                    format!(
                        "searching \"{text}\" found {} {}, which lacks a word",
                        hit.id, hit.name
                    )
                },
            )?;
        }
    }
    let nonsense = format!("QX{}", short_random());
    let hits = search(cx, &nonsense, Paging::new(1, 10))
        .await?
        .unwrap_or_default();
    ensure(hits.items.is_empty() && !hits.more, || {
        format!("searching \"{nonsense}\" found {:?}", ids(&hits))
    })?;
    Ok(Outcome::Pass)
}

/// `text` with an accent on its first plain vowel (`GLOBEX` as `GLÓBEX`), as a rep types a name
/// they heard; `None` when it has no such vowel. An adapter must find it as it finds `text`.
pub(super) fn accented(text: &str) -> Option<String> {
    let (at, accent) = text.char_indices().find_map(|(at, c)| {
        let accent = match c {
            'a' => 'á',
            'e' => 'é',
            'i' => 'í',
            'o' => 'ó',
            'u' => 'ú',
            'A' => 'Á',
            'E' => 'É',
            'I' => 'Í',
            'O' => 'Ó',
            'U' => 'Ú',
            _ => return None,
        };
        Some((at, accent))
    })?;
    Some(format!("{}{accent}{}", &text[..at], &text[at + 1..]))
}

/// The longest run of characters both texts contain (the first of several as long).
fn longest_shared_part(one: &str, other: &str) -> String {
    let one: Vec<char> = one.chars().collect();
    let mut longest: &[char] = &[];
    for start in 0..one.len() {
        for end in (start + longest.len() + 1)..=one.len() {
            let part: String = one[start..end].iter().collect();
            if !other.contains(&part) {
                break;
            }
            longest = &one[start..end];
        }
    }
    longest.iter().collect()
}

async fn pages(cx: &Context<'_>) -> Checked {
    // Two customers the suite knows: a word common to both is not known, so search the longest
    // part their numbers share (`C-` of C-1000 and C-2000, `00` of R-100 and H-200), which finds
    // at least these two.
    let (one, other) = (
        cx.subject.customer.as_str(),
        cx.subject.other_customer.as_str(),
    );
    let shared = longest_shared_part(one, other);
    if shared.chars().count() < 2 {
        // An adapter without search says so, whatever its test customers are called.
        if search(cx, one, Paging::new(1, 1)).await?.is_none() {
            return Ok(unsupported());
        }
        return Ok(Outcome::Skip(format!(
            "the test customers {one} and {other} share no two characters to search both by"
        )));
    }
    let Some(first) = search(cx, &shared, Paging::new(1, 1)).await? else {
        return Ok(unsupported());
    };
    ensure(first.items.len() == 1 && first.more, || {
        format!(
            "page 1 of size 1 for \"{shared}\": {:?}, more: {}; expected one hit and more",
            ids(&first),
            first.more
        )
    })?;
    let second = search(cx, &shared, Paging::new(2, 1))
        .await?
        .unwrap_or_default();
    ensure(
        second.items.len() == 1 && second.items != first.items,
        || {
            format!(
                "page 2 of size 1: {:?} after {:?}",
                ids(&second),
                ids(&first)
            )
        },
    )?;
    let past_the_end = search(cx, &shared, Paging::new(99, 50))
        .await?
        .unwrap_or_default();
    ensure(past_the_end.items.is_empty() && !past_the_end.more, || {
        format!("a page past the end answered {:?}", ids(&past_the_end))
    })?;
    Ok(Outcome::Pass)
}

#[cfg(test)]
mod tests {
    use super::{accented, longest_shared_part};

    #[test]
    fn the_shared_part_finds_both_customers() {
        assert_eq!(longest_shared_part("C-1000", "C-2000"), "000");
        assert_eq!(longest_shared_part("R-100", "H-200"), "00");
        assert_eq!(longest_shared_part("ABC", "XYZ"), "");
    }

    #[test]
    fn a_heard_name_gets_an_accent() {
        assert_eq!(
            accented("GLOBEX INDUSTRIAL").as_deref(),
            Some("GLÓBEX INDUSTRIAL")
        );
        assert_eq!(accented("Müller").as_deref(), Some("Müllér"));
        assert_eq!(accented("XYZ 42"), None);
    }
}
