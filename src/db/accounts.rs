//! Users, roles and what ties an account to districts, and password
//! resets. (Throttling counters: `throttle`; the audit log: `audit`;
//! station look-ups: `places`.)

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::{self, write_audit};
use super::sessions::Ending;
use super::{BeginWrite, Db, DbError, DbResult, on_db};
use crate::domain::account::{Login, NewVolunteer};
use crate::domain::{AccountTies, Grants, HeldRole, Role};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub organisation: Option<String>,
    pub party_member: bool,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, FromRow)]
struct RoleRow {
    role: String,
    place_id: Option<i64>,
    district_id: Option<i64>,
    workshop_slug: Option<String>,
}

impl RoleRow {
    fn into_role(self) -> Option<Role> {
        role_of(&self.role, self.place_id, self.district_id, self.workshop_slug)
    }
}

/// A role from its stored columns (`None` for a row that makes no sense).
pub(crate) fn role_of(
    role: &str,
    place_id: Option<i64>,
    district_id: Option<i64>,
    workshop_slug: Option<String>,
) -> Option<Role> {
    match role {
        "site_admin" => Some(Role::SiteAdmin),
        "station_keeper" => place_id.map(|place_id| Role::StationKeeper { place_id }),
        "district_admin" => district_id.map(|district_id| Role::DistrictAdmin { district_id }),
        "workshop_keeper" => workshop_slug.map(|workshop| Role::WorkshopKeeper { workshop }),
        _ => None,
    }
}

/// Why a registration could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("phone already registered")]
    PhoneTaken,
    #[error("e-mail already registered")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] DbError),
}

fn is_unique_violation(e: &sqlx::Error, column: &str) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() && d.message().to_lowercase().contains(column)
                || d.constraint().is_some_and(|c| c.contains(column))
        }
        _ => false,
    }
}

/// Stores a new volunteer. A phone or e-mail already in use is reported
/// as such (checked first for a clear message, and by the unique index
/// under a race).
#[tracing::instrument(name = "db::accounts::create_volunteer", skip_all)]
pub async fn create_volunteer(
    db: &Db,
    v: &NewVolunteer,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, CreateError> {
    let phone = v.phone.as_ref().map(|p| p.as_str().to_owned());
    let email = v.email.as_ref().map(|e| e.as_str().to_owned());
    on_db!(db, p => {
        let mut tx = p.begin_write().await.map_err(DbError::from)?;
        if let Some(phone) = &phone {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE phone = $1")
                .bind(phone).fetch_one(&mut *tx).await.map_err(DbError::from)?;
            if n > 0 { return Err(CreateError::PhoneTaken); }
        }
        if let Some(email) = &email {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
                .bind(email).fetch_one(&mut *tx).await.map_err(DbError::from)?;
            if n > 0 { return Err(CreateError::EmailTaken); }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (display_name, phone, email, password_hash, organisation, \
                                party_member, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(v.display_name.as_str())
        .bind(&phone)
        .bind(&email)
        .bind(password_hash)
        .bind(&v.organisation)
        .bind(v.party_member)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e, "phone") { CreateError::PhoneTaken }
            else if is_unique_violation(&e, "email") { CreateError::EmailTaken }
            else { CreateError::Db(e.into()) }
        })?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(id), action: "account.register", object: format!("user:{id}"), detail: String::new() }).map_err(DbError::from)?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(id)
    })
}

/// Whether the phone or e-mail of a registration already belongs to an
/// account (checked before the password is hashed).
#[tracing::instrument(name = "db::accounts::contact_in_use", skip_all)]
pub async fn contact_in_use(db: &Db, v: &NewVolunteer) -> DbResult<bool> {
    let phone = v.phone.as_ref().map(|p| p.as_str().to_owned());
    let email = v.email.as_ref().map(|e| e.as_str().to_owned());
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE phone = $1 OR email = $2",
    ).bind(&phone).bind(&email).fetch_one(p).await?);
    Ok(n > 0)
}

