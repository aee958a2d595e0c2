//! Micro-wishes: their statuses and the moves between them, tracking codes,
//! occupations, who may change what (`decide`), posting (`decide_posts`),
//! and every wish form parsed into what it means (`forms`).

use std::fmt;

mod delivery;
mod forms;

pub use delivery::{ClaimInput, Delivery, is_overdue, overdue_held_before};
pub use forms::{
    ConfirmInput, Confirmation, FlagInput, Flags, FollowUpInput, FulfilInput, NewWish,
    ResubmitInput, ReviewInput, TakeBackInput, Wall, WallParams, WishInput,
};

/// Where a wish is in its life (see docs/PRODUCT.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WishStatus {
    Pending,
    Open,
    Claimed,
    Fulfilled,
    /// The worker said it did not arrive: staff are following it up.
    NotReceived,
    /// A follow-up staff ended without the gift arriving (with a note).
    Closed,
    Rejected,
    Withdrawn,
    Expired,
}

/// Who is looking at a wish, as far as what they may see depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone without a tie to the wish.
    Public,
    /// The volunteer who claimed it.
    Claimer,
    /// Its station's keepers, district admins, site admins.
    Staff,
}

impl Viewer {
    /// Whether this viewer sees a wish in `status` at all: pending and
    /// rejected wishes are their station's staff's only, and withdrawn ones
    /// theirs and the claimer's (who is told, not met with a missing page).
    pub fn sees(self, status: WishStatus) -> bool {
        match status {
            WishStatus::Pending | WishStatus::Rejected => self == Viewer::Staff,
            WishStatus::Withdrawn => self != Viewer::Public,
            _ => true,
        }
    }

    /// Whether this viewer sees the worker's phone: staff always, the
    /// claimer while the claim is theirs, nobody else ever.
    pub fn sees_phone(self, status: WishStatus) -> bool {
        match self {
            Viewer::Staff => true,
            Viewer::Claimer => status == WishStatus::Claimed,
            Viewer::Public => false,
        }
    }
}

impl WishStatus {
    pub const ALL: [WishStatus; 9] = [
        WishStatus::Pending,
        WishStatus::Open,
        WishStatus::Claimed,
        WishStatus::Fulfilled,
        WishStatus::NotReceived,
        WishStatus::Closed,
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
            WishStatus::NotReceived => "not_received",
            WishStatus::Closed => "closed",
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
            WishStatus::NotReceived => "wish.status.not_received",
            WishStatus::Closed => "wish.status.closed",
            WishStatus::Rejected => "wish.status.rejected",
            WishStatus::Withdrawn => "wish.status.withdrawn",
            WishStatus::Expired => "wish.status.expired",
        }
    }

    /// Closed wishes start the clock that erases the worker's phone (a
    /// follow-up is not closed: staff may need to call).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            WishStatus::Fulfilled
                | WishStatus::Closed
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
    /// The worker says it did not arrive.
    NotArrived,
    /// Staff end a follow-up.
    Resolve(Outcome),
    /// Staff hand a claim to another volunteer.
    HandOver,
    /// The worker edits a rejected wish and sends it again.
    Resubmit,
}

/// How staff end a "did not arrive" follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It arrived after all: fulfilled.
    Arrived,
    /// Back on the wall for another volunteer.
    BackToWall,
    /// The same volunteer tries again: claimed by them once more.
    TryAgain,
    /// Closed, with a note to the worker.
    Close,
}

