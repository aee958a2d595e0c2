//! Common-prosperity workshops: categories, the listing's filters, and the
//! forms villagers and keepers fill in.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::account::Phone;
use super::form::FormErrors;
use super::revision::Fields;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Farming,
    Handicraft,
    FoodProcessing,
    Ecommerce,
    CultureTourism,
    Training,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Farming,
        Category::Handicraft,
        Category::FoodProcessing,
        Category::Ecommerce,
        Category::CultureTourism,
        Category::Training,
        Category::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Farming => "farming",
            Category::Handicraft => "handicraft",
            Category::FoodProcessing => "food_processing",
            Category::Ecommerce => "ecommerce",
            Category::CultureTourism => "culture_tourism",
            Category::Training => "training",
            Category::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Category::Farming => "workshop.category.farming",
            Category::Handicraft => "workshop.category.handicraft",
            Category::FoodProcessing => "workshop.category.food_processing",
            Category::Ecommerce => "workshop.category.ecommerce",
            Category::CultureTourism => "workshop.category.culture_tourism",
            Category::Training => "workshop.category.training",
            Category::Other => "workshop.category.other",
        }
    }
}

/// What search matches against: every given text, lower-cased, joined.
pub fn search_text(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).map(|p| p.to_lowercase()).collect::<Vec<_>>().join("\n")
}

/// A category's names in both languages, last in every workshop's search
/// text: "编织" finds the 手工编织 workshops. Migration 0020 wrote them
/// into the texts stored before.
pub fn category_names(c: Category) -> [&'static str; 2] {
    [crate::i18n::t(super::Lang::Zh, c.label_key()), crate::i18n::t(super::Lang::En, c.label_key())]
}

/// A workshop's search text: its names, villages, summaries, town and
/// category.
pub fn workshop_search_text(
    category: Category,
    name_zh: &str,
    name_en: &str,
    villages_zh: &str,
    summary_zh: &str,
    summary_en: &str,
    town_zh: &str,
) -> String {
    let [cat_zh, cat_en] = category_names(category);
    search_text(&[name_zh, name_en, villages_zh, summary_zh, summary_en, town_zh, cat_zh, cat_en])
}

/// Whether a character starts an indexed pair of the search index: every
/// character but ASCII (Chinese needs pairs; Latin words are common
/// enough that a walk of the listing finds them fast).
fn starts_pair(c: char) -> bool {
    !c.is_ascii()
}

/// The pairs the search index holds for a search text, cut as migration
/// 0008 cuts them: each character that starts a pair with the one after
/// it, the last with a space.
pub fn grams(text: &str) -> std::collections::BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| starts_pair(chars[i]))
        .map(|i| [chars[i], chars.get(i + 1).copied().unwrap_or(' ')].iter().collect())
        .collect()
}

/// One way into the search index for a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GramKey {
    /// A pair inside the query: the workshops that hold it.
    Pair(String),
    /// A character the query ends with: every pair from the first string
    /// (the character) up to, not including, the second (the next one).
    Prefix(String, String),
}

/// How many keys a query is tried by: enough to find a rare one, few
/// enough that a long query costs no more than a short one.
const KEYS_MAX: usize = 4;

/// The ways into the search index for a lower-cased query, spread over
/// it (at most [`KEYS_MAX`]); none when it has no indexed character.
pub fn query_keys(q: &str) -> Vec<GramKey> {
    let chars: Vec<char> = q.chars().collect();
    let mut pairs: Vec<String> = Vec::new();
    for w in chars.windows(2) {
        let pair: String = w.iter().collect();
        if starts_pair(w[0]) && !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    if !pairs.is_empty() {
        let step = pairs.len().div_ceil(KEYS_MAX);
        return pairs.into_iter().step_by(step).take(KEYS_MAX).map(GramKey::Pair).collect();
    }
    match chars.last() {
        Some(&c) if starts_pair(c) => {
            let next = (u32::from(c) + 1..=u32::from(char::MAX))
                .find_map(char::from_u32)
                .unwrap_or(char::MAX);
            vec![GramKey::Prefix(c.to_string(), next.to_string())]
        }
        _ => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    MostEmployed,
    LargestIncrease,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::MostEmployed, Sort::LargestIncrease];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::MostEmployed => "employed",
            Sort::LargestIncrease => "income",
        }
    }

    pub fn parse(code: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Sort::Newest => "workshops.sort.newest",
            Sort::MostEmployed => "workshops.sort.employed",
            Sort::LargestIncrease => "workshops.sort.income",
        }
    }
}

