//! Generated data for benchmarks and load tests (`linli seed --scale`):
//! many stations, workshops, volunteers and wishes with their events, on
//! top of the demo content. Rows are inserted many to a statement, and the
//! events are derived from the wishes in a few `INSERT … SELECT`s, so a
//! million wishes take minutes, not hours.
//!
//! Everything generated is marked: codes and slugs start with `gen-`,
//! volunteers' addresses end with `@bench.linli.invalid`.

use chrono::{DateTime, Duration, Utc};
use sqlx::AssertSqlSafe;

use super::{BUMP_CONTENT, BeginWrite, Db, DbResult, insert_sql, on_db};
use crate::domain::wish::Occupation;
use crate::domain::workshop::{Category, category_names, search_text};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub stations: usize,
    pub workshops: usize,
    pub volunteers: usize,
    pub wishes: usize,
}

impl Scale {
    pub const MEDIUM: Scale =
        Scale { stations: 200, workshops: 2_000, volunteers: 2_000, wishes: 20_000 };
    pub const LARGE: Scale =
        Scale { stations: 2_000, workshops: 100_000, volunteers: 100_000, wishes: 1_000_000 };

    pub fn named(name: &str) -> Option<Scale> {
        match name {
            "medium" => Some(Scale::MEDIUM),
            "large" => Some(Scale::LARGE),
            _ => None,
        }
    }
}

/// The password every generated volunteer shares (they are test accounts).
pub const VOLUNTEER_PASSWORD: &str = "linli-bench-password";
pub const VOLUNTEER_DOMAIN: &str = "@bench.linli.invalid";

/// What was added.
#[derive(Debug, Default)]
pub struct Generated {
    pub stations: usize,
    pub workshops: usize,
    pub openings: usize,
    pub volunteers: usize,
    pub wishes: usize,
    pub events: u64,
}

const ROWS_PER_STATEMENT: usize = 400;
const ROWS_PER_TRANSACTION: usize = 50_000;

const PRODUCTS: [(&str, &str); 16] = [
    ("蜜梨", "honey pear"),
    ("茶叶", "tea"),
    ("竹编", "bamboo weaving"),
    ("草莓", "strawberry"),
    ("香榧", "torreya nut"),
    ("手工布鞋", "cloth shoe"),
    ("电商直播", "livestream selling"),
    ("蔬菜分拣", "vegetable sorting"),
    ("服装加工", "garment"),
    ("箱包", "bag"),
    ("中药材", "herb"),
    ("民宿服务", "homestay"),
    ("年糕", "rice cake"),
    ("灯笼", "lantern"),
    ("笋干", "dried bamboo shoot"),
    ("木雕", "wood carving"),
];
const VILLAGES: [&str; 12] = [
    "上村", "下畈", "石门", "青山", "桐溪", "合岭", "大源", "凤川", "梅林", "钟山", "横村", "新桥",
];
const WISHES: [&str; 10] = [
    "一台微波炉，中午热饭",
    "一个保温杯",
    "一件雨衣",
    "一双冬天的手套",
    "一顶电动车头盔",
    "一个充电宝",
    "一副护膝",
    "一盒暖宝宝",
    "一把结实的雨伞",
    "孩子的书包",
];
const NAMES: [&str; 8] =
    ["王师傅", "李大姐", "张师傅", "刘阿姨", "陈师傅", "杨大哥", "赵阿姨", "周师傅"];

