//! The `VerifyCsrfToken` layer: rejects state-changing requests whose CSRF
//! token does not match the session's.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use http::header::{CONTENT_TYPE, HOST, LOCATION, REFERER};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tower::{Layer, Service};

use crate::input::SECRET_FIELDS;
use crate::Session;

/// Name of the form field that carries the token.
pub const TOKEN_FIELD: &str = "_token";
/// Name of the request header that carries the token for scripts.
pub const TOKEN_HEADER: &str = "x-csrf-token";
/// Default limit on a form body that the layer reads to find the token.
const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Tower layer that checks the CSRF token of every `POST`, `PUT`, `PATCH`
/// and `DELETE` request against the session's token, in constant time.
///
/// The token comes from the `X-CSRF-TOKEN` header, or else from the `_token`
/// field of a URL-encoded form body. The layer reads such a body up to a
/// limit (2 MiB unless set with [`VerifyCsrfToken::max_body_bytes`]) and
/// hands it on unchanged.
///
/// A request whose token does not match is rejected: the inner service
/// never sees it. How depends on what was sent:
///
/// - A form sent when the session has no token, usually because it expired
///   while the form was open, is not a forgery to punish. The layer flashes
///   the form's input (without password fields) and a message under the
///   flash key `error`, and redirects back to the form with `303`, so the
///   person can submit again.
/// - A form with a token that does not match a live session's, such as the
///   second click of a double-clicked log in form whose first click rotated
///   the token, is redirected back with `303` and a message under `error`,
///   and the flash data of the session stays for the next page. Its input
///   is not flashed, since it may come from another site.
/// - Any other request with a missing or wrong token gets `403 Forbidden`.
///
/// Place it inside [`SessionStart`](crate::SessionStart), which must run
/// first to load the session.
///
/// NOTE: the token is not read from `multipart/form-data` bodies. Forms
/// that upload files send it in the `X-CSRF-TOKEN` header instead.
#[derive(Clone, Debug)]
pub struct VerifyCsrfToken {
    settings: Arc<Settings>,
}

#[derive(Clone, Debug)]
struct Settings {
    max_body_bytes: usize,
    except: Vec<String>,
    expired_message: String,
    mismatch_message: String,
}

impl Default for VerifyCsrfToken {
    fn default() -> Self {
        Self::new()
    }
}

impl VerifyCsrfToken {
    /// Creates the layer with the default body limit and message.
    pub fn new() -> Self {
        Self {
            settings: Arc::new(Settings {
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                except: Vec::new(),
                expired_message: "Your session expired, so the form was not sent. \
                                  Check your input and submit it again."
                    .to_owned(),
                mismatch_message: "This form was already sent, or the page was out of date, \
                                   so nothing was changed. Check the page and try again."
                    .to_owned(),
            }),
        }
    }

    fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    /// Sets the largest form body, in bytes, that the layer reads to find
    /// the token. Larger forms get `413 Payload Too Large`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.settings_mut().max_body_bytes = bytes;
        self
    }

    /// Skips the check for requests whose path equals `path`, for example
    /// a webhook that other servers call.
    pub fn except(mut self, path: impl Into<String>) -> Self {
        self.settings_mut().except.push(path.into());
        self
    }

    /// Sets the message flashed when a form arrives after its session expired.
    pub fn expired_message(mut self, message: impl Into<String>) -> Self {
        self.settings_mut().expired_message = message.into();
        self
    }

    /// Sets the message flashed when a form's token does not match a live
    /// session's token.
    pub fn mismatch_message(mut self, message: impl Into<String>) -> Self {
        self.settings_mut().mismatch_message = message.into();
        self
    }
}

impl<S> Layer<S> for VerifyCsrfToken {
    type Service = VerifyCsrfTokenService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyCsrfTokenService {
            inner,
            settings: self.settings.clone(),
        }
    }
}

/// The service that [`VerifyCsrfToken`] wraps around an inner service.
#[derive(Clone)]
pub struct VerifyCsrfTokenService<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S> fmt::Debug for VerifyCsrfTokenService<S> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("VerifyCsrfTokenService")
            .finish_non_exhaustive()
    }
}

