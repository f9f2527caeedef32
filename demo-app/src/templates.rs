//! Loading and rendering the minijinja templates.

use std::path::Path;
use std::sync::Arc;

use axum::response::Html;
use minijinja::{Environment, UndefinedBehavior, Value};
use minijinja_session::context_with_session;
use web_session::Session;

use crate::config::StartError;
use crate::error::AppError;

/// The compiled templates of the app.
#[derive(Clone, Debug)]
pub(crate) struct Templates {
    environment: Arc<Environment<'static>>,
}

impl Templates {
    /// Compiles every `.html` file in `folder`. A template that uses an
    /// undefined variable fails to render instead of printing nothing.
    pub(crate) fn load(folder: &Path) -> Result<Self, StartError> {
        let io_error = |source| StartError::Io {
            what: "reading the templates folder",
            path: folder.to_path_buf(),
            source,
        };
        let mut environment = Environment::new();
        environment.set_undefined_behavior(UndefinedBehavior::Strict);
        minijinja_session::add_to_environment(&mut environment);

        for entry in std::fs::read_dir(folder).map_err(io_error)? {
            let path = entry.map_err(io_error)?.path();
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            if !name.ends_with(".html") {
                continue;
            }
            let source = std::fs::read_to_string(&path).map_err(io_error)?;
            environment
                .add_template_owned(name.to_owned(), source)
                .map_err(|source| StartError::Template {
                    name: name.to_owned(),
                    source,
                })?;
        }
        Ok(Self {
            environment: Arc::new(environment),
        })
    }

    /// Renders `name` with `context` and the session data of this request.
    /// Pages outside the session layer pass `None` and get empty session data.
    pub(crate) fn render(
        &self,
        name: &str,
        session: Option<&Session>,
        context: Value,
    ) -> Result<Html<String>, AppError> {
        // Pages with a form call `Session::token` before rendering, so that a
        // page without one does not start a session.
        let view = session.map(Session::template_view).unwrap_or_default();
        let template = self.environment.get_template(name)?;
        let html = template.render(context_with_session(view, context))?;
        Ok(Html(html))
    }
}
