//! Pages of search hits, capped so that no search asks an ERP for more than one screenful.

/// The most hits one page may hold, whatever is asked for.
pub const MAX_PAGE_SIZE: u32 = 50;

/// The last page that may be asked for: beyond it the rep is asked to narrow the search.
pub const MAX_PAGE: u32 = 100;

/// Which page of hits: the number from 1, and how many hits a page holds. Both are kept within
/// bounds when built, so an adapter can pass them to the ERP as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    number: u32,
    size: u32,
}

impl Paging {
    /// Page `number` (from 1) of `size` hits, each brought within 1..=[`MAX_PAGE`] and
    /// 1..=[`MAX_PAGE_SIZE`].
    pub fn new(number: u32, size: u32) -> Self {
        Self {
            number: number.clamp(1, MAX_PAGE),
            size: size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// The page number, from 1.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// How many hits the page holds.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// How many hits come before this page.
    pub fn offset(&self) -> u32 {
        (self.number - 1) * self.size
    }

    /// How many hits to ask the ERP for: one more than the page holds, so that whether there are
    /// more is known without counting all of them.
    pub fn fetch(&self) -> u32 {
        self.size + 1
    }

    /// The next page.
    pub fn next(&self) -> Self {
        Self::new(self.number + 1, self.size)
    }
}

impl Default for Paging {
    fn default() -> Self {
        Self::new(1, 25)
    }
}

/// One page of hits, and whether a next page has any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits<T> {
    /// At most a page of hits.
    pub items: Vec<T>,
    /// Whether there are hits after these.
    pub more: bool,
}

impl<T> Hits<T> {
    /// The page from what the ERP answered when asked for [`Paging::fetch`] hits from
    /// [`Paging::offset`]: the extra hit, when it came, only says that there are more.
    pub fn from_fetched(mut items: Vec<T>, paging: &Paging) -> Self {
        let more = items.len() > paging.size as usize;
        items.truncate(paging.size as usize);
        Self { items, more }
    }

    /// The page out of every hit, for ERPs searched in memory.
    pub fn from_all(all: impl IntoIterator<Item = T>, paging: &Paging) -> Self {
        let fetched = all
            .into_iter()
            .skip(paging.offset() as usize)
            .take(paging.fetch() as usize)
            .collect();
        Self::from_fetched(fetched, paging)
    }

    /// The same page with each hit turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Hits<U> {
        Hits {
            items: self.items.into_iter().map(f).collect(),
            more: self.more,
        }
    }
}

impl<T> Default for Hits<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            more: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_capped_and_know_about_more() {
        let paging = Paging::new(0, 1000);
        assert_eq!((paging.number(), paging.size()), (1, MAX_PAGE_SIZE));
        let paging = Paging::new(2, 3);
        assert_eq!((paging.offset(), paging.fetch()), (3, 4));
        assert_eq!(
            Hits::from_all(1..=7, &paging),
            Hits {
                items: vec![4, 5, 6],
                more: true
            }
        );
        assert!(!Hits::from_all(1..=6, &paging).more);
        assert!(Hits::from_all(1..=2, &paging).items.is_empty());
    }
}