/// The listing's filters as typed in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListingParams {
    pub district: Option<String>,
    pub town: Option<String>,
    pub category: Option<String>,
    pub hiring: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

/// Filters that passed; anything unknown or malformed was dropped and
/// named in `ignored` (catalogue keys) so the page can say so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub district: Option<String>,
    pub town: Option<String>,
    pub category: Option<Category>,
    pub hiring: bool,
    pub q: Option<String>,
    pub sort: Sort,
    pub page: i64,
    pub ignored: Vec<&'static str>,
}

pub const PAGE_SIZE: i64 = 20;
pub const SEARCH_MAX: usize = 50;

fn slug_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl ListingParams {
    pub fn parse(&self) -> Listing {
        let mut out = Listing { page: 1, ..Listing::default() };
        let given = |v: &Option<String>| {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
        };
        if let Some(d) = given(&self.district) {
            if slug_like(&d) {
                out.district = Some(d);
            } else {
                out.ignored.push("workshops.ignored.district");
            }
        }
        if let Some(t) = given(&self.town) {
            if t.chars().count() <= 30 {
                out.town = Some(t);
            } else {
                out.ignored.push("workshops.ignored.town");
            }
        }
        if let Some(c) = given(&self.category) {
            match Category::parse(&c) {
                Some(c) => out.category = Some(c),
                None => out.ignored.push("workshops.ignored.category"),
            }
        }
        if let Some(h) = given(&self.hiring) {
            match h.as_str() {
                "1" | "true" | "on" | "yes" => out.hiring = true,
                "0" | "false" | "off" | "no" => {}
                _ => out.ignored.push("workshops.ignored.hiring"),
            }
        }
        if let Some(q) = given(&self.q) {
            out.q = Some(q.chars().take(SEARCH_MAX).collect());
        }
        if let Some(s) = given(&self.sort) {
            match Sort::parse(&s) {
                Some(s) => out.sort = s,
                None => out.ignored.push("workshops.ignored.sort"),
            }
        }
        if let Some(p) = given(&self.page) {
            match crate::domain::page_number(&p) {
                Some(n) => out.page = n,
                None => out.ignored.push("workshops.ignored.page"),
            }
        }
        out
    }
}

impl Listing {
    /// The query string for this listing on another page (or sort),
    /// keeping every filter, so a link reproduces the view.
    pub fn query(&self, page: i64, sort: Sort) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &self.district {
            parts.push(("district", d.clone()));
        }
        if let Some(t) = &self.town {
            parts.push(("town", t.clone()));
        }
        if let Some(c) = self.category {
            parts.push(("category", c.code().to_owned()));
        }
        if self.hiring {
            parts.push(("hiring", "1".to_owned()));
        }
        if let Some(q) = &self.q {
            parts.push(("q", q.clone()));
        }
        if sort != Sort::Newest {
            parts.push(("sort", sort.code().to_owned()));
        }
        if page > 1 {
            parts.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(&parts).unwrap_or_default()
    }

    /// This view's query string, first page: for the open-data links.
    pub fn query_here(&self) -> String {
        self.query(1, self.sort)
    }

    pub fn is_filtered(&self) -> bool {
        self.district.is_some()
            || self.town.is_some()
            || self.category.is_some()
            || self.hiring
            || self.q.is_some()
    }
}

/// A villager's sign-up as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignupInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug)]
pub struct NewSignup {
    pub name: String,
    pub phone: Phone,
    pub village: String,
    pub note: String,
}

pub const NOTE_MAX: usize = 200;