/// What signing in needs: the user's id and password hash.
#[derive(Debug, Clone, FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
}

#[tracing::instrument(name = "db::accounts::credentials", skip_all)]
pub async fn credentials(db: &Db, login: &Login) -> DbResult<Option<Credentials>> {
    let (sql, value): (&'static str, &str) = match login {
        Login::Phone(p) => (
            "SELECT id, password_hash FROM users \
             WHERE phone = $1 AND deleted_at IS NULL",
            p.as_str(),
        ),
        Login::Email(e) => (
            "SELECT id, password_hash FROM users \
             WHERE email = $1 AND deleted_at IS NULL",
            e.as_str(),
        ),
    };
    Ok(on_db!(db, p => sqlx::query_as::<_, Credentials>(sql).bind(value).fetch_optional(p).await?))
}

#[tracing::instrument(name = "db::accounts::credentials_by_id", skip_all, fields(id = id))]
pub async fn credentials_by_id(db: &Db, id: i64) -> DbResult<Option<Credentials>> {
    Ok(on_db!(db, p => sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash FROM users WHERE id = $1 AND deleted_at IS NULL",
    ).bind(id).fetch_optional(p).await?))
}

/// Replaces a password hash, ending the sessions `ending` names in the
/// same transaction (a password change ends every other session).
#[tracing::instrument(name = "db::accounts::set_password_hash", skip_all, fields(id = id))]
pub async fn set_password_hash(
    db: &Db,
    id: i64,
    hash: &str,
    ending: Ending,
    now: DateTime<Utc>,
) -> DbResult<()> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash).bind(now).bind(id).execute(&mut *tx).await?;
        if let Some(keep) = ending.keep() {
            sqlx::query(super::sessions::END_OTHERS).bind(id).bind(keep).execute(&mut *tx).await?;
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(id), action: "account.password_changed", object: format!("user:{id}"), detail: String::new() })?;
        }
        tx.commit().await?;
        Ok(())
    })
}

#[tracing::instrument(name = "db::accounts::user", skip_all, fields(id = id))]
pub async fn user(db: &Db, id: i64) -> DbResult<Option<UserRow>> {
    let sql = "SELECT id, display_name, phone, email, organisation, party_member, \
               created_at, deleted_at FROM users WHERE id = $1";
    Ok(on_db!(db, p => sqlx::query_as::<_, UserRow>(sql).bind(id).fetch_optional(p).await?))
}

#[tracing::instrument(name = "db::accounts::grants", skip_all, fields(user_id = user_id))]
pub async fn grants(db: &Db, user_id: i64) -> DbResult<Grants> {
    let rows: Vec<RoleRow> = on_db!(db, p => sqlx::query_as::<_, RoleRow>(
        "SELECT role, place_id, district_id, workshop_slug FROM user_roles WHERE user_id = $1 ORDER BY id",
    ).bind(user_id).fetch_all(p).await?);
    Ok(Grants(rows.into_iter().filter_map(RoleRow::into_role).collect()))
}

/// The signed-in user with their roles, or `None` when the account is gone.
#[tracing::instrument(name = "db::accounts::user_with_grants", skip_all, fields(id = id))]
pub async fn user_with_grants(db: &Db, id: i64) -> DbResult<Option<(UserRow, Grants)>> {
    let Some(user) = user(db, id).await? else { return Ok(None) };
    if user.deleted_at.is_some() {
        return Ok(None);
    }
    let grants = grants(db, id).await?;
    Ok(Some((user, grants)))
}

