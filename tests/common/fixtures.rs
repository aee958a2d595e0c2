//! Builders for what tests start from: people in each role, signed in;
//! a wish in each state; a log to read; requests raced at once.

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};

use linli::domain::Role;
use tracing_subscriber::fmt::MakeWriter;

use super::{TestApp, scalar_for_id, scalar_with};

/// The love station the demo content has in 西湖区, where fixture wishes go.
pub const STATION: &str = "xh-zmxl-station";
/// Every fixture persona's password.
pub const PASSWORD: &str = "fixture password";

/// Someone signed in: their user id, phone (their login) and browser.
pub struct Persona {
    pub id: i64,
    pub phone: String,
    pub app: TestApp,
}

/// A wish made through the pages, as a worker, staff and a volunteer would.
pub struct Wish {
    pub id: i64,
    /// The worker's tracking page, `/wishes/track/XXXX-XXXX`.
    pub track: String,
    pub what: String,
}

impl TestApp {
    /// A person with `roles`, created in the database and signed in through
    /// the form. `n` tells personas apart (their phone is 1330000nnnn).
    pub async fn persona(&self, name: &str, n: u32, roles: &[Role]) -> Persona {
        let phone = format!("1330000{n:04}");
        let id = self.user(name, &phone, PASSWORD, roles).await;
        let app = self.signed_in(&phone, PASSWORD).await;
        Persona { id, phone, app }
    }

    /// A volunteer with no role.
    pub async fn volunteer(&self, n: u32) -> Persona {
        self.persona(&format!("志愿者{n}"), n, &[]).await
    }

    /// The keeper of the fixture station [`STATION`].
    pub async fn station_keeper(&self) -> Persona {
        let place_id = self.place_id(STATION).await;
        self.persona("站长", 9001, &[Role::StationKeeper { place_id }]).await
    }

    /// A keeper of the workshop `slug`.
    pub async fn workshop_keeper(&self, slug: &'static str) -> Persona {
        let workshop = slug.to_owned();
        self.persona("工坊负责人", 9002, &[Role::WorkshopKeeper { workshop }]).await
    }

    /// An admin of the district `slug`.
    pub async fn district_admin(&self, slug: &'static str) -> Persona {
        let district_id: i64 =
            scalar_with(&self.db, "SELECT id FROM districts WHERE slug = $1", slug).await;
        self.persona("区管理员", 9003, &[Role::DistrictAdmin { district_id }]).await
    }

    /// A site admin.
    pub async fn site_admin(&self) -> Persona {
        self.persona("站点管理员", 9004, &[Role::SiteAdmin]).await
    }

    /// A wish posted at [`STATION`] by a worker with no account (a fresh
    /// browser), with `phone` left on it (or none).
    pub async fn posted_wish(&self, what: &str, phone: &str) -> Wish {
        let worker = self.new_anonymous();
        let res = worker
            .post_form(
                "/wishes/new",
                "/wishes",
                &[
                    ("what", what),
                    ("why", "冬天饭菜凉"),
                    ("display_name", "陈大姐"),
                    ("occupation", "sanitation"),
                    ("station", STATION),
                    ("phone", phone),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "posting {what}");
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/wishes/track/") && to.ends_with("?new=1"), "{to}");
        let id = scalar_with(&self.db, "SELECT id FROM wishes WHERE what = $1", what).await;
        Wish { id, track: to.trim_end_matches("?new=1").to_owned(), what: what.to_owned() }
    }

    /// `n` volunteers signed in at once, each as (their browser, a CSRF
    /// token of their session): for races. Created straight in the
    /// database with one password hash, so that hundreds cost little.
    pub async fn volunteers_ready(&self, n: usize) -> Vec<(reqwest::Client, String)> {
        use linli::domain::account::{DisplayName, NewVolunteer, Password, Phone};
        let hash = linli::domain::password_hash::hash(PASSWORD).unwrap();
        let mut out = Vec::new();
        for i in 0..n {
            let phone = format!("1370000{i:04}");
            let v = NewVolunteer {
                display_name: DisplayName::parse(&format!("v{i}")).unwrap(),
                phone: Phone::parse(&phone),
                email: None,
                password: Password::parse(PASSWORD, Default::default()).unwrap(),
                organisation: None,
                party_member: false,
            };
            linli::db::accounts::create_volunteer(&self.db, &v, &hash, chrono::Utc::now())
                .await
                .unwrap();
            let me = self.signed_in(&phone, PASSWORD).await;
            let token = me.csrf_token("/account").await;
            out.push((me.client, token));
        }
        out
    }

    /// A posted wish approved by `keeper` (the station's staff).
    pub async fn approved_wish(&self, keeper: &Persona, what: &str) -> Wish {
        let wish = self.posted_wish(what, "").await;
        keeper.approve(&wish).await;
        wish
    }

    /// An approved wish claimed by `volunteer`.
    pub async fn claimed_wish(&self, keeper: &Persona, volunteer: &Persona, what: &str) -> Wish {
        let wish = self.approved_wish(keeper, what).await;
        let res = volunteer
            .app
            .post_form(
                &wish.page(),
                &format!("/wishes/{}/claim", wish.id),
                &[("delivery", "station")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "claiming {what}");
        wish
    }
}

impl Persona {
    /// Approves `wish` as it was posted (this persona must be its staff).
    pub async fn approve(&self, wish: &Wish) {
        self.approve_as(wish.id, &wish.what).await;
    }

    /// Approves wish `id` with its text edited to `what`.
    pub async fn approve_as(&self, id: i64, what: &str) {
        let res = self
            .app
            .post_form(
                &format!("/staff/wishes/{id}"),
                &format!("/staff/wishes/{id}/approve"),
                &[("what", what), ("why", "")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "approving {what}");
    }
}

/// A persona is used as their browser: `keeper.post_form(…)`.
impl std::ops::Deref for Persona {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Wish {
    /// Its public page.
    pub fn page(&self) -> String {
        format!("/wishes/{}", self.id)
    }

    /// Its status as stored.
    pub async fn status(&self, app: &TestApp) -> String {
        scalar_for_id(&app.db, "SELECT status FROM wishes WHERE id = $1", self.id).await
    }
}

/// `n` tasks made by `task(i)`, released together once all are ready; their
/// results in order. For races: claims, sign-ups, posts at the same moment.
pub async fn race<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let start = start.clone();
            let fut = task(i);
            tokio::spawn(async move {
                start.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("a raced task panicked"));
    }
    out
}

/// Everything the process logs, captured for a test to read. Install it
/// once per test binary with [`LogCapture::install`].
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Makes this the process's subscriber at INFO, with a line as each
    /// span closes (as `LINLI_LOG_SPANS=1` does).
    pub fn install() -> LogCapture {
        let captured = LogCapture::default();
        tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .init();
        captured
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