impl SignupInput {
    pub fn parse(&self) -> Result<NewSignup, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[
            ("name", &self.name),
            ("phone", &self.phone),
            ("village", &self.village),
            ("note", &self.note),
        ]);
        let name = self.name.trim();
        if name.is_empty() {
            e.add("name", "form.signup.name_required");
        } else if name.chars().count() > 20 || name.chars().any(char::is_control) {
            e.add("name", "form.signup.name_too_long");
        }
        let phone = Phone::parse(&self.phone);
        if self.phone.trim().is_empty() {
            e.add("phone", "form.signup.phone_required");
        } else if phone.is_none() {
            e.add("phone", "form.phone.invalid");
        }
        let village = self.village.trim();
        if village.is_empty() {
            e.add("village", "form.signup.village_required");
        } else if village.chars().count() > 30 {
            e.add("village", "form.signup.village_too_long");
        }
        if self.note.trim().chars().count() > NOTE_MAX {
            e.add("note", "form.signup.note_too_long");
        }
        match phone {
            Some(phone) if e.is_empty() => Ok(NewSignup {
                name: name.to_owned(),
                phone,
                village: village.to_owned(),
                note: self.note.trim().to_owned(),
            }),
            _ => Err(e),
        }
    }
}

/// The facts of a workshop's form, in form order. Its impact figures are
/// figures of their own (see [`super::content::ContentKind::Figure`]).
pub const FACT_FIELDS: [&str; 15] = [
    "name_zh",
    "name_en",
    "category",
    "town",
    "villages_zh",
    "summary_zh",
    "summary_en",
    "model_zh",
    "partners_zh",
    "founded",
    "contact",
    "employed",
    "income_per_person_year",
    "is_active",
    "draft",
];

pub use super::form::parse_slug;

/// Where a workshop may be: one of its district's towns and streets (id,
/// names), or the district at large (its names).
#[derive(Debug, Clone, Default)]
pub struct Whereabouts {
    pub towns: Vec<(i64, String, Option<String>)>,
    pub district: (String, Option<String>),
}

/// Every field of the form.
pub fn all_fields() -> Vec<&'static str> {
    FACT_FIELDS.to_vec()
}

/// A field's place in the form, for listing changes in form order (a
/// figure row's of a revision saved while figures were in the form
/// follows the facts, row by row).
pub fn field_position(name: &str) -> usize {
    match FACT_FIELDS.iter().position(|f| *f == name) {
        Some(i) => i,
        None => match old_figure_part(name) {
            Some((row, j)) => FACT_FIELDS.len() + row * OLD_FIGURE_SPECS.len() + j,
            None => usize::MAX,
        },
    }
}

/// A figure row's fields as revisions saved while a workshop's figures
/// were rows of its form hold them (`fig0_label_zh`, …).
pub const OLD_FIGURE_SPECS: [&str; 10] = [
    "label_zh",
    "label_en",
    "value",
    "unit_zh",
    "unit_en",
    "qualifier",
    "year",
    "as_of_zh",
    "as_of_en",
    "source_id",
];

/// Which figure row and which of [`OLD_FIGURE_SPECS`] a field name of
/// such a revision is, if it is one.
pub fn old_figure_part(name: &str) -> Option<(usize, usize)> {
    let rest = name.strip_prefix("fig")?;
    let (row, spec) = rest.split_once('_')?;
    let row = row.parse::<usize>().ok()?;
    OLD_FIGURE_SPECS.iter().position(|s| *s == spec).map(|j| (row, j))
}

#[derive(Debug, Clone)]
pub struct WorkshopEdit {
    pub name_zh: String,
    pub name_en: Option<String>,
    pub category: Category,
    /// Its town or street in the territory tree; `None`: the district at
    /// large. `town_zh`/`town_en` are its names (or the district's).
    pub town: Option<i64>,
    pub town_zh: String,
    pub town_en: Option<String>,
    pub villages_zh: String,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub model_zh: Option<String>,
    pub partners_zh: Option<String>,
    pub founded: Option<(i32, i32)>,
    pub contact: Option<String>,
    pub employed: Option<i64>,
    /// Reported as "more than" the number (`120+`).
    pub employed_more_than: bool,
    pub income_per_person_year: Option<i64>,
    /// Computed by the portal, not reported: how (`3500×12`).
    pub income_formula: Option<String>,
    pub is_active: bool,
    /// Not yet published: hidden from every public page.
    pub draft: bool,
}

