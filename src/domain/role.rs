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

    /// May act on a workshop: its keeper, its district's admin, a site admin.
    pub fn keeps_workshop(&self, workshop: &str, district_id: i64) -> bool {
        self.admin_of_district(district_id)
            || self
                .0
                .iter()
                .any(|r| matches!(r, Role::WorkshopKeeper { workshop: w } if w == workshop))
    }

    /// May issue a password-reset link for a volunteer: a site admin, or
    /// the admin of a district whose stations that volunteer is tied to.
    pub fn may_reset_for(&self, volunteer_districts: &[i64]) -> bool {
        self.is_site_admin() || volunteer_districts.iter().any(|d| self.admin_of_district(*d))
    }
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
        assert!(s.keeps_station(7, 11) && s.keeps_workshop("x", 3) && s.may_reset_for(&[]));
        assert!(!Grants::default().is_staff());
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
