//! What `linli admin` does: make a site admin, grant and revoke roles.
//! The CLI (`main.rs`) only parses the command line and reads the
//! password; messages name the option they are about, in English.

use anyhow::bail;
use chrono::Utc;

use crate::db::{Db, accounts, sessions::Ending};
use crate::domain::account::{DisplayName, Email, NewVolunteer, Password, Personal, Phone};
use crate::domain::{Role, RoleKind};

/// The English text of a catalogue key, for command-line messages.
fn say(key: &str) -> &'static str {
    crate::i18n::t(crate::domain::Lang::En, key)
}

/// A role as named on the command line.
pub struct RoleRequest {
    pub role: String,
    /// Id, mobile number or e-mail.
    pub user: String,
    pub station: Option<i64>,
    pub district: Option<String>,
    pub workshop: Option<String>,
}

/// Creates an account and makes it a site admin; `password` is asked for
/// only once the other details are known to be good. Returns its id.
pub async fn create_site_admin(
    db: &Db,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    password: &dyn Fn() -> anyhow::Result<String>,
) -> anyhow::Result<i64> {
    let display_name =
        DisplayName::parse(name).map_err(|k| anyhow::anyhow!("--name: {}", say(k)))?;
    let phone = phone
        .map(|p| {
            Phone::parse(p).ok_or_else(|| anyhow::anyhow!("--phone: {}", say("form.phone.invalid")))
        })
        .transpose()?;
    let email = email
        .map(|e| {
            Email::parse(e).ok_or_else(|| anyhow::anyhow!("--email: {}", say("form.email.invalid")))
        })
        .transpose()?;
    let personal = Personal {
        phone: phone.as_ref().map(Phone::as_str),
        name: Some(display_name.as_str()),
        email: email.as_ref().map(Email::as_str),
    };
    let password = Password::parse(&password()?, personal)
        .map_err(|k| anyhow::anyhow!("password: {}", say(k)))?;
    let hash = crate::domain::password_hash::hash(password.expose()).map_err(anyhow::Error::msg)?;
    let admin = NewVolunteer {
        display_name,
        phone,
        email,
        password,
        organisation: None,
        party_member: false,
    };
    let now = Utc::now();
    let id = match accounts::create_volunteer(db, &admin, &hash, now).await {
        Ok(id) => id,
        Err(accounts::CreateError::PhoneTaken) => bail!("--phone: {}", say("form.phone.taken")),
        Err(accounts::CreateError::EmailTaken) => bail!("--email: {}", say("form.email.taken")),
        Err(accounts::CreateError::Db(e)) => return Err(e.into()),
    };
    accounts::grant(db, id, &Role::SiteAdmin, None, now).await?;
    Ok(id)
}

/// Grants a role; returns the user and whether it was new.
pub async fn grant(db: &Db, request: &RoleRequest) -> anyhow::Result<(i64, bool)> {
    let (user, role) = resolve(db, request).await?;
    match accounts::grant(db, user, &role, None, Utc::now()).await {
        Ok(granted) => Ok((user, granted)),
        Err(e) => bail!("{e}"),
    }
}

/// Revokes a role (ending the user's sessions); returns the user and
/// whether they held it.
pub async fn revoke(db: &Db, request: &RoleRequest) -> anyhow::Result<(i64, bool)> {
    let (user, role) = resolve(db, request).await?;
    let revoked = accounts::revoke(db, user, &role, None, Ending::All, Utc::now()).await?;
    Ok((user, revoked))
}

async fn resolve(db: &Db, r: &RoleRequest) -> anyhow::Result<(i64, Role)> {
    let kind = RoleKind::parse(&r.role).ok_or_else(|| {
        anyhow::anyhow!(
            "ROLE: '{}' is not one of site_admin, district_admin, station_keeper, workshop_keeper",
            r.role
        )
    })?;
    let user = accounts::find_user(db, &r.user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--user: no user '{}'", r.user))?;
    let role =
        accounts::resolve_role(db, kind, r.station, r.district.as_deref(), r.workshop.as_deref())
            .await?
            .map_err(|(field, key)| anyhow::anyhow!("--{field}: {}", say(key)))?;
    Ok((user, role))
}