pub const EMPLOYED_MAX: i64 = 1_000_000;
pub const INCOME_MAX: i64 = 10_000_000;

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn number(s: &str, max: i64, field: &'static str, e: &mut FormErrors) -> Option<i64> {
    let s = s.trim().replace([',', '，'], "");
    if s.is_empty() {
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        Ok(_) => {
            e.add(field, "form.number.out_of_range");
            None
        }
        Err(_) => {
            e.add(field, "form.number.invalid");
            None
        }
    }
}

/// A count as reported: `120`, or `120+` ("more than 120", as the
/// article says 120余人); the number itself stays exact for sorting.
fn reported_count(
    s: &str,
    max: i64,
    field: &'static str,
    e: &mut FormErrors,
) -> (Option<i64>, bool) {
    let t = s.trim();
    let (t, more) = match t.strip_suffix(['+', '＋']) {
        Some(rest) => (rest, true),
        None => (t, false),
    };
    if more && t.trim().is_empty() {
        e.add(field, "form.number.invalid");
        return (None, false);
    }
    let n = number(t, max, field, e);
    (n, more && n.is_some())
}

/// A figure the portal computes from a reported one, as typed: `3500×12`
/// (or `3500*12`, `3500x12`, `3,500 × 12`). Its formula as written back
/// (`3500×12`) and its product.
pub fn income_formula(s: &str) -> Option<(String, i64)> {
    // Whole yuan only: both factors and the product are integers.
    let (formula, product) = super::content::formula(s)?;
    let whole = formula.split('×').all(|f| !f.contains('.')) && product.fract() == 0.0;
    let product = product as i64;
    (whole && product <= INCOME_MAX).then_some((formula, product))
}

/// The income field: a reported number, or a formula the portal computes.
fn income(s: &str, e: &mut FormErrors) -> (Option<i64>, Option<String>) {
    const FIELD: &str = "income_per_person_year";
    if s.contains(['×', '*', 'x', 'X']) {
        return match income_formula(s) {
            Some((formula, n)) => (Some(n), Some(formula)),
            None => {
                e.add(FIELD, "form.workshop.formula_invalid");
                (None, None)
            }
        };
    }
    (number(s, INCOME_MAX, FIELD, e), None)
}

/// `2021-10` (or `2021-10-…`), not after `today`.
fn founded(s: &str, today: NaiveDate, e: &mut FormErrors) -> Option<(i32, i32)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut parts = s.split(['-', '/', '.']);
    let year = parts.next().and_then(|y| y.parse::<i32>().ok());
    let month = parts.next().and_then(|m| m.parse::<i32>().ok());
    match (year, month) {
        (Some(y), Some(m)) if (1949..=9999).contains(&y) && (1..=12).contains(&m) => {
            if (y, m) > (today.year(), today.month() as i32) {
                e.add("founded", "form.founded.future");
                None
            } else {
                Some((y, m))
            }
        }
        _ => {
            e.add("founded", "form.founded.invalid");
            None
        }
    }
}

