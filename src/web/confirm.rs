//! The one confirmation step, for what cannot be undone or takes something
//! from someone (deleting, withdrawing a wish, a new tracking code,
//! rejecting, giving up a claim): a page that asks, says what follows, and
//! posts the same form again with `confirm=yes` and what was typed kept in
//! hidden fields. It works without script; a handler asks when the form it
//! got was not yet confirmed.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::{AppError, Ctx, no_store, render_with_status};

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    ctx: Ctx,
    question: String,
    explanation: String,
    /// What was typed, shown back to read before confirming.
    shown: Vec<(String, String)>,
    action: String,
    /// Fields posted again with the confirmation.
    keep: Vec<(String, String)>,
    button: String,
    cancel: String,
}

/// A question to ask before a form takes effect.
pub struct Ask<'a> {
    pub question: String,
    pub explanation: &'a str,
    /// Where the confirmed form goes (the form's own action).
    pub action: String,
    pub button: &'a str,
    /// Where "cancel" goes back to.
    pub cancel: String,
    /// The form's fields to post again (label, name, value): shown when a
    /// label is given.
    pub keep: Vec<(Option<&'a str>, &'a str, String)>,
}

/// Whether a form carries its confirmation.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Confirmed {
    #[serde(default)]
    pub confirm: String,
}

impl Confirmed {
    pub fn yes(&self) -> bool {
        self.confirm == "yes"
    }
}

/// The confirmation page (never stored: it may hold a code or a reason).
pub fn ask(ctx: Ctx, a: Ask<'_>) -> Result<HttpResponse, AppError> {
    let page = ConfirmPage {
        question: a.question,
        explanation: a.explanation.to_owned(),
        shown: a
            .keep
            .iter()
            .filter_map(|(label, _, value)| label.map(|l| (l.to_owned(), value.clone())))
            .collect(),
        action: a.action,
        keep: a.keep.into_iter().map(|(_, name, value)| (name.to_owned(), value)).collect(),
        button: a.button.to_owned(),
        cancel: a.cancel,
        ctx,
    };
    Ok(no_store(render_with_status(&page, StatusCode::OK)?))
}
