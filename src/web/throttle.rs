//! Limits on sign-in failures and registrations. Counters live in the
//! database so every instance sees the same numbers; what they count is
//! hashed, so no phone or address is stored in them.

use std::net::IpAddr;

use actix_web::HttpRequest;
use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::config::Settings;

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
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
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
            let mut s = crate::config::Settings::from_sources(&|_| None, None).unwrap();
            s.trusted_proxies = proxies.iter().map(|p| p.parse().unwrap()).collect();
            s
        };
        let req = TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().unwrap())
            .insert_header(("x-forwarded-for", "203.0.113.9, 10.0.0.2"))
            .to_http_request();
        let ip = |s: &crate::config::Settings| client_ip(&req, s).unwrap().to_string();
        assert_eq!(ip(&settings(&[])), "10.0.0.1", "untrusted peer: the header is ignored");
        assert_eq!(ip(&settings(&["10.0.0.1"])), "10.0.0.2");
        assert_eq!(ip(&settings(&["10.0.0.1", "10.0.0.2"])), "203.0.113.9");
    }

    #[test]
    fn buckets_hide_who_they_count() {
        let b = bucket(b"secret", "login-acct", "phone:13812345678");
        assert!(b.starts_with("login-acct:") && !b.contains("138"));
        assert_ne!(b, bucket(b"other", "login-acct", "phone:13812345678"));
    }
}
