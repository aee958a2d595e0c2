//! Roles and what each covers. One place decides who may act on what.

/// A role held by a user, with the thing it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Keeps one love station (a place).
    StationKeeper { place_id: i64 },
    /// Keeps one workshop.
    WorkshopKeeper { workshop: String },
    /// Keeps everything of one district: its stations and workshops.
    DistrictAdmin { district_id: i64 },
    /// Keeps everything.
    SiteAdmin,
}

/// The names used in the database, the CLI and forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    StationKeeper,
    WorkshopKeeper,
    DistrictAdmin,
    SiteAdmin,
}

impl RoleKind {
    pub const ALL: [RoleKind; 4] = [
        RoleKind::StationKeeper,
        RoleKind::WorkshopKeeper,
        RoleKind::DistrictAdmin,
        RoleKind::SiteAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoleKind::StationKeeper => "station_keeper",
            RoleKind::WorkshopKeeper => "workshop_keeper",
            RoleKind::DistrictAdmin => "district_admin",
            RoleKind::SiteAdmin => "site_admin",
        }
    }

    pub fn parse(s: &str) -> Option<RoleKind> {
        let s = s.trim().replace('-', "_");
        RoleKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RoleKind::StationKeeper => "role.station_keeper",
            RoleKind::WorkshopKeeper => "role.workshop_keeper",
            RoleKind::DistrictAdmin => "role.district_admin",
            RoleKind::SiteAdmin => "role.site_admin",
        }
    }
}

impl Role {
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::StationKeeper { .. } => RoleKind::StationKeeper,
            Role::WorkshopKeeper { .. } => RoleKind::WorkshopKeeper,
            Role::DistrictAdmin { .. } => RoleKind::DistrictAdmin,
            Role::SiteAdmin => RoleKind::SiteAdmin,
        }
    }

    /// The canonical scope string stored beside the role, unique per user.
    pub fn scope(&self) -> String {
        match self {
            Role::StationKeeper { place_id } => format!("place:{place_id}"),
            Role::WorkshopKeeper { workshop } => format!("workshop:{workshop}"),
            Role::DistrictAdmin { district_id } => format!("district:{district_id}"),
            Role::SiteAdmin => String::new(),
        }
    }
}

/// Everything one user holds. Every access decision goes through here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<Role>);

impl Grants {
    pub fn is_site_admin(&self) -> bool {
        self.0.contains(&Role::SiteAdmin)
    }

    /// Holds any staff role at all.
    pub fn is_staff(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn admin_of_district(&self, district_id: i64) -> bool {
        self.is_site_admin() || self.0.contains(&Role::DistrictAdmin { district_id })
    }

    /// May act on a station: its keeper, its district's admin, a site admin.
    pub fn keeps_station(&self, place_id: i64, district_id: i64) -> bool {
        self.admin_of_district(district_id) || self.0.contains(&Role::StationKeeper { place_id })
    }

    /// May edit an item of a district's content: the district's admins
    /// (and site admins); a notice at a station, that station's keepers too.
    pub fn edits_content(&self, district_id: i64, station: Option<i64>) -> bool {
        self.admin_of_district(district_id)
            || station.is_some_and(|p| self.keeps_station(p, district_id))
    }

    /// May act on a workshop: its keeper, its district's admin, a site admin.
    pub fn keeps_workshop(&self, workshop: &str, district_id: i64) -> bool {
        self.admin_of_district(district_id)
            || self
                .0
                .iter()
                .any(|r| matches!(r, Role::WorkshopKeeper { workshop: w } if w == workshop))
    }

    /// Whether these grants hold `held` themselves, over the same thing or
    /// over one that contains it (a district holds its stations and
    /// workshops; a site admin holds everything).
    pub fn covers(&self, held: &HeldRole) -> bool {
        match &held.role {
            Role::SiteAdmin => self.is_site_admin(),
            Role::DistrictAdmin { district_id } => self.admin_of_district(*district_id),
            Role::StationKeeper { place_id } => {
                held.district_id.is_some_and(|d| self.keeps_station(*place_id, d))
            }
            Role::WorkshopKeeper { workshop } => {
                held.district_id.is_some_and(|d| self.keeps_workshop(workshop, d))
            }
        }
    }

    /// May act on someone's account (issue a password-reset link, change
    /// its roles). A site admin may; otherwise only the admin of a district
    /// the account is tied to, and only when every role the account holds
    /// is one these grants hold too over the same scope. So nobody acts on
    /// an account that outranks them, and only a site admin on a site admin.
    pub fn may_act_on(&self, account: &AccountTies) -> bool {
        if self.is_site_admin() {
            return true;
        }
        let admin_of_a_tie = account
            .districts
            .iter()
            .any(|d| self.0.contains(&Role::DistrictAdmin { district_id: *d }));
        admin_of_a_tie && account.roles.iter().all(|r| self.covers(r))
    }
}

/// A role someone holds, with the district its thing lies in (`None` for
/// a site admin, and for a thing that no longer exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    pub role: Role,
    pub district_id: Option<i64>,
}