/// Finds a user by `id`, phone or e-mail, as typed on the command line or
/// in the staff search.
#[tracing::instrument(name = "db::accounts::find_user", skip_all)]
pub async fn find_user(db: &Db, who: &str) -> DbResult<Option<i64>> {
    if let Ok(id) = who.trim().parse::<i64>()
        && who.trim().len() < 11
    {
        return Ok(user(db, id).await?.filter(|u| u.deleted_at.is_none()).map(|u| u.id));
    }
    match Login::parse(who) {
        Some(login) => Ok(credentials(db, &login).await?.map(|c| c.id)),
        None => Ok(None),
    }
}

/// Deletes an account: personal data removed, the row kept (anonymised)
/// so history can still say "a deleted volunteer".
#[tracing::instrument(name = "db::accounts::delete_account", skip_all, fields(id = id))]
pub async fn delete_account(db: &Db, id: i64, now: DateTime<Utc>) -> DbResult<()> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE users SET display_name = '', phone = NULL, email = NULL, password_hash = NULL, \
                 organisation = NULL, party_member = FALSE, updated_at = $1, deleted_at = $1 \
             WHERE id = $2",
        )
        .bind(now).bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query(super::sessions::END_OTHERS).bind(id).bind(0i64).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(id), action: "account.deleted", object: format!("user:{id}"), detail: String::new() })?;
        sqlx::query(super::BUMP_CONTENT).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Why a role could not be granted.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("no such user")]
    NoUser,
    #[error("no such station")]
    NoStation,
    #[error("no such district")]
    NoDistrict,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Grants a role. Returns false when the user already held it.
#[tracing::instrument(name = "db::accounts::grant", skip_all, fields(user_id = user_id, by = ?by))]
pub async fn grant(
    db: &Db,
    user_id: i64,
    role: &Role,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, GrantError> {
    let (place_id, district_id, workshop) = match role {
        Role::StationKeeper { place_id } => (Some(*place_id), None, None),
        Role::DistrictAdmin { district_id } => (None, Some(*district_id), None),
        Role::WorkshopKeeper { workshop } => (None, None, Some(workshop.clone())),
        Role::SiteAdmin => (None, None, None),
    };
    on_db!(db, p => {
        let mut tx = p.begin_write().await.map_err(DbError::from)?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user_id).fetch_one(&mut *tx).await.map_err(DbError::from)?;
        if users == 0 { return Err(GrantError::NoUser); }
        if let Some(place_id) = place_id {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM places WHERE id = $1")
                .bind(place_id).fetch_one(&mut *tx).await.map_err(DbError::from)?;
            if n == 0 { return Err(GrantError::NoStation); }
        }
        if let Some(district_id) = district_id {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM districts WHERE id = $1")
                .bind(district_id).fetch_one(&mut *tx).await.map_err(DbError::from)?;
            if n == 0 { return Err(GrantError::NoDistrict); }
        }
        let added = sqlx::query(
            "INSERT INTO user_roles (user_id, role, scope, place_id, district_id, workshop_slug, \
                                     granted_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, role, scope) DO NOTHING",
        )
        .bind(user_id).bind(role.kind().code()).bind(role.scope())
        .bind(place_id).bind(district_id).bind(&workshop).bind(by).bind(now)
        .execute(&mut *tx).await.map_err(DbError::from)?
        .rows_affected() == 1;
        if added {
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: by, action: "role.grant", object: format!("user:{user_id}"), detail: format!("{} {}", role.kind().code(), role.scope()) }).map_err(DbError::from)?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(added)
    })
}

/// Revokes a role, and ends the sessions `ending` names (all of the
/// user's, or all but the revoker's own when they revoke a role of their
/// own). Returns false when the user did not hold it.
#[tracing::instrument(name = "db::accounts::revoke", skip_all, fields(user_id = user_id, by = ?by))]
pub async fn revoke(
    db: &Db,
    user_id: i64,
    role: &Role,
    by: Option<i64>,
    ending: Ending,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let removed = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND scope = $3")
            .bind(user_id).bind(role.kind().code()).bind(role.scope())
            .execute(&mut *tx).await?.rows_affected() > 0;
        if removed {
            if let Some(keep) = ending.keep() {
                sqlx::query(super::sessions::END_OTHERS).bind(user_id).bind(keep)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, &audit::Entry { at: now, actor: by, action: "role.revoke", object: format!("user:{user_id}"), detail: format!("{} {}", role.kind().code(), role.scope()) })?;
        }
        tx.commit().await?;
        Ok(removed)
    })
}