impl Outcome {
    pub const ALL: [Outcome; 4] =
        [Outcome::Arrived, Outcome::BackToWall, Outcome::TryAgain, Outcome::Close];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Arrived => "arrived",
            Outcome::BackToWall => "back_to_wall",
            Outcome::TryAgain => "try_again",
            Outcome::Close => "close",
        }
    }

    pub fn parse(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }
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
            (Move::HandOver, Claimed) => Some(Claimed),
            (Move::Resubmit, Rejected) => Some(Pending),
            (Move::Fulfil, Claimed) => Some(Fulfilled),
            (Move::Withdraw, Pending | Open | Claimed) => Some(Withdrawn),
            (Move::Expire, Open) => Some(Expired),
            (Move::Reopen, Expired) => Some(Open),
            (Move::NotArrived, Fulfilled) => Some(NotReceived),
            (Move::Resolve(o), NotReceived) => Some(match o {
                Outcome::Arrived => Fulfilled,
                Outcome::BackToWall => Open,
                Outcome::TryAgain => Claimed,
                Outcome::Close => Closed,
            }),
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
            Move::NotArrived => "not_arrived",
            Move::Resolve(Outcome::Arrived) => "resolve_arrived",
            Move::Resolve(Outcome::BackToWall) => "resolve_back_to_wall",
            Move::Resolve(Outcome::TryAgain) => "resolve_try_again",
            Move::Resolve(Outcome::Close) => "resolve_close",
            Move::HandOver => "hand_over",
            Move::Resubmit => "resubmit",
        }
    }

    /// The timeline's word for the event, where the status it leads to
    /// does not say what happened (`wish.event.<code>`).
    pub fn event_kind(self) -> Option<&'static str> {
        matches!(self, Move::NotArrived | Move::Resolve(_) | Move::HandOver | Move::Resubmit)
            .then(|| self.code())
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

/// Who makes a change.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
}

impl Actor {
    pub const WORKER: Actor = Actor { kind: ActorKind::Worker, id: None };
    pub const SYSTEM: Actor = Actor { kind: ActorKind::System, id: None };
    pub fn volunteer(id: i64) -> Actor {
        Actor { kind: ActorKind::Volunteer, id: Some(id) }
    }
    pub fn staff(id: i64) -> Actor {
        Actor { kind: ActorKind::Staff, id: Some(id) }
    }
}

/// Why a change did not happen. Nothing was changed.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The wish is no longer where the move starts (someone else was quicker).
    NotFrom(WishStatus),
    /// The volunteer already holds as many claims as allowed.
    ClaimLimit,
    /// Only the claimer (or staff) may do this.
    NotYours,
    /// The volunteer to try again has deleted their account.
    NoClaimer,
    NoSuchWish,
}

/// A change to make, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Approve {
        what: String,
        why: String,
    },
    Reject {
        reason: String,
    },
    /// A volunteer claims it, under their limit of open claims, with how
    /// the gift will reach the worker.
    Claim {
        limit: i64,
        delivery: Delivery,
    },
    Release,
    /// Staff take a claim back to the wall, saying why to the volunteer.
    StaffRelease {
        reason: String,
    },
    /// Staff hand a claim to another volunteer, saying why.
    HandOver {
        to: i64,
        reason: String,
    },
    /// The worker sends a rejected wish again, edited, for review.
    Resubmit {
        what: String,
        why: String,
    },
    Lapse,
    Fulfil {
        note: String,
        by_staff: bool,
    },
    Withdraw,
    Expire,
    Reopen,
    NotArrived,
    Resolve {
        outcome: Outcome,
        note: String,
    },
}

impl Change {
    pub fn mv(&self) -> Move {
        match self {
            Change::Approve { .. } => Move::Approve,
            Change::Reject { .. } => Move::Reject,
            Change::Claim { .. } => Move::Claim,
            Change::Release | Change::StaffRelease { .. } => Move::Release,
            Change::HandOver { .. } => Move::HandOver,
            Change::Resubmit { .. } => Move::Resubmit,
            Change::Lapse => Move::Lapse,
            Change::Fulfil { .. } => Move::Fulfil,
            Change::Withdraw => Move::Withdraw,
            Change::Expire => Move::Expire,
            Change::Reopen => Move::Reopen,
            Change::NotArrived => Move::NotArrived,
            Change::Resolve { outcome, .. } => Move::Resolve(*outcome),
        }
    }
}

impl Change {
    /// The timeline's word for the event (`wish.event.<kind>`), where the
    /// status it leads to does not say what happened.
    pub fn event_kind(&self) -> Option<&'static str> {
        match self {
            Change::StaffRelease { .. } => Some("released_by_staff"),
            _ => self.mv().event_kind(),
        }
    }
}

/// A wish as it is, as far as deciding a change needs to know.
#[derive(Debug, Clone)]
pub struct Current {
    pub status: WishStatus,
    pub claimer: Option<i64>,
    pub what: String,
    pub why: String,
}

/// What an allowed change comes to: the status it moves from and to, and
/// the note of its event (shown beyond staff only when `public_note`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub from: WishStatus,
    pub to: WishStatus,
    pub note: String,
    pub public_note: bool,
}