/// Adds `scale` worth of data. Needs the demo content (the districts) and
/// refuses to run twice on one database.
pub async fn generate(db: &Db, scale: Scale, now: DateTime<Utc>) -> anyhow::Result<Generated> {
    let mut out = Generated::default();
    let already: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM places WHERE code LIKE 'gen-%'",
    ).fetch_one(p).await?);
    if already > 0 {
        anyhow::bail!("this database already holds generated data; use a fresh database");
    }
    let districts: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name_zh FROM districts ORDER BY position, id",
    ).fetch_all(p).await?);
    anyhow::ensure!(!districts.is_empty(), "load the demo content first (linli seed)");

    out.stations = stations(db, &districts, scale.stations, now).await?;
    let station_ids: Vec<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT id FROM places WHERE code LIKE 'gen-station-%' ORDER BY id",
    ).fetch_all(p).await?);
    (out.workshops, out.openings) = workshops(db, &districts, scale.workshops, now).await?;
    out.volunteers = volunteers(db, scale.volunteers, now).await?;
    let volunteer_ids: Vec<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE '%@bench.linli.invalid' ORDER BY id",
    ).fetch_all(p).await?);
    let first_wish: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COALESCE(MAX(id), 0) FROM wishes",
    ).fetch_one(p).await?);
    out.wishes = wishes(db, &station_ids, &volunteer_ids, scale.wishes, now).await?;
    out.events = events(db, first_wish).await?;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE users SET open_claims = (SELECT COUNT(*) FROM wishes w \
                 WHERE w.claimed_by = users.id AND w.status = 'claimed') \
             WHERE email LIKE '%@bench.linli.invalid'",
        ).execute(&mut *tx).await?;
        sqlx::query(BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        sqlx::query("ANALYZE").execute(p).await?;
    });
    // The generated workshops' towns join the territory tree.
    super::territories::adopt(db).await?;
    Ok(out)
}

async fn stations(
    db: &Db,
    districts: &[(i64, String)],
    n: usize,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    const HEAD: &str = "INSERT INTO places (district_id, code, kind, name_zh, name_en, summary_zh, \
         summary_en, address_zh, address_en, amenities, is_open, position, created_at, updated_at)";
    for chunk in (0..n).collect::<Vec<_>>().chunks(ROWS_PER_STATEMENT / 2) {
        let sql = insert_sql(HEAD, 14, chunk.len());
        on_db!(db, p => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for &i in chunk {
                let (district_id, district) = &districts[i % districts.len()];
                let no = i + 1;
                q = q.bind(*district_id).bind(format!("gen-station-{no}")).bind("love_station")
                    .bind(format!("{district}爱心驿站{no}号")).bind(format!("Love Station No. {no}"))
                    .bind("为户外劳动者提供休息、饮水和热饭的地方。")
                    .bind("A place for outdoor workers to rest, drink water and heat lunch.")
                    .bind(format!("{district}{}号", no * 3)).bind(None::<String>)
                    .bind("rest_seats").bind(true).bind(1000 + no as i64).bind(now).bind(now);
            }
            q.execute(p).await?;
        });
    }
    Ok(n)
}

