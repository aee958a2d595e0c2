//! Loads the demo content. Only adds what is missing: a row that exists
//! (by its stable code) is left as staff last saved it. Each table's row
//! is built by one function below as an [`Insert`] (SQL and values); the
//! one transaction in [`apply`] runs them in order.

use chrono::{DateTime, Utc};

use super::events::{NewEvent, insert_event};
use super::{Arg, BeginWrite, Db, DbResult, args, bind_args, on_db};
use crate::seed::{
    SeedDistrict, SeedFigure, SeedFile, SeedOpening, SeedPlace, SeedProgramme, SeedSource,
    SeedStory, SeedWish, SeedWorkshop,
};

/// One row of demo content to insert unless it is there: its statement
/// (`ON CONFLICT … DO NOTHING`) and its values.
struct Insert {
    sql: &'static str,
    args: Vec<Arg>,
}

/// Inserts every district, figure, programme, place, story, workshop and
/// wish that is not there yet, in one transaction. Returns how many rows
/// were added, so a second run returns 0.
#[tracing::instrument(name = "db::seed::apply", skip_all)]
pub async fn apply(db: &Db, files: &[SeedFile]) -> DbResult<u64> {
    let now = Utc::now();
    let index_search = super::workshops::index_search_sql(db);
    let added: u64 = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut added = 0u64;
        let last_workshop: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM workshops")
            .fetch_one(&mut *tx).await?;
        macro_rules! run {
            ($insert:expr) => {{
                let i: Insert = $insert;
                bind_args!(sqlx::query(i.sql), &i.args).execute(&mut *tx).await?.rows_affected()
            }};
        }
        macro_rules! id_of {
            ($sql:literal, $key:expr) => {
                sqlx::query_scalar::<_, i64>($sql).bind($key).fetch_one(&mut *tx).await?
            };
        }
        for file in files {
            added += run!(district(&file.district, now));
            let district_id = id_of!("SELECT id FROM districts WHERE slug = $1", &file.district.slug);
            for (position, s) in (0..).zip(&file.sources) {
                added += run!(source(district_id, s, position, now));
            }
            for (position, f) in (0..).zip(&file.figures) {
                added += run!(figure(district_id, None, &f.code, f, position, now));
                run!(first_value(district_id, &f.code, f, &file.sources, now));
            }
            for (position, pr) in (0..).zip(&file.programmes) {
                added += run!(programme(district_id, pr, position, now));
            }
            for (position, pl) in (0..).zip(&file.places) {
                added += run!(place(district_id, pl, position, now));
            }
            for (position, s) in (0..).zip(&file.stories) {
                added += run!(story(district_id, s, position, now));
            }
            for w in &file.workshops {
                added += run!(workshop(district_id, w, now));
                let workshop_id = id_of!("SELECT id FROM workshops WHERE slug = $1", &w.slug);
                // A workshop's figure is a figure of its district, named
                // apart from the district's own by the workshop's address.
                for (position, f) in (0..).zip(&w.figures) {
                    let code = format!("workshop-{}-{}", w.slug, f.code);
                    added += run!(figure(district_id, Some(workshop_id), &code, f, position, now));
                    run!(first_value(district_id, &code, f, &file.sources, now));
                }
                for o in &w.openings {
                    added += run!(opening(workshop_id, o, now));
                }
            }
            for a in &file.activities {
                let today = crate::domain::format::today_at(now);
                let schedule = a.schedule(today).ok_or_else(|| {
                    sqlx::Error::Decode(format!("activity {}: its schedule does not read", a.code).into())
                })?;
                let inserted = run!(activity(district_id, a, &schedule, now));
                if inserted == 0 {
                    continue;
                }
                added += inserted;
                let id = id_of!("SELECT id FROM activities WHERE code = $1", &a.code);
                let places = a.places.filter(|_| a.signup != "none");
                for (starts_at, ends_at) in schedule.sessions() {
                    run!(Insert {
                        sql: "INSERT INTO activity_sessions (activity_id, starts_at, ends_at, places, \
                                  places_left) VALUES ($1, $2, $3, $4, $4) \
                              ON CONFLICT (activity_id, starts_at) DO NOTHING",
                        args: args![id, starts_at, ends_at, places],
                    });
                }
            }
            for w in &file.wishes {
                let i = wish(w, now)?;
                let id: Option<i64> = bind_args!(sqlx::query_scalar(i.sql), &i.args)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(id) = id else { continue };
                added += 1;
                for event in wish_history(id, w, now) {
                    insert_event!(&mut *tx, &event)?;
                }
            }
        }
        // The seed only ever adds workshops: index the ones it added.
        sqlx::query(sqlx::AssertSqlSafe(index_search))
            .bind(last_workshop + 1).bind(i64::MAX).execute(&mut *tx).await?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok::<u64, super::DbError>(added)
    })?;
    // What was added joins the territory tree.
    super::territories::adopt(db).await?;
    Ok(added)
}

