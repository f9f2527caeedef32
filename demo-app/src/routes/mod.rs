//! The router: pages inside the session layer, static files, JSON API and
//! the 404 page outside it.

mod account;
mod api;
mod guestbook;
mod pages;
mod playground;
mod register;

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use web_session::{Session, SessionStart, SessionStoreUnavailable, VerifyCsrfToken};

use crate::config::{AppConfig, StartError};
use crate::error::ErrorPage;
use crate::guestbook::Guestbook;
use crate::templates::Templates;
use crate::users::{User, UserStore};

/// Shared state of the handlers.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub(crate) templates: Templates,
    pub(crate) users: UserStore,
    pub(crate) guestbook: Guestbook,
}

impl AppState {
    /// Returns the signed-in user. A session that points at a user who no
    /// longer exists counts as signed out. A signed-in user always sees the
    /// log out form, so this makes sure the session has a CSRF token.
    pub(crate) fn current_user(&self, session: &Session) -> Option<User> {
        let id = session.get::<u64>(USER_KEY).ok().flatten()?;
        let user = self.users.find(id)?;
        session.token();
        Some(user)
    }
}

/// Returns a redirect to the dashboard when the user is signed in, for pages
/// that only guests need. The flash data goes along, since no page showed it.
pub(crate) fn dashboard_for_signed_in(state: &AppState, session: &Session) -> Option<Response> {
    state.current_user(session)?;
    session.reflash();
    Some(see_other("/dashboard"))
}

/// Session key of the signed-in user's id.
pub(crate) const USER_KEY: &str = "user_id";

/// How often expired session files are removed.
const SWEEP_PERIOD: Duration = Duration::from_secs(15 * 60);

/// Builds the app's router from its configuration, connecting to the
/// session store, and starts the sweep of expired session files.
///
/// # Errors
///
/// Returns a [`StartError`] when the templates do not compile, a data file
/// is invalid, or the session store cannot be opened or reached.
pub async fn build_app(config: AppConfig) -> Result<Router, StartError> {
    let templates = Templates::load(&config.templates)?;
    let users = UserStore::open(&config.storage)?;
    let guestbook = Guestbook::open(&config.storage)?;
    let state = AppState {
        templates,
        users,
        guestbook,
    };

    let sessions = SessionStart::connect(config.session)
        .await
        .map_err(|error| StartError::SessionStore(error.to_string()))?;

    sessions.spawn_sweeper(SWEEP_PERIOD);

    let members_only = Router::new()
        .route("/dashboard", get(account::dashboard))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            account::require_login,
        ));
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/session", get(pages::session_contents))
        .route("/from-email", get(pages::from_email))
        .route("/register", get(register::show).post(register::submit))
        .route("/login", get(account::show_login).post(account::login))
        .route("/logout", get(account::logout_link).post(account::logout))
        .route("/guestbook", get(guestbook::show).post(guestbook::post))
        .route("/playground", get(playground::show).post(playground::call))
        .merge(members_only)
        .layer(middleware::from_fn(record_session_id))
        .layer(VerifyCsrfToken::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(sessions);

    let app = Router::new()
        .merge(pages)
        .nest("/api", api::routes())
        .nest_service("/static", ServeDir::new(&config.static_files))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_error_page,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(record_response),
        )
        .with_state(state);
    Ok(app)
}

/// Opens the span of one request. The status, latency and shortened
/// session id are recorded into it as they become known.
fn request_span(request: &Request) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        session = tracing::field::Empty,
    )
}

fn record_response(response: &Response, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency.as_secs_f64() * 1000.0);
    tracing::info!(parent: span, "request finished");
}

/// Records the shortened id of the loaded session in the request's span.
async fn record_session_id(session: Session, request: Request, next: Next) -> Response {
    if let Some(id) = session.log_id() {
        Span::current().record("session", id);
    }
    next.run(request).await
}

/// Renders the shared error page for responses that handlers marked with
/// [`ErrorPage`], and the unavailable page when the session store is down.
async fn render_error_page(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let template = if response.extensions().get::<ErrorPage>().is_some() {
        "error.html"
    } else if response
        .extensions()
        .get::<SessionStoreUnavailable>()
        .is_some()
    {
        "unavailable.html"
    } else {
        return response;
    };
    let status = response.status();
    match state
        .templates
        .render(template, None, context! { current_user => () })
    {
        Ok(html) => (status, html).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering the error page failed");
            (
                status,
                "Something went wrong on our side. Please try again.",
            )
                .into_response()
        }
    }
}

/// Turns a panic into a `500` that the error page middleware renders. The
/// session layer sits inside, so the panicking request saves nothing.
fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ErrorPage);
    response
}

/// Returns a `303 See Other` redirect, so a POST is followed by a GET.
pub(crate) fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Common context entries of every page.
pub(crate) fn user_context(user: Option<&User>) -> minijinja::Value {
    match user {
        Some(user) => {
            context! { current_user => context! { name => &user.name, email => &user.email } }
        }
        None => context! { current_user => () },
    }
}