impl WorkshopEdit {
    /// Reads the form (or a revision: the figure rows of one saved while
    /// figures were in the form are not read); a message at each wrong field.
    pub fn parse(
        f: &Fields,
        today: NaiveDate,
        whereabouts: &Whereabouts,
    ) -> Result<WorkshopEdit, FormErrors> {
        let mut e = FormErrors::new();
        let facts: Vec<(&'static str, &str)> = FACT_FIELDS.iter().map(|n| (*n, f.get(n))).collect();
        e.refuse_control(&facts);
        let name_zh = f.get("name_zh").trim();
        if name_zh.is_empty() {
            e.add("name_zh", "form.workshop.name_required");
        } else if name_zh.chars().count() > 60 {
            e.add("name_zh", "form.workshop.name_too_long");
        }
        let category = Category::parse(f.get("category").trim());
        if category.is_none() {
            e.add("category", "form.workshop.category_required");
        }
        let town = match f.get("town").trim() {
            "" => None,
            typed => {
                let found = typed
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| whereabouts.towns.iter().find(|(t, _, _)| *t == id));
                if found.is_none() {
                    e.add("town", "form.content.choose");
                }
                found
            }
        };
        let (town_zh, town_en) = match town {
            Some((_, zh, en)) => (zh.clone(), en.clone()),
            None => whereabouts.district.clone(),
        };
        let summary = f.get("summary_zh").trim();
        if summary.is_empty() {
            e.add("summary_zh", "form.workshop.summary_required");
        } else if summary.chars().count() > 2000 {
            e.add("summary_zh", "form.workshop.summary_too_long");
        }
        for (field, max) in
            [("name_en", 120), ("villages_zh", 200), ("model_zh", 1000), ("partners_zh", 1000)]
        {
            if e.get(field).is_none() && f.get(field).trim().chars().count() > max {
                e.add(field, "form.text.too_long");
            }
        }
        if f.get("villages_zh").contains('\n') {
            e.add("villages_zh", "form.content.one_line");
        }
        if let Err(key) = super::place_edit::check_contact(f.get("contact")) {
            e.add("contact", key);
        }
        let founded = founded(f.get("founded"), today, &mut e);
        let (employed, employed_more_than) =
            reported_count(f.get("employed"), EMPLOYED_MAX, "employed", &mut e);
        let (income, income_formula) = income(f.get("income_per_person_year"), &mut e);
        match category {
            Some(category) if e.is_empty() => Ok(WorkshopEdit {
                name_zh: name_zh.to_owned(),
                name_en: optional(f.get("name_en")),
                category,
                town: town.map(|(id, _, _)| *id),
                town_zh,
                town_en,
                villages_zh: f.get("villages_zh").trim().to_owned(),
                summary_zh: summary.to_owned(),
                summary_en: optional(f.get("summary_en")),
                model_zh: optional(f.get("model_zh")),
                partners_zh: optional(f.get("partners_zh")),
                founded,
                contact: optional(f.get("contact")),
                employed,
                employed_more_than,
                income_per_person_year: income,
                income_formula,
                is_active: !f.get("is_active").is_empty(),
                draft: !f.get("draft").is_empty(),
            }),
            _ => Err(e),
        }
    }

    /// The form's fields in canonical form: what a revision keeps.
    pub fn to_fields(&self) -> Fields {
        let mut f = Fields::new();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        f.set("name_zh", &self.name_zh);
        f.set("name_en", opt(&self.name_en));
        f.set("category", self.category.code());
        f.set("town", self.town.map(|id| id.to_string()).unwrap_or_default());
        f.set("villages_zh", &self.villages_zh);
        f.set("summary_zh", &self.summary_zh);
        f.set("summary_en", opt(&self.summary_en));
        f.set("model_zh", opt(&self.model_zh));
        f.set("partners_zh", opt(&self.partners_zh));
        f.set("founded", self.founded.map(|(y, m)| format!("{y}-{m:02}")).unwrap_or_default());
        f.set("contact", opt(&self.contact));
        let plus = if self.employed_more_than { "+" } else { "" };
        f.set("employed", self.employed.map(|n| format!("{n}{plus}")).unwrap_or_default());
        let income = match (&self.income_formula, self.income_per_person_year) {
            (Some(formula), _) => formula.clone(),
            (None, n) => n.map(|n| n.to_string()).unwrap_or_default(),
        };
        f.set("income_per_person_year", income);
        f.set("is_active", if self.is_active { "on" } else { "" });
        f.set("draft", if self.draft { "on" } else { "" });
        f
    }
}

/// A new opening, as a keeper typed it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpeningInput {
    #[serde(default)]
    pub task_zh: String,
    #[serde(default)]
    pub pay_zh: String,
    #[serde(default)]
    pub hours_zh: String,
    #[serde(default)]
    pub places: String,
    #[serde(default)]
    pub closes_on: String,
}

#[derive(Debug, Clone)]
pub struct NewOpening {
    pub task_zh: String,
    pub pay_zh: String,
    pub hours_zh: String,
    pub places: i64,
    pub closes_on: Option<NaiveDate>,
}