/// What an action on an account needs to know of that account: the roles
/// it holds and the districts it is tied to (through those roles and the
/// wishes it claimed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountTies {
    pub roles: Vec<HeldRole>,
    pub districts: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keeper_keeps_only_their_station() {
        let g = Grants(vec![Role::StationKeeper { place_id: 1 }]);
        assert!(g.keeps_station(1, 10));
        assert!(!g.keeps_station(2, 10));
        assert!(!g.admin_of_district(10));
        assert!(g.is_staff() && !g.is_site_admin());
    }

    #[test]
    fn district_admins_keep_their_district_and_site_admins_everything() {
        let d = Grants(vec![Role::DistrictAdmin { district_id: 10 }]);
        assert!(d.keeps_station(7, 10) && !d.keeps_station(7, 11));
        assert!(d.keeps_workshop("a", 10) && !d.keeps_workshop("a", 11));
        let s = Grants(vec![Role::SiteAdmin]);
        assert!(s.keeps_station(7, 11) && s.keeps_workshop("x", 3));
        assert!(s.may_act_on(&AccountTies::default()));
        assert!(!Grants::default().is_staff());
    }

    fn held(role: Role, district_id: Option<i64>) -> HeldRole {
        HeldRole { role, district_id }
    }

    fn ties(roles: Vec<HeldRole>, districts: &[i64]) -> AccountTies {
        AccountTies { roles, districts: districts.to_vec() }
    }

    #[test]
    fn nobody_acts_on_an_account_that_outranks_them() {
        let xihu = Grants(vec![Role::DistrictAdmin { district_id: 10 }]);
        // A volunteer who claimed a wish in the district, and keepers in it.
        assert!(xihu.may_act_on(&ties(vec![], &[10])));
        let keeper = held(Role::StationKeeper { place_id: 7 }, Some(10));
        assert!(xihu.may_act_on(&ties(vec![keeper.clone()], &[10])));
        let workshop = held(Role::WorkshopKeeper { workshop: "tea".into() }, Some(10));
        assert!(xihu.may_act_on(&ties(vec![keeper.clone(), workshop], &[10])));
        // Not a volunteer of another district only.
        assert!(!xihu.may_act_on(&ties(vec![], &[11])));
        // The site admin, tied to the district by a claim: never.
        assert!(!xihu.may_act_on(&ties(vec![held(Role::SiteAdmin, None)], &[10])));
        // A keeper here who also keeps a station elsewhere: not over that one.
        let elsewhere = held(Role::StationKeeper { place_id: 8 }, Some(11));
        assert!(!xihu.may_act_on(&ties(vec![keeper, elsewhere], &[10, 11])));
        // Another district's admin who once claimed a wish here.
        let other_admin = held(Role::DistrictAdmin { district_id: 11 }, Some(11));
        assert!(!xihu.may_act_on(&ties(vec![other_admin], &[10, 11])));
        // A fellow admin of the same district holds nothing the actor lacks.
        let fellow = held(Role::DistrictAdmin { district_id: 10 }, Some(10));
        assert!(xihu.may_act_on(&ties(vec![fellow], &[10])));
        // A role on a thing that is gone is held by nobody but a site admin.
        let gone = held(Role::StationKeeper { place_id: 9 }, None);
        assert!(!xihu.may_act_on(&ties(vec![gone.clone()], &[10])));
        assert!(Grants(vec![Role::SiteAdmin]).may_act_on(&ties(vec![gone], &[])));
        // Station and workshop keepers act on no account.
        let keeper_grants = Grants(vec![Role::StationKeeper { place_id: 7 }]);
        assert!(!keeper_grants.may_act_on(&ties(vec![], &[10])));
    }

    #[test]
    fn role_codes_round_trip() {
        for k in RoleKind::ALL {
            assert_eq!(RoleKind::parse(k.code()), Some(k));
        }
        assert_eq!(RoleKind::parse("site-admin"), Some(RoleKind::SiteAdmin));
        assert_eq!(RoleKind::parse("king"), None);
    }
}