/// Decides a change to a wish: the one place for who may do what. The
/// move must be allowed from the wish's status; only the claimer releases
/// it, and only the claimer or the station's staff fulfil it; only the
/// worker says it did not arrive, and only staff end that follow-up (the
/// same volunteer tries again only while they have an account). A
/// rejection reason, a fulfilment note and a follow-up's note are public;
/// a privacy edit keeps the original text in a staff-only note.
pub fn decide(current: &Current, actor: Actor, change: &Change) -> Result<Plan, Refused> {
    let from = current.status;
    let to = change.mv().from(from).ok_or(Refused::NotFrom(from))?;
    let theirs = current.claimer.is_some() && current.claimer == actor.id;
    match change {
        Change::Release if !theirs => return Err(Refused::NotYours),
        Change::Fulfil { by_staff: false, .. } if !theirs => return Err(Refused::NotYours),
        Change::NotArrived | Change::Resubmit { .. } if actor.kind != ActorKind::Worker => {
            return Err(Refused::NotYours);
        }
        Change::Resolve { .. } | Change::StaffRelease { .. } | Change::HandOver { .. }
            if actor.kind != ActorKind::Staff =>
        {
            return Err(Refused::NotYours);
        }
        Change::Resolve { outcome: Outcome::TryAgain, .. } if current.claimer.is_none() => {
            return Err(Refused::NoClaimer);
        }
        _ => {}
    }
    let (note, public_note) = match change {
        Change::Reject { reason } => (reason.clone(), true),
        Change::Fulfil { note, .. } => (note.clone(), true),
        // What staff decide, the worker and the volunteer read.
        Change::Resolve { note, .. } => (note.clone(), true),
        // The volunteer whose claim staff took reads why.
        Change::StaffRelease { reason } | Change::HandOver { reason, .. } => (reason.clone(), true),
        // What was sent before stays in a staff-only note.
        Change::Approve { what, why } | Change::Resubmit { what, why }
            if *what != current.what || *why != current.why =>
        {
            (format!("{}\n{}", current.what, current.why), false)
        }
        _ => (String::new(), false),
    };
    Ok(Plan { from, to, note, public_note })
}

/// A love station as posting needs it.
#[derive(Debug, Clone)]
pub struct Station {
    pub id: i64,
    /// The stable code printed on its poster.
    pub code: String,
    pub open: bool,
}

/// Which of a post's limits it met. Workers share addresses (a station's
/// Wi-Fi, a carrier's network), so the address's limit is generous; a
/// phone and a station have their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Address,
    Phone,
    Station,
}

/// One post in a batch, with the quotas (each a key, its limit and which
/// limit it is) it counts against; none for a station's own staff.
#[derive(Debug, Clone)]
pub struct Candidate<'a, K> {
    pub quotas: Vec<(K, i64, Limit)>,
    /// The station as the form named it: its code or its id.
    pub station: &'a str,
    pub phone: Option<&'a str>,
    pub what: &'a str,
}

/// What becomes of one post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostDecision {
    Post {
        station_id: i64,
    },
    /// One of its quotas is used up in this window.
    Throttled(Limit),
    UnknownStation,
    ClosedStation,
    /// The same phone posted the same wish within a day: that wish.
    Duplicate(i64),
    /// The same as post number `.0` of this batch (which is posted).
    SameAsInBatch(usize),
}