impl OpeningInput {
    pub fn parse(&self, today: NaiveDate) -> Result<NewOpening, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[
            ("task_zh", &self.task_zh),
            ("pay_zh", &self.pay_zh),
            ("hours_zh", &self.hours_zh),
            ("places", &self.places),
            ("closes_on", &self.closes_on),
        ]);
        for (field, value, key) in [
            ("task_zh", &self.task_zh, "form.opening.task_required"),
            ("pay_zh", &self.pay_zh, "form.opening.pay_required"),
            ("hours_zh", &self.hours_zh, "form.opening.hours_required"),
        ] {
            if value.trim().is_empty() {
                e.add(field, key);
            } else if value.trim().chars().count() > 100 {
                e.add(field, "form.opening.too_long");
            }
        }
        let places = match self.places.trim().parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            Ok(_) => {
                e.add("places", "form.opening.places_range");
                None
            }
            Err(_) => {
                e.add("places", "form.number.invalid");
                None
            }
        };
        let closes_on = match self.closes_on.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) if d >= today => Some(d),
                Ok(_) => {
                    e.add("closes_on", "form.opening.closes_past");
                    None
                }
                Err(_) => {
                    e.add("closes_on", "form.opening.closes_invalid");
                    None
                }
            },
        };
        match places {
            Some(places) if e.is_empty() => Ok(NewOpening {
                task_zh: self.task_zh.trim().to_owned(),
                pay_zh: self.pay_zh.trim().to_owned(),
                hours_zh: self.hours_zh.trim().to_owned(),
                places,
                closes_on,
            }),
            _ => Err(e),
        }
    }
}

/// Where a sign-up stands with the keeper.
pub const SIGNUP_STATUSES: [&str; 4] = ["new", "contacted", "hired", "declined"];

pub fn signup_status_key(status: &str) -> &'static str {
    match status {
        "contacted" => "signup.status.contacted",
        "hired" => "signup.status.hired",
        "declined" => "signup.status.declined",
        _ => "signup.status.new",
    }
}

#[cfg(test)]
mod tests {
    /// Migration 0020 wrote the category names into the stored search
    /// texts: they must be the names the catalogue gives now.
    #[test]
    fn migration_0020_writes_the_catalogues_category_names() {
        for dir in ["sqlite", "postgres"] {
            let path = format!(
                "{}/migrations/{dir}/0020_workshop_category_search.sql",
                env!("CARGO_MANIFEST_DIR")
            );
            let sql = std::fs::read_to_string(path).unwrap();
            for c in Category::ALL {
                let [zh, en] = category_names(c);
                let line = sql.lines().find(|l| l.contains(&format!("'{zh}'"))).unwrap_or("");
                assert!(line.contains(&format!("'{}'", en.to_lowercase())), "{dir} {zh}: {line}");
            }
        }
    }

    use super::*;

    #[test]
    fn grams_pair_every_non_ascii_character_with_the_next() {
        let g = grams("蜜梨 ab\n茶");
        let want = ["蜜梨", "梨 ", "茶 "].map(str::to_owned);
        assert_eq!(g, want.into_iter().collect());
        assert!(grams("honey pear").is_empty());
    }

