//! Correctness under load, at a scale that fits in CI: many volunteers
//! claiming at once (one server, and two server processes on one
//! PostgreSQL), and the hot queries' plans on a generated dataset.
//! Speed itself is measured by bench/run.sh, not here.

mod common;

use common::{Backend, Server, TestApp, browser, count, csrf_of};
use linli::db::Db;
use linli::db::generate::{Scale, VOLUNTEER_DOMAIN, VOLUNTEER_PASSWORD, generate};

/// 2 stations, 50 volunteers and 250 wishes, of which 104 open.
const SMALL: Scale = Scale { stations: 2, workshops: 0, volunteers: 50, wishes: 250 };

async fn open_wishes(db: &Db) -> Vec<i64> {
    let sql = "SELECT id FROM wishes WHERE status = 'open' AND code_hash LIKE 'gen-%' ORDER BY id";
    common::column(db, sql).await
}

/// Signs in generated volunteer `n` at `base` and returns their client
/// and a CSRF token of their session.
async fn volunteer(base: &str, n: usize, wish: i64) -> (reqwest::Client, String) {
    let client = browser();
    let form = client.get(format!("{base}/account/login")).send().await.unwrap();
    let token = csrf_of(&form.text().await.unwrap());
    let login = format!("volunteer{n}{VOLUNTEER_DOMAIN}");
    let res = client
        .post(format!("{base}/account/login"))
        .form(&[
            ("login", login.as_str()),
            ("password", VOLUNTEER_PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "volunteer {n} signs in");
    let page = client.get(format!("{base}/wishes/{wish}")).send().await.unwrap();
    let token = csrf_of(&page.text().await.unwrap());
    (client, token)
}

/// 1,000 claim requests over the 100 open wishes from 50 volunteers at
/// once, spread over the given server addresses. Exactly one claim per
/// wish wins; everything else is a refusal, never a server error.
async fn thousand_claims(db: &Db, servers: &[String]) {
    let mut wishes = open_wishes(db).await;
    assert!(wishes.len() >= 100);
    wishes.truncate(100);
    let claimed_before = count(db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await;
    let mut volunteers = Vec::new();
    for n in 1..=50 {
        let base = &servers[n % servers.len()];
        volunteers.push(volunteer(base, n, wishes[0]).await);
    }
    let mut requests = Vec::new();
    for k in 0..1000usize {
        let (client, token) = volunteers[(k * 7) % 50].clone();
        let base = servers[k % servers.len()].clone();
        let wish = wishes[k % 100];
        requests.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/wishes/{wish}/claim"))
                .form(&[("csrf_token", token.as_str()), ("delivery", "station")])
                .send()
                .await
                .expect("the server answers");
            res.status().as_u16()
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for r in requests {
        *statuses.entry(r.await.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(statuses.get(&303), Some(&100), "exactly one winner per wish: {statuses:?}");
    assert_eq!(statuses.get(&409), Some(&900), "the rest are refused: {statuses:?}");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await,
        claimed_before + 100
    );
    let events = count(
        db,
        "SELECT COUNT(*) FROM wish_events e JOIN wishes w ON w.id = e.wish_id \
         WHERE e.to_status = 'claimed' AND w.status = 'claimed' AND e.actor_kind = 'volunteer' \
         GROUP BY e.wish_id ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .await;
    assert_eq!(events, 1, "one claim event per wish");
    assert_eq!(
        count(db, "SELECT CAST(COALESCE(SUM(open_claims), 0) AS BIGINT) FROM users").await,
        count(db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await,
        "the volunteers' counters match the claims"
    );
}

/// A thousand requests at once queue for the test's five connections: the
/// wait may exceed the usual 1.5 s, so it is raised here. This test is
/// about who wins; how fast is the benchmark's business.
fn thousand_claims_settings(s: &mut linli::config::Settings) {
    s.claim_limit = 1000;
    s.workers = Some(2);
    s.db_timeout_ms = 20_000;
}

async fn a_thousand_claims_on_one_server(app: TestApp) {
    generate(&app.db, SMALL, chrono::Utc::now()).await.unwrap();
    thousand_claims(&app.db, std::slice::from_ref(&app.address)).await;
}

/// Two `linli serve` processes on one PostgreSQL database: they share the
/// cookie key through the database, so a volunteer signed in on one is
/// signed in on both, and the claims still have one winner each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_claims_on_two_server_processes_sharing_postgresql() {
    let Some(server) = common::pg_server_url() else {
        eprintln!("skipped: set LINLI_TEST_PG to run it");
        return;
    };
    let name = common::create_pg_database(&server).await;
    let url = common::with_database(&server, &name);
    {
        let settings = common::test_settings(url.clone());
        let db = linli::startup::open_database(&settings).await.unwrap();
        linli::startup::seed_if_empty(&db).await.unwrap();
        generate(&db, SMALL, chrono::Utc::now()).await.unwrap();
        db.close().await;
    }
    let limits =
        [("LINLI_CLAIM_LIMIT", "1000"), ("LINLI_WORKERS", "2"), ("LINLI_DB_TIMEOUT_MS", "20000")];
    let one = Server::start(&url, &limits);
    let two = Server::start(&url, &limits);
    let db = Db::connect(&linli::config::DatabaseUrl(url.clone()), 2).await.unwrap();
    thousand_claims(&db, &[one.address.clone(), two.address.clone()]).await;
    db.close().await;
    drop((one, two));
    common::drop_pg_database(&server, &name).await;
}

/// The listing queries walk their indexes in order and stop after a page,
/// on both databases, on the medium dataset (after ANALYZE).
async fn hot_queries_use_their_indexes(app: TestApp) {
    use linli::db::explain;
    use linli::db::wishes::wall_query;
    use linli::db::workshops::SearchPlan::{Candidates, NoSearch, Ordered, Walk};
    use linli::db::workshops::{list_query, search_plan};
    use linli::domain::wish::Wall;
    use linli::domain::workshop::{Category, GramKey, Listing, Sort};

    generate(&app.db, Scale::MEDIUM, chrono::Utc::now()).await.unwrap();
    let today = linli::domain::format::today();
    let station = app.place_id("gen-station-7").await;
    let mut cases: Vec<(String, linli::db::ListQuery, &str)> = vec![
        ("wall".into(), wall_query(&Wall::default()), "wishes_wall"),
        (
            "wall by district".into(),
            wall_query(&Wall { district: Some("tonglu".into()), ..Wall::default() }),
            "wishes_wall",
        ),
        (
            "wall by station".into(),
            wall_query(&Wall { station: Some(station), ..Wall::default() }),
            "wishes_station",
        ),
    ];
    for (sort, index) in [
        (Sort::Newest, "workshops_newest"),
        (Sort::MostEmployed, "workshops_most_employed"),
        (Sort::LargestIncrease, "workshops_largest_increase"),
    ] {
        let listing = Listing { sort, ..Listing::default() };
        cases.push((format!("workshops {sort:?}"), list_query(&listing, today, &NoSearch), index));
    }
    // A search for a rare pair starts from the bigram index; a common one
    // walks the order. The plan is chosen by counting, up to a bound.
    // In the default order a search walks its pair's workshops in order
    // (the pair index keeps them so); in another order it sorts the
    // candidates of a rare pair and walks the order for a common one.
    // The plan is chosen by counting, up to a bound.
    let search = |q: &str, sort| Listing { q: Some(q.into()), sort, ..Listing::default() };
    let plan = async |q: &str, sort| search_plan(&app.db, Some(q), sort).await.unwrap();
    let ordered = plan("蜜梨", Sort::Newest).await;
    assert_eq!(ordered, Ordered("蜜梨".into()));
    assert_eq!(plan("蜜梨工坊", Sort::Newest).await, Ordered("蜜梨".into()), "the rarest pair");
    let rare = plan("蜜梨", Sort::MostEmployed).await;
    assert_eq!(rare, Candidates(GramKey::Pair("蜜梨".into())), "125 of 2,000 hold 蜜梨");
    assert_eq!(plan("工坊", Sort::MostEmployed).await, Walk, "all hold 工坊");
    assert_eq!(plan("pear", Sort::Newest).await, Walk, "Latin walks");
    let one = plan("梨", Sort::Newest).await;
    assert!(matches!(one, Candidates(GramKey::Prefix(..))), "{one:?}");
    cases.push((
        "workshops search walk".into(),
        list_query(&search("pear", Sort::Newest), today, &Walk),
        "workshops_newest",
    ));
    cases.push((
        "workshops search in order".into(),
        list_query(&search("蜜梨", Sort::Newest), today, &ordered),
        "workshop_grams",
    ));
    cases.push((
        "workshops search pair".into(),
        list_query(&search("蜜梨", Sort::MostEmployed), today, &rare),
        "workshop_grams",
    ));
    cases.push((
        "workshops search one".into(),
        list_query(&search("梨", Sort::Newest), today, &one),
        "workshop_grams",
    ));
    let filtered = Listing {
        district: Some("tonglu".into()),
        category: Some(Category::Farming),
        hiring: true,
        ..Listing::default()
    };
    let district = Listing { district: Some("tonglu".into()), ..Listing::default() };
    cases.push((
        "workshops of a district".into(),
        list_query(&district, today, &NoSearch),
        "workshops_district_only_newest",
    ));
    cases.push((
        "workshops filtered".into(),
        list_query(&filtered, today, &NoSearch),
        "workshops_district_newest",
    ));

    for (name, query, index) in cases {
        let plan = explain(&app.db, &query.rows, &query.args).await.unwrap();
        let sorted_on_purpose = name.contains("pair") || name.contains("one");
        let reads_table = match app.backend {
            Backend::Sqlite => plan.lines().any(|l| l.trim() == "SCAN w"),
            // PostgreSQL weighs a filter (or a hash join with a pair's
            // workshops) against 2,000 workshops and may rightly read them
            // all, by the statistics ANALYZE happened to sample; the index
            // it must use is checked below.
            Backend::Postgres
                if name.contains("filtered") || sorted_on_purpose || name.contains("in order") =>
            {
                false
            }
            Backend::Postgres => {
                plan.contains("Seq Scan on wishes") || plan.contains("Seq Scan on workshops")
            }
        };
        assert!(!reads_table, "{name} ({:?}) reads no whole table:\n{plan}", app.backend);
        // Unfiltered, the rows come in index order; a filter may instead
        // find its few matches through another index and sort those, as
        // the bigram candidates (at most CANDIDATES_MAX) are sorted.
        let walks = match app.backend {
            // PostgreSQL may start from either filter index (or the
            // district one of migration 0003) and sort the few matches.
            Backend::Postgres if name.contains("filtered") => {
                plan.contains("Index Scan using workshops_")
                    || plan.contains("Bitmap Index Scan on workshops_")
            }
            // SQLite names the bigram table by its alias in the query;
            // PostgreSQL must look the pair up in the primary key.
            Backend::Sqlite if sorted_on_purpose || name.contains("in order") => {
                plan.contains("SEARCH g USING PRIMARY KEY (gram")
            }
            Backend::Postgres if sorted_on_purpose || name.contains("in order") => {
                plan.contains("workshop_grams_pkey")
            }
            _ => plan.contains(index),
        };
        assert!(walks, "{name} ({:?}) walks {index}:\n{plan}", app.backend);
        // PostgreSQL rightly sorts a pair's 125 workshops of the medium
        // dataset instead of walking them in order; the large run of
        // bench/run.sh is where the walk shows (its p50 against medium).
        let pg_in_order = app.backend == Backend::Postgres && name.contains("in order");
        if !name.contains("filtered") && !sorted_on_purpose && !pg_in_order {
            let sorts = match app.backend {
                Backend::Sqlite => plan.contains("TEMP B-TREE FOR ORDER BY"),
                Backend::Postgres => plan.lines().any(|l| l.trim_start().starts_with("Sort")),
            };
            assert!(!sorts, "{name} ({:?}) needs no sort of all matches:\n{plan}", app.backend);
        }
        // One row past the page says whether another follows; nothing counts.
        assert!(query.rows.ends_with(" LIMIT 21"), "{name}: {}", query.rows);
    }

    // Warm stories walk their partial index to six rows, for a district
    // too: no sort of every thanked wish.
    for (district, index) in [(None, "wishes_thanked"), (Some("tonglu"), "wishes_thanked_district")]
    {
        let (sql, args) = linli::db::wishes::warm_stories_query(district, 6);
        let plan = explain(&app.db, &sql, &args).await.unwrap();
        // With three districts PostgreSQL may rightly walk all thank-yous
        // in order and stop after six of one district's; either walk is
        // bounded, and neither sorts.
        let index = match app.backend {
            Backend::Postgres => "wishes_thanked",
            Backend::Sqlite => index,
        };
        assert!(plan.contains(index), "warm stories {district:?} walk {index}:\n{plan}");
        let sorts = match app.backend {
            Backend::Sqlite => plan.contains("TEMP B-TREE FOR ORDER BY"),
            Backend::Postgres => plan.lines().any(|l| l.trim_start().starts_with("Sort")),
        };
        assert!(!sorts, "warm stories {district:?} need no sort:\n{plan}");
    }
}

on_both_databases!(
    hot_queries_use_their_indexes,
    a_thousand_claims_on_one_server with super::thousand_claims_settings,
);