fn district(d: &SeedDistrict, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO districts (slug, kind, name_zh, name_en, summary_zh, summary_en, \
                                     position, created_at, updated_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (slug) DO NOTHING",
        args: args![
            &d.slug,
            &d.kind,
            &d.name_zh,
            &d.name_en,
            &d.summary_zh,
            &d.summary_en,
            d.position,
            now
        ],
    }
}

fn source(district_id: i64, s: &SeedSource, position: i32, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO sources (district_id, code, publisher_zh, publisher_en, title_zh, \
                  title_en, authors_zh, authors_en, published_on, page, url, note_zh, note_en, \
                  position, updated_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
              ON CONFLICT (code) DO NOTHING",
        args: args![
            district_id,
            &s.code,
            &s.publisher_zh,
            &s.publisher_en,
            &s.title_zh,
            &s.title_en,
            &s.authors_zh,
            &s.authors_en,
            s.published_on,
            &s.page,
            &s.url,
            &s.note_zh,
            &s.note_en,
            position,
            now
        ],
    }
}

/// A seeded figure's value as its first value over the years (once: a
/// figure already there keeps its own), placed by its year, else its
/// source's, else this one (as staff's values are).
fn first_value(
    district_id: i64,
    code: &str,
    f: &SeedFigure,
    sources: &[SeedSource],
    now: DateTime<Utc>,
) -> Insert {
    use chrono::Datelike;
    let published = sources.iter().find(|s| s.code == f.source).and_then(|s| s.published_on);
    let sort_year = f
        .year
        .or(published.map(|d| d.year()))
        .unwrap_or_else(|| crate::domain::format::beijing_year(now));
    Insert {
        sql: "INSERT INTO figure_values (figure_id, year, as_of_zh, as_of_en, value, qualifier, \
                  source_id, sort_year, created_at) \
              SELECT f.id, f.year, f.as_of_zh, f.as_of_en, f.value, f.qualifier, f.source_id, $3, $4 \
              FROM figures f WHERE f.district_id = $1 AND f.code = $2 AND f.value IS NOT NULL \
                AND f.source_id IS NOT NULL \
                AND NOT EXISTS (SELECT 1 FROM figure_values v WHERE v.figure_id = f.id)",
        args: args![district_id, code, sort_year, now],
    }
}

/// What a figure says, the same for a district's and a workshop's: code,
/// label, value, unit, qualifier, year, as-of and the source it cites (11
/// values; the source by its code).
fn figure_values(code: &str, f: &SeedFigure) -> Vec<Arg> {
    args![
        code,
        &f.label_zh,
        &f.label_en,
        f.value,
        &f.unit_zh,
        &f.unit_en,
        &f.qualifier,
        f.year,
        &f.as_of_zh,
        &f.as_of_en,
        &f.source,
    ]
}

/// A district's figure, or (`workshop`) one of its workshop's.
fn figure(
    district_id: i64,
    workshop: Option<i64>,
    code: &str,
    f: &SeedFigure,
    position: i32,
    now: DateTime<Utc>,
) -> Insert {
    Insert {
        sql: "INSERT INTO figures (district_id, code, label_zh, label_en, value, unit_zh, \
                  unit_en, qualifier, year, as_of_zh, as_of_en, source_id, \
                  chart_group, headline, position, updated_at, workshop_id) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                      (SELECT id FROM sources WHERE code = $12), $13, $14, $15, $16, $17) \
              ON CONFLICT (district_id, code) DO NOTHING",
        args: [
            args![district_id],
            figure_values(code, f),
            args![&f.chart_group, f.headline, position, now, workshop],
        ]
        .concat(),
    }
}