    #[test]
    fn a_query_enters_the_index_by_its_pairs_or_its_last_character() {
        let pair = |s: &str| GramKey::Pair(s.to_owned());
        assert_eq!(query_keys("蜜梨"), vec![pair("蜜梨")]);
        assert_eq!(query_keys("蜜梨蜜梨"), vec![pair("蜜梨"), pair("梨蜜")]);
        assert_eq!(
            query_keys("茶"),
            vec![GramKey::Prefix(
                "茶".into(),
                "茶".chars().map(|c| char::from_u32(c as u32 + 1).unwrap()).collect()
            )]
        );
        assert_eq!(query_keys("a茶"), query_keys("茶"));
        assert!(query_keys("pear").is_empty());
        // A long query is tried by at most four pairs, spread over it.
        let long: String = "一二三四五六七八九十".repeat(3);
        let keys = query_keys(&long);
        assert_eq!(keys.len(), 4);
        assert_eq!(keys[0], pair("一二"));
        // Every key of a query is a pair its matches hold.
        let text = format!("工坊{long}工坊");
        let held = grams(&text);
        for k in keys {
            let GramKey::Pair(p) = k else { panic!("pairs") };
            assert!(held.contains(&p), "{p}");
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Listing {
        let q = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str::<ListingParams>(&q).unwrap().parse()
    }

    #[test]
    fn listing_keeps_good_filters_and_names_the_bad_ones() {
        let l = params(&[
            ("district", "tonglu"),
            ("category", "farming"),
            ("hiring", "1"),
            ("sort", "income"),
            ("page", "3"),
        ]);
        assert_eq!(l.district.as_deref(), Some("tonglu"));
        assert_eq!(l.category, Some(Category::Farming));
        assert!(l.hiring && l.ignored.is_empty());
        assert_eq!((l.sort, l.page), (Sort::LargestIncrease, 3));
        let bad = params(&[
            ("district", "DROP TABLE"),
            ("category", "mining"),
            ("sort", "random"),
            ("page", "-2"),
            ("hiring", "maybe"),
        ]);
        assert_eq!(
            bad,
            Listing {
                page: 1,
                ignored: vec![
                    "workshops.ignored.district",
                    "workshops.ignored.category",
                    "workshops.ignored.hiring",
                    "workshops.ignored.sort",
                    "workshops.ignored.page"
                ],
                ..Listing::default()
            }
        );
    }

    #[test]
    fn listing_links_reproduce_the_view() {
        let l = params(&[("q", "蜜梨 50%"), ("category", "farming"), ("hiring", "on")]);
        let again = serde_urlencoded::from_str::<ListingParams>(&l.query(2, Sort::MostEmployed))
            .unwrap()
            .parse();
        assert_eq!(again.q.as_deref(), Some("蜜梨 50%"));
        assert_eq!((again.page, again.sort, again.hiring), (2, Sort::MostEmployed, true));
        assert_eq!(params(&[]).query(1, Sort::Newest), "");
    }

    #[test]
    fn signups_are_checked_field_by_field() {
        let e = SignupInput { phone: "123".into(), note: "x".repeat(201), ..Default::default() }
            .parse()
            .unwrap_err();
        assert_eq!(e.get("name"), Some("form.signup.name_required"));
        assert_eq!(e.get("phone"), Some("form.phone.invalid"));
        assert_eq!(e.get("village"), Some("form.signup.village_required"));
        assert_eq!(e.get("note"), Some("form.signup.note_too_long"));
        let ok = SignupInput {
            name: " 邱根来 ".into(),
            phone: "13812345678".into(),
            village: "小京村".into(),
            note: String::new(),
        };
        assert_eq!(ok.parse().unwrap().name, "邱根来");
    }

    #[test]
    fn keepers_cannot_enter_absurd_numbers_or_future_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut input = Fields::new();
        for (k, v) in [
            ("name_zh", "x"),
            ("category", "farming"),
            ("town", "7"),
            ("summary_zh", "s"),
            ("employed", "1000001"),
            ("income_per_person_year", "-5"),
            ("founded", "2027-01"),
        ] {
            input.set(k, v);
        }
        let e = WorkshopEdit::parse(&input, today, &places()).unwrap_err();
        assert_eq!(e.get("employed"), Some("form.number.out_of_range"));
        assert_eq!(e.get("income_per_person_year"), Some("form.number.out_of_range"), "negative");
        assert_eq!(e.get("founded"), Some("form.founded.future"));
        let mut bad = input.clone();
        bad.set("employed", "many");
        assert_eq!(
            WorkshopEdit::parse(&bad, today, &places()).unwrap_err().get("employed"),
            Some("form.number.invalid")
        );
        let mut ok = input;
        ok.set("employed", "1,000");
        ok.set("founded", "2021-10");
        ok.set("income_per_person_year", "42000");
        let ok = WorkshopEdit::parse(&ok, today, &places()).unwrap();
        assert_eq!((ok.employed, ok.founded), (Some(1000), Some((2021, 10))));
        assert_eq!(
            WorkshopEdit::parse(&ok.to_fields(), today, &places()).unwrap().to_fields(),
            ok.to_fields()
        );
    }

    fn places() -> Whereabouts {
        Whereabouts {
            towns: vec![(7, "钟山乡".into(), Some("Zhongshan Township".into()))],
            district: ("桐庐县".into(), Some("Tonglu County".into())),
        }
    }

    #[test]
    fn a_workshop_is_in_one_of_its_districts_towns_or_the_district_at_large() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut f = Fields::new();
        for (k, v) in
            [("name_zh", "x"), ("category", "farming"), ("summary_zh", "s"), ("town", "7")]
        {
            f.set(k, v);
        }
        let e = WorkshopEdit::parse(&f, today, &places()).unwrap();
        assert_eq!((e.town, e.town_zh.as_str()), (Some(7), "钟山乡"));
        f.set("town", "");
        let e = WorkshopEdit::parse(&f, today, &places()).unwrap();
        assert_eq!((e.town, e.town_zh.as_str()), (None, "桐庐县"));
        f.set("town", "8");
        let e = WorkshopEdit::parse(&f, today, &places()).unwrap_err();
        assert_eq!(e.get("town"), Some("form.content.choose"));
    }

