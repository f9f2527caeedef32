//! Home, session contents, the e-mail landing route and the 404 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use web_session::Session;

use super::playground::session_listing;
use super::{dashboard_for_signed_in, see_other, user_context, AppState};
use crate::error::AppError;

/// Shows the home page to guests. A signed-in user is sent on to the
/// dashboard, with the flash data passed along for that one more hop.
pub(crate) async fn home(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    if let Some(redirect) = dashboard_for_signed_in(&state, &session) {
        return Ok(redirect);
    }
    let html = state
        .templates
        .render("home.html", Some(&session), user_context(None))?;
    Ok(html.into_response())
}

/// Shows every item the session holds, the flash lists and the shortened id.
pub(crate) async fn session_contents(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let user = state.current_user(&session);
    let context = context! { ..user_context(user.as_ref()), ..session_listing(&session) };
    let html = state
        .templates
        .render("session.html", Some(&session), context)?;
    Ok(html.into_response())
}

/// Lands a visitor who followed a link in an e-mail: it flashes a notice and
/// redirects home. The link comes from another site, so this shows that the
/// default `SameSite=Lax` cookie carries flash data across such a visit.
pub(crate) async fn from_email(session: Session) -> Result<Response, AppError> {
    session.flash("status", "Thanks for following the link in your e-mail.")?;
    Ok(see_other("/"))
}

/// Shows the 404 page. It sits outside the session layer, so it never
/// consumes flash data; its helpers return their defaults.
pub(crate) async fn not_found(State(state): State<AppState>) -> Result<Response, AppError> {
    let html = state
        .templates
        .render("404.html", None, context! { current_user => () })?;
    Ok((StatusCode::NOT_FOUND, html).into_response())
}
