//! The session data that the minijinja-session template functions read.

use minijinja_session::SessionView;

use crate::Session;

impl Session {
    /// Copies what the minijinja-session template functions read from this
    /// session: the flash items visible on this request
    /// ([`Session::visible_flash`]), the old input ([`Session::old_input`]),
    /// the validation errors ([`Session::errors`]) and the CSRF token
    /// ([`Session::current_token`]).
    ///
    /// This method never creates a CSRF token, so rendering a page without a
    /// form does not start a session. A handler whose page has a form calls
    /// [`Session::token`] before this method, because `csrf_field()` and
    /// `csrf_token()` fail the render when the view has no token.
    ///
    /// Pass the view to the template with
    /// `minijinja_session::context_with_session(view, ctx)`. Requires the
    /// `minijinja` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use minijinja_session::SessionView;
    /// use web_session::Session;
    ///
    /// /// Builds the template data of a page that shows a form.
    /// fn form_page_view(session: &Session) -> SessionView {
    ///     session.token();
    ///     session.template_view()
    /// }
    ///
    /// let session = Session::default();
    /// assert_eq!(session.template_view().csrf_token, None);
    ///
    /// let view = form_page_view(&session);
    /// assert_eq!(view.csrf_token, session.current_token());
    /// ```
    pub fn template_view(&self) -> SessionView {
        SessionView {
            flash: self.visible_flash(),
            old_input: self.old_input(),
            errors: self.errors(),
            csrf_token: self.current_token(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::{Session, ERRORS_KEY, OLD_INPUT_KEY, TOKEN_KEY};

    /// Ages flash data as the end of a request does, so that the data
    /// flashed so far becomes visible.
    fn next_request(session: &Session) {
        session.age_flash();
    }

    #[test]
    fn view_does_not_create_token() {
        let session = Session::default();

        let view = session.template_view();

        assert_eq!(view.csrf_token, None);
        assert_eq!(session.current_token(), None);
        assert!(session.is_empty());
        assert!(!session.lock().changed);
    }

    #[test]
    fn view_copies_token_after_token() {
        let session = Session::default();
        let token = session.token();

        let view = session.template_view();

        assert_eq!(view.csrf_token, Some(token));
    }

    #[test]
    fn view_copies_visible_data() {
        let session = Session::default();
        session
            .flash("message", json!({ "status": "saved" }))
            .expect("flash");
        session.flash_input([("nick", "ada"), ("bio", ""), ("password", "hunter2")]);
        session.flash_errors([("nick", ["is taken"])]);
        next_request(&session);

        let view = session.template_view();

        assert_eq!(
            view.flash.get("message"),
            Some(&json!({ "status": "saved" }))
        );
        assert_eq!(view.old_input.get("nick").map(String::as_str), Some("ada"));
        assert_eq!(view.old_input.get("bio").map(String::as_str), Some(""));
        assert_eq!(view.old_input.get("password"), None);
        assert_eq!(view.errors.get("nick"), Some(&vec!["is taken".to_owned()]));
    }

    #[test]
    fn view_leaves_out_pending_flash() {
        let session = Session::default();
        session.flash("message", "Saved").expect("flash");
        session.flash_input([("nick", "ada")]);

        let view = session.template_view();

        assert!(view.flash.is_empty(), "{:?}", view.flash);
        assert!(view.old_input.is_empty(), "{:?}", view.old_input);
    }

    #[test]
    fn view_leaves_out_reserved_keys() {
        let session = Session::default();
        session.flash_input([("nick", "ada")]);
        session.flash_errors([("nick", ["is taken"])]);
        next_request(&session);

        let view = session.template_view();

        assert!(view.flash.is_empty(), "{:?}", view.flash);
    }

    #[test]
    fn view_keeps_null_flash() {
        let session = Session::default();
        session.now("cleared", Value::Null).expect("now");

        let view = session.template_view();

        assert_eq!(view.flash.get("cleared"), Some(&Value::Null));
    }

    #[test]
    fn view_treats_wrong_shapes_as_missing() {
        let session = Session::default();
        session.now(OLD_INPUT_KEY, "not a map").expect("now");
        session
            .now(ERRORS_KEY, json!({ "nick": null }))
            .expect("now");
        session.put(TOKEN_KEY, 42).expect("put");

        let view = session.template_view();

        assert!(view.old_input.is_empty(), "{:?}", view.old_input);
        assert!(view.errors.is_empty(), "{:?}", view.errors);
        assert_eq!(view.csrf_token, None);
    }
}
