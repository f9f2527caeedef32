//! Welcome page, log in and log out.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use web_session::Session;

use super::{see_other, user_context, AppState, USER_KEY};
use crate::error::AppError;
use crate::users::UserStore;

/// Shows the welcome page to a signed-in user; guests are sent to log in.
pub(crate) async fn welcome(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let Some(user) = state.current_user(&session) else {
        session.flash("error", "Log in to see that page.")?;
        return Ok(see_other("/login"));
    };
    let html = state
        .templates
        .render("welcome.html", Some(&session), user_context(Some(&user)))?;
    Ok(html.into_response())
}

/// Shows the log in form.
pub(crate) async fn show_login(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    session.token();
    let user = state.current_user(&session);
    let html = state
        .templates
        .render("login.html", Some(&session), user_context(user.as_ref()))?;
    Ok(html.into_response())
}

/// Fields of the log in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    #[serde(rename = "_token")]
    token: String,
}

/// Checks the credentials and signs the user in under a new session id.
pub(crate) async fn login(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Ok(Form(form)) = form else {
        session.flash("error", "The form could not be read. Please try again.")?;
        return Ok(see_other("/login"));
    };
    session.flash_input([("email", form.email.as_str())]);
    if !session.verify_token(&form.token) {
        session.flash("error", "This form expired. Please log in again.")?;
        return Ok(see_other("/login"));
    }

    let users = state.users.clone();
    let (email, password) = (form.email.trim().to_owned(), form.password);
    let user = tokio::task::spawn_blocking(move || {
        let user = users.find_by_email(&email)?;
        UserStore::verify_password(&user, &password).then_some(user)
    })
    .await?;
    let Some(user) = user else {
        session.flash_errors([("email", ["These credentials do not match our records."])]);
        return Ok(see_other("/login"));
    };

    session.regenerate();
    session.regenerate_token();
    session.put(USER_KEY, user.id)?;
    session.flash("status", format!("Welcome back, {}!", user.name))?;
    Ok(see_other("/welcome"))
}

/// Fields of the log out form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LogoutForm {
    #[serde(rename = "_token")]
    token: String,
}

/// Signs the user out: the session is invalidated, so its old id never loads
/// again.
pub(crate) async fn logout(
    session: Session,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, AppError> {
    let token = form.map(|Form(form)| form.token).unwrap_or_default();
    if !session.verify_token(&token) {
        session.flash("error", "This page expired. Press log out again.")?;
        return Ok(see_other("/"));
    }
    session.invalidate();
    session.flash("status", "You have been logged out.")?;
    Ok(see_other("/"))
}