/// What an action on an account needs to know of it: each role it holds
/// with the district that role's thing lies in, and every district it is
/// tied to (through those roles and the stations whose wishes it claimed).
#[tracing::instrument(name = "db::accounts::account_ties", skip_all, fields(user_id = user_id))]
pub async fn account_ties(db: &Db, user_id: i64) -> DbResult<AccountTies> {
    #[derive(FromRow)]
    struct Held {
        #[sqlx(flatten)]
        role: RoleRow,
        in_district: Option<i64>,
    }
    let (held, claimed): (Vec<Held>, Vec<i64>) = on_db!(db, p => {
        let held = sqlx::query_as::<_, Held>(
            "SELECT r.role, r.place_id, r.district_id, r.workshop_slug, \
                    COALESCE(r.district_id, pl.district_id, ws.district_id) AS in_district \
             FROM user_roles r LEFT JOIN places pl ON pl.id = r.place_id \
             LEFT JOIN workshops ws ON ws.slug = r.workshop_slug \
             WHERE r.user_id = $1 ORDER BY r.id",
        ).bind(user_id).fetch_all(p).await?;
        let claimed = sqlx::query_scalar::<_, i64>(
            "SELECT DISTINCT pl.district_id FROM wish_events e JOIN wishes w ON w.id = e.wish_id \
             JOIN places pl ON pl.id = w.station_id \
             WHERE e.actor_id = $1 AND e.to_status = 'claimed'",
        ).bind(user_id).fetch_all(p).await?;
        (held, claimed)
    });
    let mut ties = AccountTies::default();
    for h in held {
        let district_id = h.in_district;
        if let Some(role) = h.role.into_role() {
            // A role on a thing that is gone still counts, tied to nothing:
            // only a site admin covers it.
            let district_id = if role == Role::SiteAdmin { None } else { district_id };
            ties.roles.push(HeldRole { role, district_id });
        }
        ties.districts.extend(district_id);
    }
    ties.districts.extend(claimed);
    ties.districts.sort_unstable();
    ties.districts.dedup();
    Ok(ties)
}

/// Users for the staff list, newest first, optionally matching a search
/// over display name, phone and e-mail (matched literally).
#[tracing::instrument(name = "db::accounts::list_users", skip_all, fields(limit = limit))]
pub async fn list_users(db: &Db, search: &str, limit: i64) -> DbResult<Vec<(UserRow, Grants)>> {
    let pattern = format!("%{}%", escape_like(search.trim()));
    let rows: Vec<UserRow> = on_db!(db, p => sqlx::query_as::<_, UserRow>(
        "SELECT id, display_name, phone, email, organisation, party_member, \
                created_at, deleted_at FROM users \
         WHERE deleted_at IS NULL AND ($1 = '%%' OR LOWER(display_name) LIKE LOWER($1) ESCAPE '\\' \
               OR phone LIKE $1 ESCAPE '\\' OR email LIKE LOWER($1) ESCAPE '\\') \
         ORDER BY id DESC LIMIT $2",
    ).bind(&pattern).bind(limit).fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for u in rows {
        let g = grants(db, u.id).await?;
        out.push((u, g));
    }
    Ok(out)
}

/// Escapes `%`, `_` and `\` so user text is matched literally by LIKE.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Stores a reset link (its hash only), valid until `expires`.
#[tracing::instrument(name = "db::accounts::create_reset", skip_all, fields(user_id = user_id, by = ?by))]
pub async fn create_reset(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> DbResult<()> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Only the newest link works.
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now).bind(user_id).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO password_resets (user_id, token_hash, issued_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id).bind(token_hash).bind(by).bind(now).bind(expires)
        .execute(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: by, action: "account.reset_issued", object: format!("user:{user_id}"), detail: String::new() })?;
        tx.commit().await?;
        Ok(())
    })
}

