//! The guestbook: a form with validation and the list of entries.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::context;
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use web_session::Session;

use super::{see_other, user_context, AppState};
use crate::error::AppError;
use crate::guestbook::Posted;
use crate::validation::FieldErrors;

/// Longest accepted name, in characters.
const MAX_NAME_CHARS: usize = 50;
/// Longest accepted message, in characters.
const MAX_MESSAGE_CHARS: usize = 500;

/// Shows the entries and the form. Each rendering of the form gets its own
/// submission id, so a form sent twice adds one entry.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    session.token();
    let user = state.current_user(&session);
    let submission = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
    let context = context! {
        ..user_context(user.as_ref()),
        ..context! {
            entries => minijinja::Value::from(minijinja::value::Serde(state.guestbook.entries())),
            submission => submission,
            max_name => MAX_NAME_CHARS,
            max_message => MAX_MESSAGE_CHARS,
        }
    };
    let html = state
        .templates
        .render("guestbook.html", Some(&session), context)?;
    Ok(html.into_response())
}

/// Fields of the guestbook form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EntryForm {
    name: String,
    message: String,
    submission: String,
}

impl EntryForm {
    fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name".to_owned(), vec!["Enter your name.".to_owned()]);
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.insert(
                "name".to_owned(),
                vec![format!("Use at most {MAX_NAME_CHARS} characters.")],
            );
        }
        let message = self.message.trim();
        if message.is_empty() {
            errors.insert("message".to_owned(), vec!["Write a message.".to_owned()]);
        } else if message.chars().count() > MAX_MESSAGE_CHARS {
            errors.insert(
                "message".to_owned(),
                vec![format!(
                    "Use at most {MAX_MESSAGE_CHARS} characters; this one has {}.",
                    message.chars().count()
                )],
            );
        }
        if self.submission.is_empty() {
            errors.insert(
                "message".to_owned(),
                vec!["The form is incomplete; reload the page.".to_owned()],
            );
        }
        errors
    }
}

/// Adds an entry, or flashes the errors and the input back to the form.
pub(crate) async fn post(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<EntryForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Ok(Form(form)) = form else {
        session.flash("error", "The form could not be read. Please try again.")?;
        return Ok(see_other("/guestbook"));
    };
    let errors = form.validate();
    if !errors.is_empty() {
        session.flash_input([
            ("name", form.name.as_str()),
            ("message", form.message.as_str()),
        ]);
        session.flash_errors(errors);
        return Ok(see_other("/guestbook"));
    }

    let guestbook = state.guestbook.clone();
    let (submission, name, message) = (
        form.submission,
        form.name.trim().to_owned(),
        form.message.trim().to_owned(),
    );
    let posted =
        tokio::task::spawn_blocking(move || guestbook.post(&submission, &name, &message)).await??;
    match posted {
        Posted::Added(entry) => {
            session.flash(
                "status",
                format!("Thanks, {}! Your message is in the guestbook.", entry.name),
            )?;
        }
        Posted::Duplicate => {
            session.flash(
                "status",
                "Your message was already posted; it is listed once below.",
            )?;
        }
    }
    Ok(see_other("/guestbook"))
}
