//! Dashboard, log in and log out, and the guard that sends guests to log in.

use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use web_session::Session;

use super::{dashboard_for_signed_in, see_other, user_context, AppState, USER_KEY};
use crate::error::AppError;
use crate::users::UserStore;

/// Session key of the page a guest asked for before being sent to log in.
const INTENDED_KEY: &str = "url.intended";

/// Lets signed-in users through; sends guests to log in with a flash
/// message, remembering the page they asked for. It runs inside the session
/// layer and answers without calling the handler, and the layer still saves
/// what it stored.
pub(crate) async fn require_login(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if state.current_user(&session).is_some() {
        return next.run(request).await;
    }
    let intended = request
        .uri()
        .path_and_query()
        .map_or("/dashboard", |path| path.as_str())
        .to_owned();
    let flashed = session
        .put(INTENDED_KEY, intended)
        .and_then(|()| session.flash("error", "Log in to see that page."));
    if let Err(error) = flashed {
        return AppError::from(error).into_response();
    }
    see_other("/login")
}

/// Shows the dashboard of the signed-in user.
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let user = state.current_user(&session);
    let html = state.templates.render(
        "dashboard.html",
        Some(&session),
        user_context(user.as_ref()),
    )?;
    Ok(html.into_response())
}

/// Shows the log in form.
pub(crate) async fn show_login(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    if let Some(redirect) = dashboard_for_signed_in(&state, &session) {
        return Ok(redirect);
    }
    session.token();
    let html = state
        .templates
        .render("login.html", Some(&session), user_context(None))?;
    Ok(html.into_response())
}

/// Fields of the log in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    remember: Option<String>,
}

/// How long a "remember me" session lasts without activity.
const REMEMBER_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// Checks the credentials and signs the user in under a new session id and
/// CSRF token, then sends them to the page they asked for, or home.
pub(crate) async fn login(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Ok(Form(form)) = form else {
        session.flash("error", "The form could not be read. Please try again.")?;
        return Ok(see_other("/login"));
    };

    let users = state.users.clone();
    let email = form.email.trim().to_owned();
    let password = form.password;
    let user = tokio::task::spawn_blocking(move || {
        let user = users.find_by_email(&email)?;
        UserStore::verify_password(&user, &password).then_some(user)
    })
    .await?;
    let Some(user) = user else {
        session.flash_input([("email", form.email.as_str())]);
        session.flash_errors([("email", ["These credentials do not match our records."])]);
        return Ok(see_other("/login"));
    };

    sign_in(&session, user.id)?;
    if form.remember.as_deref() == Some("on") {
        session.set_lifetime(REMEMBER_FOR);
    }
    session.flash("status", format!("Welcome back, {}!", user.name))?;
    let intended: Option<String> = session.pull(INTENDED_KEY).unwrap_or_default();
    Ok(see_other(
        intended
            .as_deref()
            .filter(|path| is_local_path(path))
            .unwrap_or("/"),
    ))
}

/// Signs a user in: a new session id against session fixation, a new CSRF
/// token, and the user's id in the session.
pub(crate) fn sign_in(session: &Session, user_id: u64) -> Result<(), web_session::Error> {
    session.regenerate();
    session.regenerate_token();
    session.put(USER_KEY, user_id)
}

/// Signs the user out: the session is invalidated, so its old id never loads
/// again, and the goodbye message goes into a fresh session.
pub(crate) async fn logout(session: Session) -> Result<Response, AppError> {
    session.invalidate();
    session.flash("status", "You have been logged out.")?;
    Ok(see_other("/"))
}

/// Sends a `GET /logout`, such as a typed address, home without logging out:
/// logging out changes state, so it takes the form's `POST`. Flash data goes
/// along, since no page showed it.
pub(crate) async fn logout_link(session: Session) -> Response {
    session.reflash();
    see_other("/")
}

/// Accepts only paths on this site, so a stored URL cannot redirect away.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\")
}
