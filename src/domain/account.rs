//! Accounts: what a valid phone, e-mail, display name and password are.
//! Parse, don't validate: a `Phone` is always a mainland mobile number or a
//! landline with its area code.

use std::fmt;

use super::form::FormErrors;

/// A mainland China phone: a mobile number (11 digits starting 13–19),
/// stored as digits only, or a landline with its area code (`0571-6461234`,
/// `010-62345678`), stored with one dash after the area code. Accepts
/// spaces, dashes, brackets, full-width digits and a `+86`/`86` prefix when
/// typed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Option<Phone> {
        let mut digits: String = input
            .chars()
            .filter_map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                ' ' | '-' | '(' | ')' | '　' | '－' | '（' | '）' => None,
                c => Some(c),
            })
            .collect();
        if let Some(rest) = digits.strip_prefix("+86") {
            digits = rest.to_owned();
            // Dialled from abroad a landline drops its trunk 0.
            if !digits.starts_with('1') && !digits.starts_with('0') {
                digits.insert(0, '0');
            }
        } else if digits.len() == 13 && digits.starts_with("86") {
            digits = digits[2..].to_owned();
        }
        let b = digits.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Some(Phone(digits));
        }
        // A landline: 010 and 02x have three-digit area codes, the rest
        // four; the local number has 7 or 8 digits and starts 2–9.
        if b.len() < 2 || b[0] != b'0' || b[1] == b'0' {
            return None;
        }
        let area = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
        let local = &b[area.min(b.len())..];
        let ok = (7..=8).contains(&local.len()) && (b'2'..=b'9').contains(&local[0]);
        ok.then(|| Phone(format!("{}-{}", &digits[..area], &digits[area..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`, `0571-***1234`: what any page other than the owner's
    /// may show.
    pub fn masked(&self) -> String {
        match self.0.split_once('-') {
            Some((area, local)) => format!("{area}-***{}", &local[local.len() - 4..]),
            None => format!("{}****{}", &self.0[..3], &self.0[7..]),
        }
    }
}

/// Never print a whole phone number by accident (logs, debug output).
impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Option<Email> {
        let s = input.trim().to_lowercase();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (local, domain) = s.split_once('@')?;
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        ok.then_some(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How someone is shown to others, e.g. 陈大姐 or "Li Wei". 1–20
/// characters, stored as typed (trimmed); always shown escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 20;

    pub fn parse(input: &str) -> Result<DisplayName, &'static str> {
        let s = input.trim();
        if s.is_empty() {
            return Err("form.display_name.required");
        }
        if s.chars().count() > Self::MAX {
            return Err("form.display_name.too_long");
        }
        if s.chars().any(char::is_control) {
            return Err("form.display_name.invalid");
        }
        Ok(DisplayName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 128 characters, not one of the most common
/// passwords, and not made of the user's own phone, name or e-mail.
pub struct Password(String);

/// What a new password may not contain: the account's own phone, name
/// and e-mail, as far as they are known.
#[derive(Debug, Default, Clone, Copy)]
pub struct Personal<'a> {
    pub phone: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });

/// One of the most common passwords (the shipped list), or a pattern as
/// guessable: one character or two repeated, a run of digits or letters
/// such as 23456789, or a date such as 19900101.
pub fn is_common(password: &str) -> bool {
    let p = password.to_lowercase();
    if COMMON.contains(p.as_str()) {
        return true;
    }
    let chars: Vec<char> = p.chars().collect();
    let repeats = |period: usize| {
        chars.len() > period && (period..chars.len()).all(|i| chars[i] == chars[i - period])
    };
    if repeats(1) || repeats(2) {
        return true;
    }
    let step = |d: i32| chars.windows(2).all(|w| w[1] as i32 - w[0] as i32 == d);
    if chars.iter().all(char::is_ascii_alphanumeric) && (step(1) || step(-1)) {
        return true;
    }
    let digits: String = p.chars().filter(|c| !matches!(c, '-' | '/' | '.')).collect();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let year: u32 = digits[..4].parse().unwrap_or(0);
        let month: u32 = digits[4..6].parse().unwrap_or(0);
        let day: u32 = digits[6..].parse().unwrap_or(0);
        if (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day) {
            return true;
        }
    }
    false
}

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// A new password for an account whose own details are `personal`.
    pub fn parse(input: &str, personal: Personal) -> Result<Password, &'static str> {
        let n = input.chars().count();
        if n == 0 {
            return Err("form.password.required");
        } else if n < Self::MIN {
            return Err("form.password.too_short");
        } else if n > Self::MAX {
            return Err("form.password.too_long");
        } else if input.contains('\0') {
            return Err("form.text.control");
        }
        if is_common(input) {
            return Err("form.password.common");
        }
        let lower = input.to_lowercase();
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        let has_phone = personal.phone.is_some_and(|ph| {
            ph.len() >= 8 && (digits.contains(ph) || digits.contains(&ph[ph.len() - 8..]))
        });
        let has_name = personal
            .name
            .map(|n| n.trim().to_lowercase())
            .is_some_and(|n| n.chars().count() >= 2 && lower.contains(&n));
        let has_email = personal
            .email
            .and_then(|e| e.split('@').next())
            .map(str::to_lowercase)
            .is_some_and(|local| local.chars().count() >= 3 && lower.contains(&local));
        if has_phone || has_name || has_email {
            return Err("form.password.personal");
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// What is stored of a password-reset token: its SHA-256 (the token
/// itself is only in the link).
pub fn reset_token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    super::hex(&Sha256::digest(token.trim().as_bytes()))
}

/// How a volunteer signs in: their phone or their e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Phone(Phone),
    Email(Email),
}

impl Login {
    pub fn parse(input: &str) -> Option<Login> {
        if input.contains('@') {
            Email::parse(input).map(Login::Email)
        } else {
            Phone::parse(input).map(Login::Phone)
        }
    }

    /// A stable key for throttling counters (never shown anywhere).
    pub fn key(&self) -> String {
        match self {
            Login::Phone(p) => format!("phone:{}", p.as_str()),
            Login::Email(e) => format!("email:{}", e.as_str()),
        }
    }
}

/// The registration form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RegistrationInput {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub party_member: Option<String>,
    #[serde(default)]
    pub accept_code: Option<String>,
    /// Where to go once registered (a path on this site, checked where it
    /// is followed).
    #[serde(default)]
    pub next: String,
}

/// A registration that passed every rule.
#[derive(Debug)]
pub struct NewVolunteer {
    pub display_name: DisplayName,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub password: Password,
    pub organisation: Option<String>,
    pub party_member: bool,
}

pub const ORGANISATION_MAX: usize = 60;

impl RegistrationInput {
    pub fn parse(&self) -> Result<NewVolunteer, FormErrors> {
        let mut errors = FormErrors::new();
        errors.refuse_control(&[
            ("display_name", &self.display_name),
            ("phone", &self.phone),
            ("email", &self.email),
            ("password", &self.password),
            ("organisation", &self.organisation),
        ]);
        let display_name =
            DisplayName::parse(&self.display_name).map_err(|k| errors.add("display_name", k)).ok();
        let phone = match self.phone.trim() {
            "" => None,
            p => {
                let parsed = Phone::parse(p);
                if parsed.is_none() {
                    errors.add("phone", "form.phone.invalid");
                }
                parsed
            }
        };
        let email = match self.email.trim() {
            "" => None,
            e => {
                let parsed = Email::parse(e);
                if parsed.is_none() {
                    errors.add("email", "form.email.invalid");
                }
                parsed
            }
        };
        if self.phone.trim().is_empty() && self.email.trim().is_empty() {
            errors.add("phone", "form.contact.required");
        }
        let personal = Personal {
            phone: phone.as_ref().map(Phone::as_str),
            name: Some(self.display_name.as_str()),
            email: email.as_ref().map(Email::as_str),
        };
        let password =
            Password::parse(&self.password, personal).map_err(|k| errors.add("password", k)).ok();
        let organisation = self.organisation.trim();
        if organisation.chars().count() > ORGANISATION_MAX {
            errors.add("organisation", "form.organisation.too_long");
        }
        if self.accept_code.is_none() {
            errors.add("accept_code", "form.accept_code.required");
        }
        match (display_name, password) {
            (Some(display_name), Some(password)) if errors.is_empty() => Ok(NewVolunteer {
                display_name,
                phone,
                email,
                password,
                organisation: (!organisation.is_empty()).then(|| organisation.to_owned()),
                party_member: self.party_member.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("13812345678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("138 1234 5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("8613812345678").unwrap().as_str(), "13812345678");
        for bad in ["", "12812345678", "1381234567", "138123456789", "1381234567a", "0", "00"] {
            assert!(Phone::parse(bad).is_none(), "{bad}");
        }
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert!(!format!("{p:?}").contains("1234"));
    }

    #[test]
    fn landlines_with_their_area_code() {
        for (typed, stored) in [
            ("0571-6461234", "0571-6461234"),
            ("0571 64612345", "0571-64612345"),
            ("(0571)6461234", "0571-6461234"),
            ("０５７１－６４６１２３４", "0571-6461234"),
            ("010-62345678", "010-62345678"),
            ("02087654321", "020-87654321"),
            ("+86 571 6461234", "0571-6461234"),
        ] {
            assert_eq!(Phone::parse(typed).map(|p| p.as_str().to_owned()), Some(stored.into()));
        }
        // No area code, a local number too short or too long or starting
        // 0/1, a service number, letters.
        for bad in
            ["6461234", "0571-646123", "0571-646123456", "0571-0461234", "95598", "0571-64a1234"]
        {
            assert!(Phone::parse(bad).is_none(), "{bad}");
        }
        let p = Phone::parse("0571-6461234").unwrap();
        assert_eq!(p.masked(), "0571-***1234");
        assert!(!format!("{p:?}").contains("6461"));
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Li.Wei@Example.ORG ").unwrap().as_str(), "li.wei@example.org");
        for bad in ["", "a", "a@b", "@b.cn", "a@.cn", "a@b.", "a b@c.cn", "a@b@c.cn", "a@b..cn"] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn display_names_keep_what_was_typed() {
        assert_eq!(DisplayName::parse("  陈大姐 ").unwrap().as_str(), "陈大姐");
        assert_eq!(DisplayName::parse("<b>x</b>").unwrap().as_str(), "<b>x</b>");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"名".repeat(21)).is_err());
        assert!(DisplayName::parse(&"名".repeat(20)).is_ok());
    }

    #[test]
    fn passwords() {
        let none = Personal::default();
        assert_eq!(Password::parse("1234567", none).unwrap_err(), "form.password.too_short");
        assert!(Password::parse("violet kettle", none).is_ok());
        assert!(Password::parse(&"xy3".repeat(21), none).is_ok());
        assert!(Password::parse(&"x".repeat(129), none).is_err());
        assert_eq!(Password::parse("abc\0defgh", none).unwrap_err(), "form.text.control");
    }

    #[test]
    fn common_passwords_are_refused() {
        let none = Personal::default();
        for common in [
            "12345678",
            "password",
            "11111111",
            "Password",
            "woaini1314",
            "qq123456",
            "5201314520",
            "1qaz2wsx",
            "iloveyou",
            "zzzzzzzz",
            "abababab",
            "23456789",
            "98765432",
            "abcdefgh",
            "19900101",
            "1990-01-01",
            "qwertyuiop",
        ] {
            assert_eq!(
                Password::parse(common, none).unwrap_err(),
                "form.password.common",
                "{common}"
            );
        }
        assert!(COMMON.len() >= 10_000, "{}", COMMON.len());
        for fine in ["19901301 mango", "river 2024 lamp", "茶园里的那棵老槐树"] {
            assert!(Password::parse(fine, none).is_ok(), "{fine}");
        }
    }

    #[test]
    fn passwords_made_of_ones_own_details_are_refused() {
        let me = Personal {
            phone: Some("13812345678"),
            name: Some("LiWei"),
            email: Some("li.wei@example.org"),
        };
        for own in ["13812345678", "x13812345678", "my12345678!", "liwei-is-me", "li.wei2024"] {
            assert_eq!(Password::parse(own, me).unwrap_err(), "form.password.personal", "{own}");
        }
        assert!(Password::parse("autumn tea house", me).is_ok());
        let short_name = Personal { name: Some("李"), ..Personal::default() };
        assert!(
            Password::parse("李子树下的那杯茶水", short_name).is_ok(),
            "a one-character name is not checked"
        );
    }

    #[test]
    fn registration_reports_every_wrong_field() {
        let input = RegistrationInput {
            phone: "123".into(),
            email: "nope".into(),
            password: "short".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.get("display_name"), Some("form.display_name.required"));
        assert_eq!(errors.get("phone"), Some("form.phone.invalid"));
        assert_eq!(errors.get("email"), Some("form.email.invalid"));
        assert_eq!(errors.get("password"), Some("form.password.too_short"));
        assert_eq!(errors.get("accept_code"), Some("form.accept_code.required"));

        let none = RegistrationInput { display_name: "Li".into(), ..Default::default() };
        assert_eq!(none.parse().unwrap_err().get("phone"), Some("form.contact.required"));

        let ok = RegistrationInput {
            display_name: "李伟".into(),
            email: "li@example.org".into(),
            password: "violet kettle".into(),
            accept_code: Some("on".into()),
            party_member: Some("on".into()),
            ..Default::default()
        };
        let v = ok.parse().unwrap();
        assert!(v.party_member && v.phone.is_none() && v.organisation.is_none());
    }

    #[test]
    fn logins() {
        assert!(matches!(Login::parse("13812345678"), Some(Login::Phone(_))));
        assert!(matches!(Login::parse("A@B.cn"), Some(Login::Email(_))));
        assert!(Login::parse("nobody").is_none());
    }
}
