//! The one pattern for bad form input: each wrong field gets a message
//! (a catalogue key), shown at the field and in a summary at the top.

/// Field errors of one submitted form, in the order the fields appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<(&'static str, &'static str)>);

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    /// Records `key` (a catalogue key) against `field`; the first error of a
    /// field wins, so the reader gets one clear message per field.
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, key));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The catalogue key of the error at `field`, if any.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.0.iter().copied()
    }

    /// `Ok(value)` when nothing was recorded, else the errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FormErrors> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_per_field_wins() {
        let mut e = FormErrors::new();
        e.add("phone", "form.phone.invalid");
        e.add("phone", "form.phone.taken");
        e.add("name", "form.signup.name_required");
        assert_eq!(e.get("phone"), Some("form.phone.invalid"));
        assert_eq!(e.iter().count(), 2);
        assert!(e.clone().into_result(|| ()).is_err());
        assert!(FormErrors::new().into_result(|| 1).is_ok());
    }
}