async fn workshops(
    db: &Db,
    districts: &[(i64, String)],
    n: usize,
    now: DateTime<Utc>,
) -> DbResult<(usize, usize)> {
    const HEAD: &str = "INSERT INTO workshops (slug, district_id, category, name_zh, name_en, \
         town_zh, villages_zh, summary_zh, summary_en, founded_year, founded_month, is_active, \
         employed, income_per_person_year, search_text, created_at, updated_at)";
    let rows: Vec<usize> = (0..n).collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(HEAD, 17, chunk.len());
        on_db!(db, p => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for &i in chunk {
                let (district_id, district) = &districts[i % districts.len()];
                let (product, product_en) = PRODUCTS[(i / 3) % PRODUCTS.len()];
                let village = VILLAGES[(i * 7) % VILLAGES.len()];
                let town = format!("{}镇", VILLAGES[(i / 5) % VILLAGES.len()]);
                let name = format!("{village}{product}工坊{}", i + 1);
                let summary = format!(
                    "{district}{town}{village}的{product}工坊：企业把活儿送到村里，村民在家门口增收。"
                );
                let name_en = format!("{village} {product_en} workshop {}", i + 1);
                let summary_en = format!("A {product_en} workshop bringing paid work to the village.");
                let category = Category::ALL[i % Category::ALL.len()];
                let [cat_zh, cat_en] = category_names(category);
                let search = search_text(&[
                    &name, &name_en, village, &summary, &summary_en, &town, cat_zh, cat_en,
                ]);
                let employed = (i % 10 != 0).then_some(5 + (i * 37 % 300) as i64);
                let income = (i % 8 != 0).then_some(1_000 + (i * 7919 % 30_000) as i64);
                q = q.bind(format!("gen-{}", i + 1)).bind(*district_id)
                    .bind(category.code())
                    .bind(name).bind(name_en).bind(town).bind(village).bind(summary).bind(summary_en)
                    .bind(2015 + (i % 11) as i32).bind(1 + (i % 12) as i32).bind(i % 50 != 0)
                    .bind(employed).bind(income).bind(search).bind(now).bind(now);
            }
            q.execute(p).await?;
        });
    }
    super::workshops::index_all(db).await?;
    // One open opening at every fifth workshop.
    let openings = on_db!(db, p => sqlx::query(
        "INSERT INTO openings (workshop_id, task_zh, pay_zh, hours_zh, places, places_left, \
                               is_open, created_at) \
         SELECT id, '分拣和包装', '按件计酬，每件 0.5 元', '每天 8:00–11:30，可带回家做', \
                10, 10, TRUE, $1 FROM workshops WHERE slug LIKE 'gen-%' AND id % 5 = 0",
    ).bind(now).execute(p).await?.rows_affected());
    Ok((n, openings as usize))
}

