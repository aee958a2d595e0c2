//! Places a district offers: happy homes, business communities, love stations.

/// What kind of service place a place is. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    HappyHome,
    BusinessCommunity,
    LoveStation,
    Other,
}

impl PlaceKind {
    /// The order in which kinds are listed on a district page.
    pub const ALL: [PlaceKind; 4] = [
        PlaceKind::HappyHome,
        PlaceKind::BusinessCommunity,
        PlaceKind::LoveStation,
        PlaceKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlaceKind::HappyHome => "happy_home",
            PlaceKind::BusinessCommunity => "business_community",
            PlaceKind::LoveStation => "love_station",
            PlaceKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<PlaceKind> {
        PlaceKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Catalogue key of the kind's name (singular).
    pub fn label_key(self) -> &'static str {
        match self {
            PlaceKind::HappyHome => "place.kind.happy_home",
            PlaceKind::BusinessCommunity => "place.kind.business_community",
            PlaceKind::LoveStation => "place.kind.love_station",
            PlaceKind::Other => "place.kind.other",
        }
    }

    /// Catalogue key of the heading for a group of places of this kind.
    pub fn group_key(self) -> &'static str {
        match self {
            PlaceKind::HappyHome => "place.group.happy_home",
            PlaceKind::BusinessCommunity => "place.group.business_community",
            PlaceKind::LoveStation => "place.group.love_station",
            PlaceKind::Other => "place.group.other",
        }
    }
}

/// What a place offers to the people who come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amenity {
    HotWater,
    Microwave,
    Charging,
    RestSeats,
    Toilet,
    FirstAid,
    Canteen,
    StudyRoom,
    Fitness,
    Classes,
    Consultation,
    Health,
    Open24h,
}

impl Amenity {
    pub const ALL: [Amenity; 13] = [
        Amenity::HotWater,
        Amenity::Microwave,
        Amenity::Charging,
        Amenity::RestSeats,
        Amenity::Toilet,
        Amenity::FirstAid,
        Amenity::Canteen,
        Amenity::StudyRoom,
        Amenity::Fitness,
        Amenity::Classes,
        Amenity::Consultation,
        Amenity::Health,
        Amenity::Open24h,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Amenity::HotWater => "hot_water",
            Amenity::Microwave => "microwave",
            Amenity::Charging => "charging",
            Amenity::RestSeats => "rest_seats",
            Amenity::Toilet => "toilet",
            Amenity::FirstAid => "first_aid",
            Amenity::Canteen => "canteen",
            Amenity::StudyRoom => "study_room",
            Amenity::Fitness => "fitness",
            Amenity::Classes => "classes",
            Amenity::Consultation => "consultation",
            Amenity::Health => "health",
            Amenity::Open24h => "open_24h",
        }
    }

    pub fn parse(code: &str) -> Option<Amenity> {
        Amenity::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Parses the stored list (codes separated by spaces); unknown codes are
    /// skipped so that an old binary never fails on a newer database.
    pub fn parse_list(list: &str) -> Vec<Amenity> {
        list.split_whitespace().filter_map(Amenity::parse).collect()
    }

    pub fn label_key(self) -> String {
        format!("amenity.{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_amenities_round_trip() {
        for k in PlaceKind::ALL {
            assert_eq!(PlaceKind::parse(k.code()), Some(k));
        }
        for a in Amenity::ALL {
            assert_eq!(Amenity::parse(a.code()), Some(a));
        }
        assert_eq!(PlaceKind::parse("castle"), None);
    }

    #[test]
    fn amenity_lists_skip_unknown_codes() {
        assert_eq!(
            Amenity::parse_list(" microwave  teleporter hot_water"),
            vec![Amenity::Microwave, Amenity::HotWater]
        );
        assert!(Amenity::parse_list("").is_empty());
    }
}
