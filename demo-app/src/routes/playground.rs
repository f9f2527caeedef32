//! The session playground: one small form per session call and a live view
//! of the session's data, its flash lists and its id.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use serde_json::Value;
use web_session::{Session, FLASH_NEW, FLASH_OLD, TOKEN_KEY};

use super::{see_other, user_context, AppState};
use crate::error::AppError;

/// Flash key of the playground's result line.
const RESULT_KEY: &str = "result";

/// Query parameters of the playground page: `?reflash=1` keeps every
/// visible flash item for one more request, and `?keep=KEY` keeps one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageQuery {
    reflash: Option<String>,
    keep: Option<String>,
}

/// Shows the playground, applying `reflash` or `keep` first: they act on the
/// flash data visible on this very request.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let mut notice = None;
    if query.reflash.is_some() {
        session.reflash();
        notice = Some("reflash(): every visible flash item stays for one more request.".to_owned());
    } else if let Some(key) = query.keep.filter(|key| !key.is_empty()) {
        session.keep([key.as_str()]);
        notice = Some(format!(
            "keep(['{key}']): this item stays for one more request."
        ));
    }
    render(&state, &session, notice)
}

/// Fields of every playground form: the call and its arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CallForm {
    action: String,
    key: String,
    value: String,
    /// `reflash` or `keep` sends a flash call on to a page that calls that
    /// method while it shows the item, since the next request is the only
    /// one that sees it.
    then: String,
}

/// Runs one session call and shows its result on the next page. `now` shows
/// the page directly, since its data lives for this request only.
pub(crate) async fn call(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<CallForm>,
) -> Result<Response, AppError> {
    let key = form.key.trim();
    let value = parse_value(&form.value);
    if key.starts_with('_') {
        session.flash(
            RESULT_KEY,
            "Keys that start with _ are reserved for the library.",
        )?;
        return Ok(see_other("/playground"));
    }

    let result = match form.action.as_str() {
        "put" => {
            session.put(key, &value)?;
            format!("put('{key}', {value}) stored the value.")
        }
        "get" => format!(
            "get('{key}') returned {}.",
            describe(session.get_value(key))
        ),
        "pull" => format!(
            "pull('{key}') returned {} and removed it.",
            describe(session.pull(key)?)
        ),
        "get_or_create" => {
            let stored: Value = session.get_or_create(key, value.clone())?;
            format!("get_or_create('{key}', {value}) returned {stored}.")
        }
        "has" => format!("has('{key}') is {}.", session.has(key)),
        "exists" => format!("exists('{key}') is {}.", session.exists(key)),
        "forget" => {
            session.forget([key]);
            format!("forget(['{key}']) removed the key.")
        }
        "flash" => {
            session.flash(key, &value)?;
            let next_page = match form.then.as_str() {
                "reflash" => "/playground?reflash=1".to_owned(),
                "keep" => format!("/playground?keep={}", encode_query_value(key)),
                _ => "/playground".to_owned(),
            };
            session.flash(
                RESULT_KEY,
                format!("flash('{key}', {value}): visible on the next request, then gone."),
            )?;
            return Ok(see_other(&next_page));
        }
        "now" => {
            session.now(key, &value)?;
            let notice =
                format!("now('{key}', {value}): visible on this page only; reload and it is gone.");
            return render(&state, &session, Some(notice));
        }
        "regenerate" => {
            session.regenerate();
            "regenerate(): the session has a new id, with its data kept.".to_owned()
        }
        "invalidate" => {
            session.invalidate();
            "invalidate(): all data removed; the old id no longer loads.".to_owned()
        }
        other => format!("Unknown call '{other}'."),
    };
    session.flash(RESULT_KEY, result)?;
    Ok(see_other("/playground"))
}

fn render(
    state: &AppState,
    session: &Session,
    notice: Option<String>,
) -> Result<Response, AppError> {
    session.token();
    let user = state.current_user(session);
    let context = context! {
        ..user_context(user.as_ref()),
        ..session_listing(session),
        ..context! { notice => notice }
    };
    let html = state
        .templates
        .render("playground.html", Some(session), context)?;
    Ok(html.into_response())
}

/// Builds the template context that lists the session: its items (the CSRF
/// token hidden), both flash lists and the shortened id.
pub(crate) fn session_listing(session: &Session) -> minijinja::Value {
    let items: Vec<(String, String)> = session
        .all()
        .into_iter()
        .filter(|(key, _)| key != FLASH_NEW && key != FLASH_OLD)
        .map(|(key, value)| {
            let shown = if key == TOKEN_KEY {
                "(hidden)".to_owned()
            } else {
                serde_json::to_string_pretty(&value).unwrap_or_default()
            };
            (key, shown)
        })
        .collect();
    context! {
        items => items,
        visible_flash => session.flash_keys(),
        pending_flash => session.pending_flash_keys(),
        session_id => session.log_id(),
    }
}

/// Reads a form value as JSON when it is valid JSON (`42`, `null`,
/// `{"a": 1}`), and as a string otherwise.
fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Percent-encodes a query parameter value.
fn encode_query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn describe(value: Option<Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), |value| value.to_string())
}