/// Decides a batch of posts, in order, from the facts read for it: how
/// much of each quota was used before (`used`), the stations named, and
/// the same-day wishes of the phones in it (`earlier`, by phone and
/// text). A post counts against its quota only when it is posted; a
/// repeat within the batch points at the first.
pub fn decide_posts<K: Eq + std::hash::Hash + Clone>(
    posts: &[Candidate<'_, K>],
    used: &std::collections::HashMap<K, i64>,
    stations: &[Station],
    earlier: &std::collections::HashMap<(String, String), i64>,
) -> Vec<PostDecision> {
    let mut used = used.clone();
    let mut in_batch: std::collections::HashMap<(String, String), usize> = Default::default();
    let mut out = Vec::with_capacity(posts.len());
    for (i, post) in posts.iter().enumerate() {
        let full =
            post.quotas.iter().find(|(k, limit, _)| used.get(k).copied().unwrap_or(0) >= *limit);
        if let Some((_, _, which)) = full {
            out.push(PostDecision::Throttled(*which));
            continue;
        }
        let station = stations
            .iter()
            .find(|s| s.code == post.station || post.station.parse::<i64>().ok() == Some(s.id));
        let Some(station) = station else {
            out.push(PostDecision::UnknownStation);
            continue;
        };
        if !station.open {
            out.push(PostDecision::ClosedStation);
            continue;
        }
        if let Some(phone) = post.phone {
            let same = (phone.to_owned(), post.what.to_owned());
            if let Some(id) = earlier.get(&same) {
                out.push(PostDecision::Duplicate(*id));
                continue;
            }
            if let Some(&first) = in_batch.get(&same) {
                out.push(PostDecision::SameAsInBatch(first));
                continue;
            }
            in_batch.insert(same, i);
        }
        for (k, _, _) in &post.quotas {
            *used.entry(k.clone()).or_insert(0) += 1;
        }
        out.push(PostDecision::Post { station_id: station.id });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_sees_a_wish_and_its_phone() {
        use WishStatus::*;
        for s in WishStatus::ALL {
            assert!(Viewer::Staff.sees(s) && Viewer::Staff.sees_phone(s));
            assert!(!Viewer::Public.sees_phone(s), "{s:?}");
            assert_eq!(Viewer::Claimer.sees_phone(s), s == Claimed, "{s:?}");
        }
        for s in [Pending, Rejected] {
            assert!(!Viewer::Public.sees(s) && !Viewer::Claimer.sees(s), "{s:?}");
        }
        assert!(!Viewer::Public.sees(Withdrawn) && Viewer::Claimer.sees(Withdrawn));
        for s in [Open, Claimed, Fulfilled, Expired] {
            assert!(Viewer::Public.sees(s), "{s:?}");
        }
    }

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
    fn a_gift_that_did_not_arrive_is_followed_up_by_staff() {
        use WishStatus::*;
        assert_eq!(Move::NotArrived.from(Fulfilled), Some(NotReceived));
        assert_eq!(Move::NotArrived.from(Claimed), None, "only after fulfilment");
        let ends = |o| Move::Resolve(o).from(NotReceived);
        assert_eq!(ends(Outcome::Arrived), Some(Fulfilled));
        assert_eq!(ends(Outcome::BackToWall), Some(Open));
        assert_eq!(ends(Outcome::TryAgain), Some(Claimed));
        assert_eq!(ends(Outcome::Close), Some(Closed));
        assert_eq!(Move::Resolve(Outcome::Arrived).from(Fulfilled), None);
        assert!(!NotReceived.is_closed() && Closed.is_closed());
        assert!(Viewer::Public.sees(NotReceived) && Viewer::Public.sees(Closed));
        let followed = wish(NotReceived, Some(7));
        let resolve = |outcome| Change::Resolve { outcome, note: "已联系".into() };
        // Only the worker says it did not arrive; only staff end it.
        let fulfilled = wish(Fulfilled, Some(7));
        assert!(decide(&fulfilled, Actor::WORKER, &Change::NotArrived).is_ok());
        assert_eq!(
            decide(&fulfilled, Actor::volunteer(7), &Change::NotArrived),
            Err(Refused::NotYours)
        );
        assert_eq!(
            decide(&followed, Actor::volunteer(7), &resolve(Outcome::Arrived)),
            Err(Refused::NotYours)
        );
        let plan = decide(&followed, Actor::staff(9), &resolve(Outcome::Close)).unwrap();
        assert_eq!((plan.to, plan.note.as_str(), plan.public_note), (Closed, "已联系", true));
        // The same volunteer tries again only while they have an account.
        let gone = wish(NotReceived, None);
        assert_eq!(
            decide(&gone, Actor::staff(9), &resolve(Outcome::TryAgain)),
            Err(Refused::NoClaimer)
        );
        assert!(decide(&gone, Actor::staff(9), &resolve(Outcome::BackToWall)).is_ok());
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.code()), Some(o));
            assert!(Move::Resolve(o).event_kind().is_some());
        }
        assert_eq!(Move::Claim.event_kind(), None);
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

    fn wish(status: WishStatus, claimer: Option<i64>) -> Current {
        Current { status, claimer, what: "一双手套".into(), why: "冷".into() }
    }

    #[test]
    fn only_the_claimer_releases_and_the_claimer_or_staff_fulfil() {
        use WishStatus::*;
        let claimed = wish(Claimed, Some(7));
        let fulfil = |by_staff| Change::Fulfil { note: "送到了".into(), by_staff };
        assert_eq!(decide(&claimed, Actor::volunteer(7), &Change::Release).unwrap().to, Open);
        assert_eq!(decide(&claimed, Actor::volunteer(8), &Change::Release), Err(Refused::NotYours));
        assert_eq!(decide(&claimed, Actor::staff(9), &Change::Release), Err(Refused::NotYours));
        let done = decide(&claimed, Actor::volunteer(7), &fulfil(false)).unwrap();
        assert_eq!((done.to, done.note.as_str(), done.public_note), (Fulfilled, "送到了", true));
        assert_eq!(decide(&claimed, Actor::volunteer(8), &fulfil(false)), Err(Refused::NotYours));
        assert!(decide(&claimed, Actor::staff(9), &fulfil(true)).is_ok(), "staff fulfil");
        // Nobody is the claimer of an unclaimed wish, not even "no one".
        let open = wish(Open, None);
        assert_eq!(decide(&open, Actor::WORKER, &Change::Release), Err(Refused::NotFrom(Open)));
        assert_eq!(
            decide(&wish(Claimed, None), Actor::WORKER, &Change::Release),
            Err(Refused::NotYours)
        );
    }

    #[test]
    fn only_the_worker_sends_a_rejected_wish_again() {
        use WishStatus::*;
        let again = Change::Resubmit { what: "一双棉手套".into(), why: "冷".into() };
        let plan = decide(&wish(Rejected, None), Actor::WORKER, &again).unwrap();
        assert_eq!(
            (plan.to, plan.note.as_str(), plan.public_note),
            (Pending, "一双手套\n冷", false)
        );
        assert_eq!(decide(&wish(Rejected, None), Actor::staff(1), &again), Err(Refused::NotYours));
        assert_eq!(decide(&wish(Open, None), Actor::WORKER, &again), Err(Refused::NotFrom(Open)));
        assert_eq!(again.event_kind(), Some("resubmit"));
    }

    #[test]
    fn only_staff_take_a_claim_back_or_hand_it_on_and_say_why() {
        use WishStatus::*;
        let claimed = wish(Claimed, Some(7));
        let back = Change::StaffRelease { reason: "一周没有联系上".into() };
        let on = Change::HandOver { to: 8, reason: "换一位住得近的".into() };
        let plan = decide(&claimed, Actor::staff(9), &back).unwrap();
        assert_eq!((plan.to, plan.note.as_str(), plan.public_note), (Open, "一周没有联系上", true));
        let plan = decide(&claimed, Actor::staff(9), &on).unwrap();
        assert_eq!((plan.to, plan.public_note), (Claimed, true));
        for who in [Actor::volunteer(7), Actor::volunteer(8), Actor::WORKER] {
            assert_eq!(decide(&claimed, who, &back), Err(Refused::NotYours));
            assert_eq!(decide(&claimed, who, &on), Err(Refused::NotYours));
        }
        let open = wish(Open, None);
        assert_eq!(decide(&open, Actor::staff(9), &on), Err(Refused::NotFrom(Open)));
        assert_eq!(back.event_kind(), Some("released_by_staff"));
        assert_eq!(on.event_kind(), Some("hand_over"));
        assert_eq!(Change::Release.event_kind(), None);
    }

    #[test]
    fn moves_follow_the_diagram_and_notes_go_where_they_belong() {
        use WishStatus::*;
        let pending = wish(Pending, None);
        let approve = |what: &str| Change::Approve { what: what.into(), why: "冷".into() };
        let same = decide(&pending, Actor::staff(1), &approve("一双手套")).unwrap();
        assert_eq!((same.to, same.note.as_str()), (Open, ""), "no edit, no note");
        let edited = decide(&pending, Actor::staff(1), &approve("手套")).unwrap();
        assert_eq!((edited.note.as_str(), edited.public_note), ("一双手套\n冷", false));
        let reject = Change::Reject { reason: "重复了".into() };
        let rejected = decide(&pending, Actor::staff(1), &reject).unwrap();
        assert_eq!((rejected.to, rejected.public_note), (Rejected, true));
        assert_eq!(
            decide(
                &wish(Open, None),
                Actor::volunteer(2),
                &Change::Claim { limit: 3, delivery: Delivery::Station }
            )
            .unwrap()
            .to,
            Claimed
        );
        for (status, change) in [
            (Pending, Change::Claim { limit: 3, delivery: Delivery::Station }),
            (Claimed, Change::Claim { limit: 3, delivery: Delivery::Station }),
            (Open, Change::Reopen),
            (Fulfilled, Change::Withdraw),
            (Withdrawn, approve("x")),
        ] {
            let refused = decide(&wish(status, Some(2)), Actor::volunteer(2), &change);
            assert_eq!(refused, Err(Refused::NotFrom(status)), "{change:?} from {status:?}");
        }
        assert_eq!(
            decide(&wish(Claimed, Some(2)), Actor::SYSTEM, &Change::Lapse).unwrap().to,
            Open
        );
        assert_eq!(
            decide(&wish(Expired, None), Actor::staff(1), &Change::Reopen).unwrap().to,
            Open
        );
        assert_eq!(
            decide(&wish(Claimed, Some(2)), Actor::WORKER, &Change::Withdraw).unwrap().to,
            Withdrawn
        );
    }

    #[test]
    fn a_batch_of_posts_keeps_quotas_stations_and_the_duplicate_rule() {
        use std::collections::HashMap;
        let stations = [
            Station { id: 1, code: "a".into(), open: true },
            Station { id: 2, code: "b".into(), open: false },
        ];
        let post = |quota: &'static str, station: &'static str, phone, what| Candidate {
            quotas: vec![(quota, 2, Limit::Address)],
            station,
            phone,
            what,
        };
        let posts = [
            post("x", "a", Some("13800000000"), "手套"),
            post("x", "1", Some("13800000000"), "手套"),
            post("x", "a", None, "围巾"),
            post("x", "a", None, "帽子"),
            post("y", "b", None, "帽子"),
            post("y", "zz", None, "帽子"),
            post("y", "a", Some("13900000000"), "热水"),
        ];
        let used = HashMap::from([("y", 1)]);
        let earlier = HashMap::from([(("13900000000".to_owned(), "热水".to_owned()), 41)]);
        assert_eq!(
            decide_posts(&posts, &used, &stations, &earlier),
            [
                PostDecision::Post { station_id: 1 },
                PostDecision::SameAsInBatch(0),
                PostDecision::Post { station_id: 1 },
                PostDecision::Throttled(Limit::Address),
                PostDecision::ClosedStation,
                PostDecision::UnknownStation,
                PostDecision::Duplicate(41),
            ],
            "a repeat does not use the quota; the third new post of x is over its 2"
        );
    }

    #[test]
    fn every_quota_of_a_post_counts_and_the_first_full_one_is_named() {
        use std::collections::HashMap;
        let stations = [Station { id: 1, code: "a".into(), open: true }];
        // One address (limit 5), two phones (limit 2 each), one station (limit 3).
        let post = |phone: &'static str| Candidate {
            quotas: vec![
                ("ip", 5, Limit::Address),
                (phone, 2, Limit::Phone),
                ("station-a", 3, Limit::Station),
            ],
            station: "a",
            phone: Some(phone),
            what: phone,
        };
        let none = HashMap::new();
        let decide = |posts: &[Candidate<'_, &str>]| {
            decide_posts(posts, &HashMap::new(), &stations, &none)
                .into_iter()
                .map(|d| match d {
                    PostDecision::Throttled(l) => Some(l),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        // Distinct wishes (duplicates are their own rule): the same what for
        // a phone is a repeat, so vary it.
        let mut posts =
            vec![post("p1"), post("p1"), post("p1"), post("p2"), post("p2"), post("p2")];
        for (i, p) in posts.iter_mut().enumerate() {
            p.what = ["一", "二", "三", "四", "五", "六"][i];
        }
        assert_eq!(
            decide(&posts),
            [None, None, Some(Limit::Phone), None, Some(Limit::Station), Some(Limit::Station)],
            "a third from one phone meets the phone's limit; a fourth at the station the station's"
        );
        let exempt = Candidate { quotas: vec![], ..post("p3") };
        assert_eq!(decide(&[exempt]), [None], "a station's own staff meet no limit");
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
}