async fn volunteers(db: &Db, n: usize, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let hash =
        crate::domain::password_hash::hash(VOLUNTEER_PASSWORD).map_err(anyhow::Error::msg)?;
    const HEAD: &str =
        "INSERT INTO users (display_name, email, password_hash, created_at, updated_at)";
    let rows: Vec<usize> = (0..n).collect();
    for batch in rows.chunks(ROWS_PER_TRANSACTION) {
        on_db!(db, p => {
            let mut tx = p.begin_write().await?;
            for chunk in batch.chunks(ROWS_PER_STATEMENT) {
                let sql = insert_sql(HEAD, 5, chunk.len());
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for &i in chunk {
                    q = q.bind(format!("志愿者{}", i + 1))
                        .bind(format!("volunteer{}{VOLUNTEER_DOMAIN}", i + 1))
                        .bind(&hash).bind(now).bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
    }
    Ok(n)
}

/// Wishes spread over the last 30 days (so the clock expires none of
/// them): 40 % open, 10 % claimed, 30 % fulfilled, the rest pending,
/// rejected, withdrawn or expired.
async fn wishes(
    db: &Db,
    stations: &[i64],
    volunteers: &[i64],
    n: usize,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    const HEAD: &str = "INSERT INTO wishes (station_id, status, what, why, display_name, occupation, \
         code_hash, claimed_by, claimed_at, opened_at, closed_at, thanks, created_at, updated_at)";
    if stations.is_empty() {
        return Ok(0);
    }
    let span = Duration::days(30).num_seconds() as usize;
    let mut claimed = 0usize;
    let rows: Vec<usize> = (0..n).collect();
    for batch in rows.chunks(ROWS_PER_TRANSACTION) {
        // The work of the batch is built first, so the transaction holds
        // the write lock only while inserting.
        let mut prepared = Vec::with_capacity(batch.len());
        for &i in batch {
            let created = now - Duration::seconds(((n - i) * span / n.max(1)) as i64 + 3_600);
            let opened = created + Duration::minutes(30);
            let (status, volunteer, closed) = match i % 20 {
                0..=7 => ("open", None, None),
                8 | 9 => ("claimed", Some(volunteers.get(claimed % volunteers.len().max(1))), None),
                10..=15 => (
                    "fulfilled",
                    Some(volunteers.get(claimed % volunteers.len().max(1))),
                    Some(opened + Duration::minutes(40)),
                ),
                16 => ("pending", None, None),
                17 => ("rejected", None, Some(created + Duration::minutes(20))),
                18 => ("withdrawn", None, Some(created + Duration::minutes(10))),
                _ => ("expired", None, Some(opened + Duration::minutes(50))),
            };
            let volunteer = volunteer.flatten().copied();
            if volunteer.is_some() {
                claimed += 1;
            }
            let opened =
                (!matches!(status, "pending" | "rejected" | "withdrawn")).then_some(opened);
            // Claims still held are recent, or the clock would hand them back.
            let claimed_at = volunteer.map(|_| match status {
                "claimed" => {
                    (now - Duration::hours((i % 72) as i64)).max(created + Duration::minutes(45))
                }
                _ => created + Duration::minutes(45),
            });
            let thanks = (status == "fulfilled" && i % 3 == 0).then_some("谢谢你，天冷了很暖心！");
            prepared.push((
                stations[i % stations.len()],
                status,
                WISHES[i % WISHES.len()],
                NAMES[i % NAMES.len()],
                Occupation::ALL[i % Occupation::ALL.len()].code(),
                format!("gen-{i:010}"),
                volunteer,
                claimed_at,
                opened,
                closed,
                thanks,
                created,
            ));
        }
        on_db!(db, p => {
            let mut tx = p.begin_write().await?;
            for chunk in prepared.chunks(ROWS_PER_STATEMENT) {
                let sql = insert_sql(HEAD, 14, chunk.len());
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for w in chunk {
                    q = q.bind(w.0).bind(w.1).bind(w.2).bind("天冷了，中午想吃口热饭。").bind(w.3).bind(w.4)
                        .bind(&w.5).bind(w.6).bind(w.7).bind(w.8).bind(w.9).bind(w.10)
                        .bind(w.11).bind(w.11);
                }
                q.execute(&mut *tx).await?;
            }
            // Each wish carries its station's district (see migration 0007).
            sqlx::query(
                "UPDATE wishes SET district_id = \
                 (SELECT p.district_id FROM places p WHERE p.id = wishes.station_id) \
                 WHERE district_id IS NULL",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
    }
    Ok(n)
}

/// Each generated wish's history, derived from its columns.
async fn events(db: &Db, after: i64) -> DbResult<u64> {
    const STEPS: [&str; 7] = [
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, created_at, 'worker', NULL, NULL, 'pending', '', FALSE FROM wishes WHERE id > $1",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, opened_at, 'staff', NULL, 'pending', 'open', '', FALSE FROM wishes \
         WHERE id > $1 AND opened_at IS NOT NULL",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, claimed_at, 'volunteer', claimed_by, 'open', 'claimed', '', FALSE FROM wishes \
         WHERE id > $1 AND claimed_at IS NOT NULL",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, closed_at, 'volunteer', claimed_by, 'claimed', 'fulfilled', '', FALSE FROM wishes \
         WHERE id > $1 AND status = 'fulfilled'",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, closed_at, 'staff', NULL, 'pending', 'rejected', '', TRUE FROM wishes \
         WHERE id > $1 AND status = 'rejected'",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, closed_at, 'worker', NULL, 'pending', 'withdrawn', '', FALSE FROM wishes \
         WHERE id > $1 AND status = 'withdrawn'",
        "INSERT INTO wish_events (wish_id, at, actor_kind, actor_id, from_status, to_status, note, public_note) \
         SELECT id, closed_at, 'system', NULL, 'open', 'expired', '', FALSE FROM wishes \
         WHERE id > $1 AND status = 'expired'",
    ];
    let mut total = 0;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        for step in STEPS {
            total += sqlx::query(step).bind(after).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
    });
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_scales() {
        assert_eq!(Scale::named("medium"), Some(Scale::MEDIUM));
        assert_eq!(Scale::LARGE.wishes, 1_000_000);
        assert_eq!(Scale::named("huge"), None);
    }
}