fn programme(district_id: i64, pr: &SeedProgramme, position: i32, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO programmes (district_id, code, name_zh, name_en, summary_zh, \
                                      summary_en, position, updated_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (district_id, code) DO NOTHING",
        args: args![
            district_id,
            &pr.code,
            &pr.name_zh,
            &pr.name_en,
            &pr.summary_zh,
            &pr.summary_en,
            position,
            now
        ],
    }
}

fn place(district_id: i64, pl: &SeedPlace, position: i32, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO places (district_id, code, kind, name_zh, name_en, summary_zh, \
                  summary_en, address_zh, address_en, hours_zh, hours_en, amenities, \
                  contact, latitude, longitude, is_open, position, created_at, updated_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                      TRUE, $16, $17, $17) \
              ON CONFLICT (code) DO NOTHING",
        args: args![
            district_id,
            &pl.code,
            &pl.kind,
            &pl.name_zh,
            &pl.name_en,
            &pl.summary_zh,
            &pl.summary_en,
            &pl.address_zh,
            &pl.address_en,
            &pl.hours_zh,
            &pl.hours_en,
            pl.amenities.join(" "),
            &pl.contact,
            pl.latitude,
            pl.longitude,
            position,
            now
        ],
    }
}

fn story(district_id: i64, s: &SeedStory, position: i32, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO stories (district_id, place_id, code, title_zh, title_en, \
                                   body_zh, body_en, position, updated_at) \
              VALUES ($1, (SELECT id FROM places WHERE code = $2), $3, $4, $5, $6, $7, $8, $9) \
              ON CONFLICT (district_id, code) DO NOTHING",
        args: args![
            district_id,
            &s.place,
            &s.code,
            &s.title_zh,
            &s.title_en,
            &s.body_zh,
            &s.body_en,
            position,
            now
        ],
    }
}

fn workshop(district_id: i64, w: &SeedWorkshop, now: DateTime<Utc>) -> Insert {
    let category = crate::domain::workshop::Category::parse(&w.category)
        .unwrap_or(crate::domain::workshop::Category::Other);
    let [cat_zh, cat_en] = crate::domain::workshop::category_names(category);
    let search = crate::domain::workshop::search_text(&[
        &w.name_zh,
        w.name_en.as_deref().unwrap_or(""),
        &w.villages_zh,
        w.villages_en.as_deref().unwrap_or(""),
        &w.summary_zh,
        w.summary_en.as_deref().unwrap_or(""),
        &w.town_zh,
        cat_zh,
        cat_en,
    ]);
    Insert {
        sql: "INSERT INTO workshops (slug, district_id, category, name_zh, name_en, town_zh, \
                  town_en, villages_zh, villages_en, summary_zh, summary_en, model_zh, model_en, \
                  partners_zh, partners_en, founded_year, founded_month, contact, employed, \
                  income_per_person_year, search_text, created_at, updated_at, \
                  employed_more_than, income_formula) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                      $17, $18, $19, $20, $21, $22, $22, $23, $24) ON CONFLICT (slug) DO NOTHING",
        args: args![
            &w.slug,
            district_id,
            &w.category,
            &w.name_zh,
            &w.name_en,
            &w.town_zh,
            &w.town_en,
            &w.villages_zh,
            &w.villages_en,
            &w.summary_zh,
            &w.summary_en,
            &w.model_zh,
            &w.model_en,
            &w.partners_zh,
            &w.partners_en,
            w.founded_year,
            w.founded_month,
            &w.contact,
            w.employed,
            w.income_per_person_year,
            search,
            now,
            w.employed_more_than,
            &w.income_formula
        ],
    }
}

