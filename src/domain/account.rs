//! Accounts: what a valid phone, e-mail, display name and password are.
//! Parse, don't validate: a `Phone` is always a mainland mobile number.

use std::fmt;

use super::form::FormErrors;

/// A mainland China mobile number: 11 digits starting 13–19, stored as
/// digits only. Accepts spaces, dashes and a `+86`/`86` prefix when typed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Option<Phone> {
        let mut digits: String =
            input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        if let Some(rest) = digits.strip_prefix("+86") {
            digits = rest.to_owned();
        } else if digits.len() == 13 && digits.starts_with("86") {
            digits = digits[2..].to_owned();
        }
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        ok.then_some(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****1234`: what any page other than the owner's may show.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
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

/// A new password: 8 to 128 characters, no other rules.
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Password, &'static str> {
        let n = input.chars().count();
        if n == 0 {
            Err("form.password.required")
        } else if n < Self::MIN {
            Err("form.password.too_short")
        } else if n > Self::MAX {
            Err("form.password.too_long")
        } else {
            Ok(Password(input.to_owned()))
        }
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
        let password = Password::parse(&self.password).map_err(|k| errors.add("password", k)).ok();
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
        for bad in ["", "12812345678", "1381234567", "138123456789", "1381234567a", "02812345678"] {
            assert!(Phone::parse(bad).is_none(), "{bad}");
        }
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert!(!format!("{p:?}").contains("1234"));
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
        assert_eq!(Password::parse("1234567").unwrap_err(), "form.password.too_short");
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(64)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
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
            password: "long enough".into(),
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
