//! Per-address and per-account limits: sign-ins, registrations, sign-ups,
//! wish posts and tracking look-ups. Counters live in the database so every
//! instance sees the same numbers; what they count is hashed, so no phone
//! or address is stored in them.
//!
//! Every limit counts and checks in one statement: [`Counter::admit`] adds
//! the attempt and compares the total it returns. (Reading the count first
//! and adding later let 150 parallel sign-ins through a limit of 10.)

use std::net::IpAddr;

use actix_web::HttpRequest;
use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db::{self, Db, DbResult};

/// One requester's counter of one limit, in the current window.
#[derive(Debug, Clone)]
pub struct Counter {
    bucket: String,
    window: i64,
    /// When the window ends (shown as "try again after …").
    pub until: DateTime<Utc>,
}

impl Counter {
    /// The counter of `kind` for `who` (an address, an account key).
    pub fn new(secret: &[u8], kind: &str, who: &str, now: DateTime<Utc>, secs: u64) -> Counter {
        let (window, until) = window(now, secs);
        Counter { bucket: bucket(secret, kind, who), window, until }
    }

    /// Counts this attempt and returns the window's total, this one included.
    pub async fn add(&self, db: &Db) -> DbResult<i64> {
        db::throttle::hit(db, &self.bucket, self.window).await
    }

    /// Counts this attempt; true while the total is within `max`.
    pub async fn admit(&self, db: &Db, max: u32) -> DbResult<bool> {
        Ok(self.add(db).await? <= i64::from(max))
    }

    /// Takes an attempt back: one that turned out not to count (a sign-in
    /// that succeeded, or one the server was too busy to check).
    pub async fn take_back(&self, db: &Db) -> DbResult<()> {
        db::throttle::unhit(db, &self.bucket, self.window).await
    }

    /// The bucket and window, for a use case that counts inside its own
    /// transaction (wish posts).
    pub fn parts(&self) -> (String, i64) {
        (self.bucket.clone(), self.window)
    }

    /// "HH:MM" in Beijing time, when the window ends.
    pub fn until_label(&self) -> String {
        self.until.with_timezone(&crate::domain::format::beijing()).format("%H:%M").to_string()
    }
}

/// The client's address as text, for a counter. An IPv6 client counts by
/// its /64 network: one host commonly holds a whole /64, and would
/// otherwise have endless fresh addresses.
pub fn client_key(req: &HttpRequest, settings: &Settings) -> String {
    client_ip(req, settings).map(network_key).unwrap_or_default()
}

fn network_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address: the socket peer, or the nearest address in
/// `X-Forwarded-For` that is not one of our trusted proxies, when the peer
/// itself is one.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !settings.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok())?;
    forwarded
        .rsplit(',')
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .find(|ip| !settings.trusted_proxies.contains(ip))
        .or(Some(peer))
}

/// A counter's name: what it counts, then a keyed hash of whom.
pub fn bucket(secret: &[u8], kind: &str, who: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret);
    h.update(kind.as_bytes());
    h.update(who.as_bytes());
    let digest = h.finalize();
    let hex = crate::domain::hex(&digest[..16]);
    format!("{kind}:{hex}")
}

/// The fixed window `now` falls in: its start (unix seconds) and its end.
pub fn window(now: DateTime<Utc>, secs: u64) -> (i64, DateTime<Utc>) {
    let secs = secs.max(1) as i64;
    let start = now.timestamp().div_euclid(secs) * secs;
    let end = Utc.timestamp_opt(start + secs, 0).single().unwrap_or(now);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 10, 7, 30).unwrap();
        let (start, end) = window(now, 900);
        assert_eq!(
            Utc.timestamp_opt(start, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap()
        );
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 1, 1, 10, 15, 0).unwrap());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        use actix_web::test::TestRequest;
        let settings = |proxies: &[&str]| {
            let mut s = Settings::from_sources(&|_| None, None).unwrap();
            s.trusted_proxies = proxies.iter().map(|p| p.parse().unwrap()).collect();
            s
        };
        let req = TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().unwrap())
            .insert_header(("x-forwarded-for", "203.0.113.9, 10.0.0.2"))
            .to_http_request();
        let ip = |s: &Settings| client_ip(&req, s).unwrap().to_string();
        assert_eq!(ip(&settings(&[])), "10.0.0.1", "untrusted peer: the header is ignored");
        assert_eq!(ip(&settings(&["10.0.0.1"])), "10.0.0.2");
        assert_eq!(ip(&settings(&["10.0.0.1", "10.0.0.2"])), "203.0.113.9");
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let key = |s: &str| network_key(s.parse().unwrap());
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::7"), key("2001:db8:1:2:aaaa::1"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    }

    #[test]
    fn buckets_hide_who_they_count() {
        let b = bucket(b"secret", "login-acct", "phone:13812345678");
        assert!(b.starts_with("login-acct:") && !b.contains("138"));
        assert_ne!(b, bucket(b"other", "login-acct", "phone:13812345678"));
    }
}
