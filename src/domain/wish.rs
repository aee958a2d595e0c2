//! Micro-wishes: their statuses and the moves between them, tracking codes,
//! occupations, and the posting form.

use std::fmt;

use serde::Deserialize;

use super::account::{DisplayName, Phone};
use super::form::FormErrors;

/// Where a wish is in its life (see docs/PRODUCT.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WishStatus {
    Pending,
    Open,
    Claimed,
    Fulfilled,
    Rejected,
    Withdrawn,
    Expired,
}

impl WishStatus {
    pub const ALL: [WishStatus; 7] = [
        WishStatus::Pending,
        WishStatus::Open,
        WishStatus::Claimed,
        WishStatus::Fulfilled,
        WishStatus::Rejected,
        WishStatus::Withdrawn,
        WishStatus::Expired,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WishStatus::Pending => "pending",
            WishStatus::Open => "open",
            WishStatus::Claimed => "claimed",
            WishStatus::Fulfilled => "fulfilled",
            WishStatus::Rejected => "rejected",
            WishStatus::Withdrawn => "withdrawn",
            WishStatus::Expired => "expired",
        }
    }

    pub fn parse(code: &str) -> Option<WishStatus> {
        WishStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            WishStatus::Pending => "wish.status.pending",
            WishStatus::Open => "wish.status.open",
            WishStatus::Claimed => "wish.status.claimed",
            WishStatus::Fulfilled => "wish.status.fulfilled",
            WishStatus::Rejected => "wish.status.rejected",
            WishStatus::Withdrawn => "wish.status.withdrawn",
            WishStatus::Expired => "wish.status.expired",
        }
    }

    /// Closed wishes start the clock that erases the worker's phone.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            WishStatus::Fulfilled
                | WishStatus::Rejected
                | WishStatus::Withdrawn
                | WishStatus::Expired
        )
    }
}

/// Everything that can happen to a wish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Approve,
    Reject,
    Claim,
    Release,
    Lapse,
    Fulfil,
    Withdraw,
    Expire,
    Reopen,
}

impl Move {
    /// The status this move leads to from `from`, or `None` when the move
    /// is not allowed there. The one place that knows the diagram.
    pub fn from(self, from: WishStatus) -> Option<WishStatus> {
        use WishStatus::*;
        match (self, from) {
            (Move::Approve, Pending) => Some(Open),
            (Move::Reject, Pending) => Some(Rejected),
            (Move::Claim, Open) => Some(Claimed),
            (Move::Release | Move::Lapse, Claimed) => Some(Open),
            (Move::Fulfil, Claimed) => Some(Fulfilled),
            (Move::Withdraw, Pending | Open | Claimed) => Some(Withdrawn),
            (Move::Expire, Open) => Some(Expired),
            (Move::Reopen, Expired) => Some(Open),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Move::Approve => "approve",
            Move::Reject => "reject",
            Move::Claim => "claim",
            Move::Release => "release",
            Move::Lapse => "lapse",
            Move::Fulfil => "fulfil",
            Move::Withdraw => "withdraw",
            Move::Expire => "expire",
            Move::Reopen => "reopen",
        }
    }
}

/// Who did something to a wish, as timelines show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Worker,
    Volunteer,
    Staff,
    System,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::Worker => "worker",
            ActorKind::Volunteer => "volunteer",
            ActorKind::Staff => "staff",
            ActorKind::System => "system",
        }
    }

    pub fn label_key(code: &str) -> &'static str {
        match code {
            "worker" => "wish.actor.worker",
            "volunteer" => "wish.actor.volunteer",
            "staff" => "wish.actor.staff",
            _ => "wish.actor.system",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupation {
    Sanitation,
    Courier,
    FoodDelivery,
    RideHailing,
    Security,
    CareWork,
    Other,
}

impl Occupation {
    pub const ALL: [Occupation; 7] = [
        Occupation::Sanitation,
        Occupation::Courier,
        Occupation::FoodDelivery,
        Occupation::RideHailing,
        Occupation::Security,
        Occupation::CareWork,
        Occupation::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Occupation::Sanitation => "sanitation",
            Occupation::Courier => "courier",
            Occupation::FoodDelivery => "food_delivery",
            Occupation::RideHailing => "ride_hailing",
            Occupation::Security => "security",
            Occupation::CareWork => "care_work",
            Occupation::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Occupation> {
        Occupation::ALL.into_iter().find(|o| o.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Occupation::Sanitation => "occupation.sanitation",
            Occupation::Courier => "occupation.courier",
            Occupation::FoodDelivery => "occupation.food_delivery",
            Occupation::RideHailing => "occupation.ride_hailing",
            Occupation::Security => "occupation.security",
            Occupation::CareWork => "occupation.care_work",
            Occupation::Other => "occupation.other",
        }
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A worker's key to their wish: 40 random bits as 8 Crockford base32
/// characters, shown `XXXX-XXXX`. Never logged; only a keyed hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingCode(String);

impl TrackingCode {
    /// What is stored and compared: a keyed SHA-256 of the code, never
    /// the code itself.
    pub fn keyed_hash(&self, secret: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(secret);
        h.update(b"tracking-code:");
        h.update(self.as_str().as_bytes());
        super::hex(&h.finalize())
    }

    pub fn from_bits(bits: u64) -> TrackingCode {
        let mut s = String::with_capacity(8);
        for i in (0..8).rev() {
            s.push(CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char);
        }
        TrackingCode(s)
    }

    pub fn generate() -> TrackingCode {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b[..5]).expect("system randomness");
        TrackingCode::from_bits(u64::from_le_bytes(b))
    }

    /// Reads a typed code: any case, with or without the hyphen or spaces,
    /// O read as 0 and I or L as 1.
    pub fn parse(input: &str) -> Option<TrackingCode> {
        let mut s = String::with_capacity(8);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return None;
            }
            s.push(c);
        }
        (s.len() == 8).then_some(TrackingCode(s))
    }

    /// The canonical 8 characters, for hashing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `7K3Q-X9PM`, for reading aloud and copying.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrackingCode([redacted])")
    }
}

