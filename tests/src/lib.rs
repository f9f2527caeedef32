//! Shared helpers for the HTTP and browser tests of the demo app.
