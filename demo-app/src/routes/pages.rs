//! Home, session contents and the 404 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use web_session::{Session, FLASH_NEW, FLASH_OLD};

use super::{user_context, AppState};
use crate::error::AppError;

/// Shows the home page.
pub(crate) async fn home(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let user = state.current_user(&session);
    let html = state
        .templates
        .render("home.html", Some(&session), user_context(user.as_ref()))?;
    Ok(html.into_response())
}

/// Shows every item the session holds, the flash lists and the shortened id.
pub(crate) async fn session_contents(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let user = state.current_user(&session);
    let items: Vec<(String, String)> = session
        .all()
        .into_iter()
        .filter(|(key, _)| key != FLASH_NEW && key != FLASH_OLD)
        .map(|(key, value)| {
            let shown = if key == web_session::TOKEN_KEY {
                "(hidden)".to_owned()
            } else {
                serde_json::to_string_pretty(&value).unwrap_or_default()
            };
            (key, shown)
        })
        .collect();
    let id = session
        .id()
        .map(|id| format!("{}…", id.to_string().chars().take(8).collect::<String>()));

    let context = context! {
        ..user_context(user.as_ref()),
        ..context! {
            items => items,
            visible_flash => session.flash_keys(),
            pending_flash => session.pending_flash_keys(),
            session_id => id,
        }
    };
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
    Ok(super::see_other("/"))
}

/// Shows the 404 page. It sits outside the session layer, so it never
/// consumes flash data; its helpers return their defaults.
pub(crate) async fn not_found(State(state): State<AppState>) -> Result<Response, AppError> {
    let html = state
        .templates
        .render("404.html", None, context! { current_user => () })?;
    Ok((StatusCode::NOT_FOUND, html).into_response())
}