/// The user a reset link is for, while it is unused and unexpired.
#[tracing::instrument(name = "db::accounts::reset_user", skip_all)]
pub async fn reset_user(db: &Db, token_hash: &str, now: DateTime<Utc>) -> DbResult<Option<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT user_id FROM password_resets \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    ).bind(token_hash).bind(now).fetch_optional(p).await?))
}

/// Uses a reset link once: sets the new password and ends every session.
/// `None` when the link was used, expired or never existed.
#[tracing::instrument(name = "db::accounts::use_reset", skip_all)]
pub async fn use_reset(
    db: &Db,
    token_hash: &str,
    new_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<Option<i64>> {
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now).bind(token_hash).fetch_optional(&mut *tx).await?;
        let Some(user_id) = user_id else { return Ok(None) };
        sqlx::query(
            "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL",
        )
        .bind(new_hash).bind(now).bind(user_id).execute(&mut *tx).await?;
        sqlx::query(super::sessions::END_OTHERS).bind(user_id).bind(0i64).execute(&mut *tx).await?;
        write_audit!(&mut *tx, &audit::Entry { at: now, actor: Some(user_id), action: "account.reset_used", object: format!("user:{user_id}"), detail: String::new() })?;
        tx.commit().await?;
        Ok(Some(user_id))
    })
}

/// Id of a district by slug, for access checks and the CLI.
#[tracing::instrument(name = "db::accounts::district_id", skip_all)]
pub async fn district_id(db: &Db, slug: &str) -> DbResult<Option<i64>> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT id FROM districts WHERE slug = $1")
        .bind(slug).fetch_optional(p).await?))
}

/// A role as asked for in the staff form or on the command line, before
/// its district slug is looked up. Errors are catalogue keys.
#[tracing::instrument(name = "db::accounts::resolve_role", skip_all)]
pub async fn resolve_role(
    db: &Db,
    kind: crate::domain::RoleKind,
    station: Option<i64>,
    district: Option<&str>,
    workshop: Option<&str>,
) -> Result<Result<Role, (&'static str, &'static str)>, DbError> {
    use crate::domain::RoleKind;
    Ok(match kind {
        RoleKind::SiteAdmin => Ok(Role::SiteAdmin),
        RoleKind::StationKeeper => match station {
            None => Err(("station", "form.role.station_required")),
            Some(place_id) => {
                let is_station: i64 = on_db!(db, p => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM places WHERE id = $1",
                ).bind(place_id).fetch_one(p).await?);
                if is_station == 1 {
                    Ok(Role::StationKeeper { place_id })
                } else {
                    Err(("station", "form.role.station_unknown"))
                }
            }
        },
        RoleKind::DistrictAdmin => match district.map(str::trim).filter(|s| !s.is_empty()) {
            None => Err(("district", "form.role.district_required")),
            Some(slug) => match district_id(db, slug).await? {
                Some(district_id) => Ok(Role::DistrictAdmin { district_id }),
                None => Err(("district", "form.role.district_unknown")),
            },
        },
        RoleKind::WorkshopKeeper => match workshop.map(str::trim).filter(|s| !s.is_empty()) {
            None => Err(("workshop", "form.role.workshop_required")),
            Some(slug) => {
                let known: i64 = on_db!(db, p => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM workshops WHERE slug = $1",
                ).bind(slug).fetch_one(p).await?);
                if known == 1 {
                    Ok(Role::WorkshopKeeper { workshop: slug.to_owned() })
                } else {
                    Err(("workshop", "form.role.workshop_invalid"))
                }
            }
        },
    })
}