/// Masks anything that looks like a mainland mobile number in free text
/// (a thank-you, a wish written with a number in it): in every run of
/// digits (ASCII or full-width, with spaces, dashes, dots, slashes or
/// brackets between them), every eleven digits in a row that read as a
/// mobile number become `138****5678`, whatever stands before or after.
pub fn mask_phones(text: &str) -> String {
    let digit = |c: char| match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    };
    let separator = |c: char| {
        matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '　' | '－' | '．' | '／' | '（' | '）')
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run ends at its last digit; separators after it stay text.
        let mut j = i;
        let mut end = i + 1;
        while j < chars.len() && (digit(chars[j]).is_some() || separator(chars[j])) {
            if digit(chars[j]).is_some() {
                end = j + 1;
            }
            j += 1;
        }
        let run = &chars[i..end];
        let at: Vec<usize> = (0..run.len()).filter(|&k| digit(run[k]).is_some()).collect();
        let digits: Vec<char> = at.iter().filter_map(|&k| digit(run[k])).collect();
        let (mut k, mut written) = (0, 0);
        while k + 11 <= digits.len() {
            if digits[k] == '1' && ('3'..='9').contains(&digits[k + 1]) {
                out.extend(&run[written..at[k]]);
                out.extend(&digits[k..k + 3]);
                out.push_str("****");
                out.extend(&digits[k + 7..k + 11]);
                written = at[k + 10] + 1;
                k += 11;
            } else {
                k += 1;
            }
        }
        out.extend(&run[written..]);
        i = end;
    }
    out
}

/// The wish form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WishInput {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub phone: String,
    /// A field people never see; bots fill it in.
    #[serde(default)]
    pub website: String,
}

#[derive(Debug, Clone)]
pub struct NewWish {
    pub what: String,
    pub why: String,
    pub display_name: DisplayName,
    pub occupation: Occupation,
    /// The station's stable code (as printed on its poster) or its id.
    pub station: String,
    pub phone: Option<Phone>,
}

pub const WHAT_MIN: usize = 2;
pub const WHAT_MAX: usize = 60;
pub const WHY_MAX: usize = 300;
pub const NOTE_MAX: usize = 300;
pub const THANKS_MAX: usize = 200;

