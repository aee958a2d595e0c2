//! Loads the demo content. Only adds what is missing: a row that exists
//! (by its stable code) is left as staff last saved it.

use chrono::Utc;

use super::events::{NewEvent, insert_event};
use super::{BeginWrite, Db, DbResult, on_db};
use crate::seed::SeedFile;

/// Inserts every district, figure, programme, place and story that is not
/// there yet, in one transaction. Returns how many rows were added, so a
/// second run returns 0.
#[tracing::instrument(name = "db::seed::apply", skip_all)]
pub async fn apply(db: &Db, files: &[SeedFile]) -> DbResult<u64> {
    let now = Utc::now();
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut added = 0u64;
        for file in files {
            let d = &file.district;
            added += sqlx::query(
                "INSERT INTO districts (slug, kind, name_zh, name_en, summary_zh, summary_en, \
                                        position, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (slug) DO NOTHING",
            )
            .bind(&d.slug)
            .bind(&d.kind)
            .bind(&d.name_zh)
            .bind(&d.name_en)
            .bind(&d.summary_zh)
            .bind(&d.summary_en)
            .bind(d.position)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let district_id: i64 = sqlx::query_scalar("SELECT id FROM districts WHERE slug = $1")
                .bind(&d.slug)
                .fetch_one(&mut *tx)
                .await?;

            for (position, f) in file.figures.iter().enumerate() {
                added += sqlx::query(
                    "INSERT INTO figures (district_id, code, label_zh, label_en, value, unit_zh, \
                         unit_en, qualifier, year, as_of_zh, as_of_en, source_zh, source_en, \
                         chart_group, headline, position) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                     ON CONFLICT (district_id, code) DO NOTHING",
                )
                .bind(district_id)
                .bind(&f.code)
                .bind(&f.label_zh)
                .bind(&f.label_en)
                .bind(f.value)
                .bind(&f.unit_zh)
                .bind(&f.unit_en)
                .bind(&f.qualifier)
                .bind(f.year)
                .bind(&f.as_of_zh)
                .bind(&f.as_of_en)
                .bind(&f.source_zh)
                .bind(&f.source_en)
                .bind(&f.chart_group)
                .bind(f.headline)
                .bind(position as i32)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }

            for (position, pr) in file.programmes.iter().enumerate() {
                added += sqlx::query(
                    "INSERT INTO programmes (district_id, code, name_zh, name_en, summary_zh, \
                                             summary_en, position) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (district_id, code) DO NOTHING",
                )
                .bind(district_id)
                .bind(&pr.code)
                .bind(&pr.name_zh)
                .bind(&pr.name_en)
                .bind(&pr.summary_zh)
                .bind(&pr.summary_en)
                .bind(position as i32)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }

            for (position, pl) in file.places.iter().enumerate() {
                added += sqlx::query(
                    "INSERT INTO places (district_id, code, kind, name_zh, name_en, summary_zh, \
                         summary_en, address_zh, address_en, hours_zh, hours_en, amenities, \
                         contact, latitude, longitude, is_open, position, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                             TRUE, $16, $17, $17) \
                     ON CONFLICT (code) DO NOTHING",
                )
                .bind(district_id)
                .bind(&pl.code)
                .bind(&pl.kind)
                .bind(&pl.name_zh)
                .bind(&pl.name_en)
                .bind(&pl.summary_zh)
                .bind(&pl.summary_en)
                .bind(&pl.address_zh)
                .bind(&pl.address_en)
                .bind(&pl.hours_zh)
                .bind(&pl.hours_en)
                .bind(pl.amenities.join(" "))
                .bind(&pl.contact)
                .bind(pl.latitude)
                .bind(pl.longitude)
                .bind(position as i32)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }

            for (position, s) in file.stories.iter().enumerate() {
                added += sqlx::query(
                    "INSERT INTO stories (district_id, place_id, code, title_zh, title_en, \
                                          body_zh, body_en, position) \
                     VALUES ($1, (SELECT id FROM places WHERE code = $2), $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (district_id, code) DO NOTHING",
                )
                .bind(district_id)
                .bind(&s.place)
                .bind(&s.code)
                .bind(&s.title_zh)
                .bind(&s.title_en)
                .bind(&s.body_zh)
                .bind(&s.body_en)
                .bind(position as i32)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }

            for w in &file.workshops {
                let search = crate::domain::workshop::search_text(&[
                    &w.name_zh, w.name_en.as_deref().unwrap_or(""), &w.villages_zh,
                    w.villages_en.as_deref().unwrap_or(""), &w.summary_zh,
                    w.summary_en.as_deref().unwrap_or(""), &w.town_zh,
                ]);
                added += sqlx::query(
                    "INSERT INTO workshops (slug, district_id, category, name_zh, name_en, town_zh, \
                         town_en, villages_zh, villages_en, summary_zh, summary_en, model_zh, model_en, \
                         partners_zh, partners_en, founded_year, founded_month, contact, employed, \
                         income_per_person_year, search_text, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                             $17, $18, $19, $20, $21, $22, $22) ON CONFLICT (slug) DO NOTHING",
                )
                .bind(&w.slug).bind(district_id).bind(&w.category).bind(&w.name_zh).bind(&w.name_en)
                .bind(&w.town_zh).bind(&w.town_en).bind(&w.villages_zh).bind(&w.villages_en)
                .bind(&w.summary_zh).bind(&w.summary_en).bind(&w.model_zh).bind(&w.model_en)
                .bind(&w.partners_zh).bind(&w.partners_en).bind(w.founded_year).bind(w.founded_month)
                .bind(&w.contact).bind(w.employed).bind(w.income_per_person_year).bind(&search).bind(now)
                .execute(&mut *tx).await?.rows_affected();
                let workshop_id: i64 = sqlx::query_scalar("SELECT id FROM workshops WHERE slug = $1")
                    .bind(&w.slug).fetch_one(&mut *tx).await?;
                for (position, f) in w.figures.iter().enumerate() {
                    added += sqlx::query(
                        "INSERT INTO workshop_figures (workshop_id, code, label_zh, label_en, value, \
                             unit_zh, unit_en, qualifier, year, as_of_zh, as_of_en, source_zh, \
                             source_en, position) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                         ON CONFLICT (workshop_id, code) DO NOTHING",
                    )
                    .bind(workshop_id).bind(&f.code).bind(&f.label_zh).bind(&f.label_en).bind(f.value)
                    .bind(&f.unit_zh).bind(&f.unit_en).bind(&f.qualifier).bind(f.year)
                    .bind(&f.as_of_zh).bind(&f.as_of_en).bind(&f.source_zh).bind(&f.source_en)
                    .bind(position as i32)
                    .execute(&mut *tx).await?.rows_affected();
                }
                for o in &w.openings {
                    added += sqlx::query(
                        "INSERT INTO openings (workshop_id, code, task_zh, task_en, pay_zh, pay_en, \
                             hours_zh, hours_en, places, places_left, is_open, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, TRUE, $10) \
                         ON CONFLICT (workshop_id, code) DO NOTHING",
                    )
                    .bind(workshop_id).bind(&o.code).bind(&o.task_zh).bind(&o.task_en)
                    .bind(&o.pay_zh).bind(&o.pay_en).bind(&o.hours_zh).bind(&o.hours_en)
                    .bind(o.places).bind(now)
                    .execute(&mut *tx).await?.rows_affected();
                }
            }

            for w in &file.wishes {
                // A hash of random bytes: nobody holds a code for a demo wish.
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                let unusable = crate::domain::hex(&bytes);
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO wishes (station_id, status, what, why, display_name, occupation, code_hash, \
                         opened_at, closed_at, fulfil_note, arrived, thanks, seed_code, created_at, updated_at) \
                     SELECT id, 'fulfilled', $1, $2, $3, $4, $5, $6, $6, $7, TRUE, $8, $9, $6, $6 \
                     FROM places WHERE code = $10 \
                     ON CONFLICT (seed_code) DO NOTHING RETURNING id",
                )
                .bind(&w.what).bind(&w.why).bind(&w.display_name).bind(&w.occupation).bind(&unusable)
                .bind(now).bind(&w.fulfil_note).bind(&w.thanks).bind(&w.code).bind(&w.station)
                .fetch_optional(&mut *tx).await?;
                if let Some(id) = id {
                    added += 1;
                    for (kind, from, to, note, public) in [
                        ("worker", None, "pending", "", false),
                        ("staff", Some("pending"), "open", "", false),
                        ("volunteer", Some("open"), "claimed", "", false),
                        ("volunteer", Some("claimed"), "fulfilled", w.fulfil_note.as_str(), true),
                        ("worker", Some("fulfilled"), "fulfilled", "arrived", false),
                    ] {
                        insert_event!(&mut *tx, &NewEvent {
                            wish_id: id, at: now, actor_kind: kind, actor_id: None,
                            from, to, note, public_note: public,
                        })?;
                    }
                }
            }
        }
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(added)
    })
}

/// True when no district exists yet: a fresh database.
#[tracing::instrument(name = "db::seed::is_empty", skip_all)]
pub async fn is_empty(db: &Db) -> DbResult<bool> {
    let count: i64 = on_db!(db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM districts").fetch_one(p).await?
    });
    Ok(count == 0)
}