/// An activity row; its schedule as its form writes it.
fn activity(
    district_id: i64,
    a: &crate::seed::SeedActivity,
    schedule: &crate::domain::activity::Schedule,
    now: DateTime<Utc>,
) -> Insert {
    let s = schedule.to_input();
    Insert {
        sql: "INSERT INTO activities (district_id, place_id, code, kind, audience, title_zh, \
                  title_en, summary_zh, summary_en, address_zh, address_en, organiser_zh, \
                  organiser_en, cost_zh, cost_en, bring_zh, bring_en, outcome_zh, outcome_en, \
                  signup, places, party_max, phone_required, first_day, weekdays, every_weeks, \
                  until_day, start_time, end_time, except_days, created_at, updated_at) \
              VALUES ($1, (SELECT id FROM places WHERE code = $2), $3, $4, $5, $6, $7, $8, $9, \
                      $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
                      $25, $26, $27, $28, $29, $30, $31, $31) \
              ON CONFLICT (code) DO NOTHING",
        args: args![
            district_id,
            &a.place,
            &a.code,
            &a.kind,
            &a.audience,
            &a.title_zh,
            &a.title_en,
            &a.summary_zh,
            &a.summary_en,
            &a.address_zh,
            &a.address_en,
            &a.organiser_zh,
            &a.organiser_en,
            &a.cost_zh,
            &a.cost_en,
            &a.bring_zh,
            &a.bring_en,
            &a.outcome_zh,
            &a.outcome_en,
            &a.signup,
            a.places,
            a.party_max,
            a.phone_required,
            schedule.first_day,
            &s.weekdays,
            i64::from(schedule.every_weeks),
            schedule.until,
            &s.start,
            &s.end,
            &s.except,
            now
        ],
    }
}

fn opening(workshop_id: i64, o: &SeedOpening, now: DateTime<Utc>) -> Insert {
    Insert {
        sql: "INSERT INTO openings (workshop_id, code, task_zh, task_en, pay_zh, pay_en, \
                  hours_zh, hours_en, places, places_left, is_open, created_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, TRUE, $10) \
              ON CONFLICT (workshop_id, code) DO NOTHING",
        args: args![
            workshop_id,
            &o.code,
            &o.task_zh,
            &o.task_en,
            &o.pay_zh,
            &o.pay_en,
            &o.hours_zh,
            &o.hours_en,
            o.places,
            now
        ],
    }
}

/// A fulfilled and thanked demo wish at its station (`RETURNING id` when
/// it is new). Its code hash is of random bytes: nobody holds a code for a
/// demo wish.
fn wish(w: &SeedWish, now: DateTime<Utc>) -> Result<Insert, sqlx::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    Ok(Insert {
        sql: "INSERT INTO wishes (station_id, district_id, status, what, why, display_name, \
                  occupation, code_hash, opened_at, closed_at, fulfil_note, arrived, thanks, \
                  seed_code, created_at, updated_at) \
              SELECT id, district_id, 'fulfilled', $1, $2, $3, $4, $5, $6, $6, $7, TRUE, $8, $9, $6, $6 \
              FROM places WHERE code = $10 \
              ON CONFLICT (seed_code) DO NOTHING RETURNING id",
        args: args![
            &w.what,
            &w.why,
            &w.display_name,
            &w.occupation,
            crate::domain::hex(&bytes),
            now,
            &w.fulfil_note,
            &w.thanks,
            &w.code,
            &w.station
        ],
    })
}

/// The history of a demo wish: posted, approved, claimed, fulfilled with
/// its public note, and confirmed by the worker.
fn wish_history(wish_id: i64, w: &SeedWish, now: DateTime<Utc>) -> Vec<NewEvent<'_>> {
    [
        ("worker", None, "pending", "", false, None),
        ("staff", Some("pending"), "open", "", false, None),
        ("volunteer", Some("open"), "claimed", "", false, None),
        ("volunteer", Some("claimed"), "fulfilled", w.fulfil_note.as_str(), true, None),
        ("worker", Some("fulfilled"), "fulfilled", "", false, Some("confirmed")),
    ]
    .into_iter()
    .map(|(actor_kind, from, to, note, public_note, kind)| NewEvent {
        wish_id,
        at: now,
        actor_kind,
        actor_id: None,
        from,
        to,
        note,
        public_note,
        kind,
    })
    .collect()
}

/// True when no district exists yet: a fresh database.
#[tracing::instrument(name = "db::seed::is_empty", skip_all)]
pub async fn is_empty(db: &Db) -> DbResult<bool> {
    let count: i64 = on_db!(db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM districts").fetch_one(p).await?
    });
    Ok(count == 0)
}