impl WishInput {
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// Checks every field; the station is checked to exist by the caller.
    pub fn parse(&self) -> Result<NewWish, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[
            ("what", &self.what),
            ("why", &self.why),
            ("display_name", &self.display_name),
            ("occupation", &self.occupation),
            ("station", &self.station),
            ("phone", &self.phone),
        ]);
        let what = self.what.trim();
        let n = what.chars().count();
        if n == 0 {
            e.add("what", "form.wish.what_required");
        } else if n < WHAT_MIN {
            e.add("what", "form.wish.what_too_short");
        } else if n > WHAT_MAX {
            e.add("what", "form.wish.what_too_long");
        }
        if self.why.trim().chars().count() > WHY_MAX {
            e.add("why", "form.wish.why_too_long");
        }
        let name =
            DisplayName::parse(&self.display_name).map_err(|k| e.add("display_name", k)).ok();
        let occupation = Occupation::parse(self.occupation.trim());
        if occupation.is_none() {
            e.add("occupation", "form.wish.occupation_required");
        }
        let station = Some(self.station.trim()).filter(|s| !s.is_empty() && s.len() <= 60);
        if station.is_none() {
            e.add("station", "form.wish.station_required");
        }
        let phone = match self.phone.trim() {
            "" => None,
            p => {
                let parsed = Phone::parse(p);
                if parsed.is_none() {
                    e.add("phone", "form.phone.invalid");
                }
                parsed
            }
        };
        match (name, occupation, station) {
            (Some(display_name), Some(occupation), Some(station)) if e.is_empty() => Ok(NewWish {
                what: what.to_owned(),
                why: self.why.trim().to_owned(),
                display_name,
                occupation,
                station: station.to_owned(),
                phone,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagram() {
        use WishStatus::*;
        assert_eq!(Move::Approve.from(Pending), Some(Open));
        assert_eq!(Move::Claim.from(Open), Some(Claimed));
        assert_eq!(Move::Claim.from(Claimed), None, "one claimer");
        assert_eq!(Move::Fulfil.from(Claimed), Some(Fulfilled));
        assert_eq!(Move::Withdraw.from(Fulfilled), None, "too late to withdraw");
        assert_eq!(Move::Lapse.from(Claimed), Some(Open));
        assert_eq!(Move::Expire.from(Open), Some(Expired));
        assert_eq!(Move::Reopen.from(Expired), Some(Open));
        for s in WishStatus::ALL {
            assert_eq!(WishStatus::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn tracking_codes_read_forgivingly() {
        let code = TrackingCode::from_bits(0x00_12_34_56_78_9A);
        assert_eq!(code.as_str().len(), 8);
        let shown = code.display();
        assert_eq!(shown.len(), 9);
        assert_eq!(TrackingCode::parse(&shown), Some(code.clone()));
        assert_eq!(TrackingCode::parse(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(TrackingCode::parse("7K3Q-X9PM").unwrap().as_str(), "7K3QX9PM");
        assert_eq!(TrackingCode::parse("oiL1 abcd").unwrap().as_str(), "0111ABCD");
        assert!(TrackingCode::parse("7K3Q-X9P").is_none());
        assert!(TrackingCode::parse("7K3Q-X9PU").is_none(), "U is not Crockford");
        assert!(TrackingCode::parse("").is_none());
        assert!(!format!("{code:?}").contains(code.as_str()));
        let a = TrackingCode::generate();
        let b = TrackingCode::generate();
        assert_ne!(a, b);
    }

    #[test]
    fn phones_in_free_text_are_masked() {
        assert_eq!(mask_phones("谢谢！电话13812345678"), "谢谢！电话138****5678");
        assert_eq!(mask_phones("call 138 1234 5678 now"), "call 138****5678 now");
        assert_eq!(mask_phones("2023年11月"), "2023年11月");
        assert_eq!(
            mask_phones("打我１３８１２３４５６７８吧"),
            "打我138****5678吧",
            "full-width digits"
        );
        assert_eq!(mask_phones("138－1234－5678"), "138****5678");
        for sly in [
            "13812345678 2",
            "电话13812345678 2号楼",
            "138.1234.5678",
            "138/1234/5678",
            "(138)1234-5678",
            "138  1234  5678",
            "2号13812345678",
        ] {
            let masked = mask_phones(sly);
            assert!(masked.contains("138****5678"), "{sly} → {masked}");
            assert!(!masked.contains("1234"), "{sly} → {masked}");
        }
        assert_eq!(mask_phones("13812345678 2"), "138****5678 2");
        assert_eq!(mask_phones("打我13812345678，或13987654321"), "打我138****5678，或139****4321");
        assert_eq!(mask_phones("订单 20231108 号"), "订单 20231108 号");
        assert_eq!(mask_phones("工号 12345678901"), "工号 12345678901", "not a mobile number");
    }

    #[test]
    fn the_wish_form_checks_every_field() {
        let e = WishInput {
            what: "x".into(),
            why: "y".repeat(301),
            phone: "12".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for (field, key) in [
            ("what", "form.wish.what_too_short"),
            ("why", "form.wish.why_too_long"),
            ("display_name", "form.display_name.required"),
            ("occupation", "form.wish.occupation_required"),
            ("station", "form.wish.station_required"),
            ("phone", "form.phone.invalid"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
        let ok = WishInput {
            what: "一台微波炉".into(),
            display_name: "陈大姐".into(),
            occupation: "sanitation".into(),
            station: "3".into(),
            ..Default::default()
        };
        let w = ok.parse().unwrap();
        assert!(w.phone.is_none() && !ok.is_bot());
    }
}
