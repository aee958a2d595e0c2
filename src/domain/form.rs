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

    /// Drops the message at `field` (a field a rule across fields then
    /// leaves out).
    pub fn forget(&mut self, field: &str) {
        self.0.retain(|(f, _)| *f != field);
    }

    /// Refuses what no field may hold: NUL and the other control
    /// characters (line breaks and tabs aside). They cannot be stored
    /// (PostgreSQL refuses NUL) and nobody types them. Called before a
    /// form's other rules, so this is the field's one message.
    pub fn refuse_control(&mut self, fields: &[(&'static str, &str)]) {
        for (field, value) in fields {
            if has_control(value) {
                self.add(field, "form.text.control");
            }
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

/// A control character other than a line break or a tab, or an invisible
/// or direction-changing mark, or the mark of bytes that were not UTF-8.
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            // Invisible marks that make text look empty or run backwards,
            // and what the decoder put for bytes that were not UTF-8.
            || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFFD}')
    })
}

/// An address name as typed (the last part of `/workshops/{slug}` or
/// `/districts/{slug}`): lower-case letters, digits and single hyphens, 3
/// to 40 long; empty lets the caller choose.
pub fn parse_slug(typed: &str) -> Result<Option<String>, &'static str> {
    let s = typed.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let shape = s.split('-').all(|part| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if !shape || !(3..=40).contains(&s.len()) {
        return Err("form.slug_invalid");
    }
    Ok(Some(s))
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

    #[test]
    fn control_characters_are_refused_at_their_field() {
        let mut e = FormErrors::new();
        e.refuse_control(&[("a", "fine\nlines\tand tabs"), ("b", "nul\0"), ("c", "esc\u{1b}")]);
        assert_eq!(e.get("a"), None);
        assert_eq!(e.get("b"), Some("form.text.control"));
        assert_eq!(e.get("c"), Some("form.text.control"));
        for hidden in ["\u{200B}", "a\u{202E}b", "\u{FFFD}\u{FFFD}", "\u{FEFF}x"] {
            assert!(has_control(hidden), "{hidden:?}");
        }
        assert!(!has_control("👨\u{200D}👩 今天驿站有姜茶"), "an emoji's joiner is fine");
        e.add("b", "form.phone.invalid");
        assert_eq!(e.get("b"), Some("form.text.control"), "the first message stays");
    }
}
