//! The pages of a listing: how many were found, and the links between
//! pages. One pager for every listing (the workshops, the wish wall).

use crate::db::Paged;
use crate::domain::format::{count_label, group_number};

pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

/// What a listing's page says of its pages. A page knows its total only
/// when it shows the last match; before that it says "40+" (the matches
/// so far, and more follow).
pub struct Pager {
    /// The number found, as written ("12", "40+"); `None` on a page past
    /// the end, which says so and links to the first page.
    pub found: Option<String>,
    pub page: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The two pages before this one, this one, and the next if any.
    pub links: Vec<PageLink>,
    pub first: String,
}

impl Pager {
    pub fn new<R>(p: &Paged<R>, href: impl Fn(i64) -> String) -> Pager {
        let past_end = p.past_end();
        let found = (!past_end).then(|| match p.total() {
            Some(n) => group_number(n as f64),
            None => count_label(p.shown(), true),
        });
        let last = if p.more { p.page + 1 } else { p.page };
        let links = ((p.page - 2).max(1)..=last)
            .map(|n| PageLink { number: n, href: href(n), current: n == p.page })
            .collect();
        Pager {
            found,
            page: p.page,
            prev: (p.page > 1 && !past_end).then(|| href(p.page - 1)),
            next: p.more.then(|| href(p.page + 1)),
            links: if past_end { Vec::new() } else { links },
            first: href(1),
        }
    }

    /// There is more than one page to move between.
    pub fn shows(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
    }

    pub fn past_end(&self) -> bool {
        self.found.is_none()
    }
}