impl<S> Service<Request<Body>> for VerifyCsrfTokenService<S>
where
    S: Service<Request<Body>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let settings = self.settings.clone();

        Box::pin(async move {
            if !needs_check(&request, &settings) {
                return inner.call(request).await;
            }
            let Some(session) = request.extensions().get::<Session>().cloned() else {
                return Ok(plain_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "VerifyCsrfToken found no session: place it inside the SessionStart layer"
                        .to_owned(),
                ));
            };

            let (parts, body) = request.into_parts();
            let form = if is_url_encoded_form(&parts.headers) {
                match axum::body::to_bytes(body, settings.max_body_bytes).await {
                    Ok(bytes) => bytes,
                    Err(_) => {
                        return Ok(plain_response(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            format!("The form is larger than {} bytes.", settings.max_body_bytes),
                        ));
                    }
                }
            } else {
                return match header_token(&parts.headers) {
                    Some(token) if session.verify_token(token) => {
                        inner.call(Request::from_parts(parts, body)).await
                    }
                    _ => Ok(reject(&session, &parts, &[], &settings)),
                };
            };

            let fields: Vec<(String, String)> =
                form_urlencoded::parse(&form).into_owned().collect();
            let submitted = header_token(&parts.headers).or_else(|| {
                fields
                    .iter()
                    .find(|(name, _)| name == TOKEN_FIELD)
                    .map(|(_, value)| value.as_str())
            });
            if submitted.is_some_and(|token| session.verify_token(token)) {
                return inner
                    .call(Request::from_parts(parts, Body::from(form)))
                    .await;
            }
            Ok(reject(&session, &parts, &fields, &settings))
        })
    }
}

fn needs_check(request: &Request<Body>, settings: &Settings) -> bool {
    let unsafe_method = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    unsafe_method
        && !settings
            .except
            .iter()
            .any(|path| path == request.uri().path())
}

fn is_url_encoded_form(headers: &http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

fn header_token(headers: &http::HeaderMap) -> Option<&str> {
    headers.get(TOKEN_HEADER)?.to_str().ok()
}

/// Builds the response to a request whose token did not match, as the
/// type's documentation describes.
fn reject(
    session: &Session,
    parts: &http::request::Parts,
    fields: &[(String, String)],
    settings: &Settings,
) -> Response<Body> {
    let live = session.current_token().is_some();
    if live && !is_form(&parts.headers) {
        tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong, request rejected");
        return plain_response(
            StatusCode::FORBIDDEN,
            "The request's security token does not match your session. \
             Reload the page and try again."
                .to_owned(),
        );
    }

    let message = if live {
        tracing::warn!(path = %parts.uri.path(), "CSRF token of a form does not match, redirecting back");
        // The page this request would have led to did not show the flash
        // data, so it stays for the page the person sees next.
        session.reflash();
        &settings.mismatch_message
    } else {
        let input = fields
            .iter()
            .filter(|(name, _)| !SECRET_FIELDS.contains(&name.as_str()))
            .map(|(name, value)| (name.as_str(), value.as_str()));
        session.flash_input(input);
        &settings.expired_message
    };
    if let Err(error) = session.flash("error", message) {
        tracing::error!(%error, "flashing the CSRF message failed");
    }

    let target = back_path(parts);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(location) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

/// Returns whether the body is an HTML form, URL-encoded or multipart.
fn is_form(headers: &http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with("application/x-www-form-urlencoded")
                || value.starts_with("multipart/form-data")
        })
}

/// Returns where "back" is: the path of the `Referer` when it is this site,
/// else the path of the request itself.
fn back_path(parts: &http::request::Parts) -> String {
    let host = parts
        .headers
        .get(HOST)
        .and_then(|value| value.to_str().ok());
    let referer = parts
        .headers
        .get(REFERER)
        .and_then(|value| value.to_str().ok());
    if let (Some(host), Some(referer)) = (host, referer) {
        let after_scheme = referer.split_once("://").map(|(_, rest)| rest);
        if let Some(rest) = after_scheme {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if authority == host && path.starts_with('/') && !path.starts_with("//") {
                return path.to_owned();
            }
        }
    }
    parts.uri.path().to_owned()
}

fn plain_response(status: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
