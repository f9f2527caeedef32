//! The register form: validation errors and old input flashed across a
//! redirect, and a welcome flash on success.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Form;
use web_session::Session;

use super::{dashboard_for_signed_in, see_other, user_context, AppState};
use crate::error::AppError;
use crate::users::CreateUserError;
use crate::validation::RegisterForm;

/// Shows the register form, with the errors and input of a failed attempt.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    if let Some(redirect) = dashboard_for_signed_in(&state, &session) {
        return Ok(redirect);
    }
    session.token();
    let html = state
        .templates
        .render("register.html", Some(&session), user_context(None))?;
    Ok(html.into_response())
}

/// Validates the form. On failure it flashes the errors and the input
/// (never the passwords) and redirects back with `303`. On success it
/// creates the user, signs them in under a new session id and redirects to
/// the dashboard.
pub(crate) async fn submit(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            tracing::warn!(%rejection, "register form could not be decoded");
            session.flash(
                "error",
                format!("The form could not be read: {rejection}. Please try again."),
            )?;
            return Ok(see_other("/register"));
        }
    };
    let errors = form.validate();
    if !errors.is_empty() {
        return Ok(back_with_errors(&session, &form, errors));
    }

    let users = state.users.clone();
    let (name, email, password) = (
        form.name.trim().to_owned(),
        form.email.trim().to_owned(),
        form.password.clone(),
    );
    let created =
        tokio::task::spawn_blocking(move || users.create(&name, &email, &password)).await?;
    let user = match created {
        Ok(user) => user,
        Err(CreateUserError::EmailTaken) => {
            let errors = [(
                "email".to_owned(),
                vec!["This e-mail address is already registered.".to_owned()],
            )];
            return Ok(back_with_errors(
                &session,
                &form,
                errors.into_iter().collect(),
            ));
        }
        Err(CreateUserError::Io(error)) => return Err(error.into()),
    };

    super::account::sign_in(&session, user.id)?;
    session.flash(
        "status",
        format!("Welcome, {}! Your account is ready.", user.name),
    )?;
    Ok(see_other("/dashboard"))
}

fn back_with_errors(
    session: &Session,
    form: &RegisterForm,
    errors: crate::validation::FieldErrors,
) -> Response {
    session.flash_input(form.old_input());
    session.flash_errors(errors);
    see_other("/register")
}