    #[test]
    fn counts_say_more_than_and_computed_incomes_say_how() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut f = Fields::new();
        for (k, v) in [("name_zh", "x"), ("category", "farming"), ("summary_zh", "s")] {
            f.set(k, v);
        }
        f.set("employed", "120+");
        f.set("income_per_person_year", "3,500 × 12");
        let e = WorkshopEdit::parse(&f, today, &places()).unwrap();
        assert_eq!((e.employed, e.employed_more_than), (Some(120), true));
        assert_eq!(
            (e.income_per_person_year, e.income_formula.as_deref()),
            (Some(42000), Some("3500×12"))
        );
        // Written back as typed, so a revision restores both.
        let back = e.to_fields();
        assert_eq!((back.get("employed"), back.get("income_per_person_year")), ("120+", "3500×12"));
        f.set("employed", "50");
        f.set("income_per_person_year", "42000");
        let e = WorkshopEdit::parse(&f, today, &places()).unwrap();
        assert_eq!((e.employed_more_than, e.income_formula), (false, None));
        for (employed, income) in [("+", "3500×"), ("很多+", "a×12"), ("1000001+", "0×12")] {
            f.set("employed", employed);
            f.set("income_per_person_year", income);
            let errors = WorkshopEdit::parse(&f, today, &places()).unwrap_err();
            assert!(errors.get("employed").is_some(), "{employed}");
            assert_eq!(errors.get("income_per_person_year"), Some("form.workshop.formula_invalid"));
        }
        assert_eq!(income_formula("3500*12"), Some(("3500×12".into(), 42000)));
        assert_eq!(income_formula("99999999×99999999"), None, "beyond any income");
    }

    #[test]
    fn a_new_workshop_address_is_lower_case_words_and_hyphens() {
        assert_eq!(parse_slug(" Honey-Pear2 "), Ok(Some("honey-pear2".into())));
        assert_eq!(parse_slug(""), Ok(None));
        for bad in ["蜜梨", "a", "honey--pear", "-pear", "pear-", "honey pear", "x/../y"] {
            assert_eq!(parse_slug(bad), Err("form.slug_invalid"), "{bad}");
        }
    }

    #[test]
    fn an_old_revision_s_figure_rows_are_named_but_not_read() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut f = Fields::new();
        for (k, v) in [
            ("name_zh", "蜜梨工坊"),
            ("category", "farming"),
            ("town", "7"),
            ("summary_zh", "介绍"),
            ("fig3_label_zh", "带动就业"),
            ("fig3_value", "很多"),
        ] {
            f.set(k, v);
        }
        let edit = WorkshopEdit::parse(&f, today, &places()).unwrap();
        assert_eq!(edit.to_fields().get("fig3_value"), "", "figures are not the form's");
        assert_eq!(old_figure_part("fig3_value"), Some((3, 2)));
        assert_eq!(old_figure_part("fig3_colour"), None);
        assert_eq!(old_figure_part("figure"), None);
        assert!(field_position("fig0_label_zh") > field_position("draft"));
        assert!(field_position("fig1_label_zh") > field_position("fig0_source_id"));
    }

    #[test]
    fn openings_need_places_and_a_date_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let e = OpeningInput {
            places: "0".into(),
            closes_on: "2026-11-28".into(),
            ..Default::default()
        }
        .parse(today)
        .unwrap_err();
        assert_eq!(e.get("task_zh"), Some("form.opening.task_required"));
        assert_eq!(e.get("places"), Some("form.opening.places_range"));
        assert_eq!(e.get("closes_on"), Some("form.opening.closes_past"));
    }
}
