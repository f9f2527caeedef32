//! Serves the demo app on `HOST:PORT` (default 127.0.0.1:3000).

use std::process::ExitCode;

use demo_app::{build_app, serve, AppConfig};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(error) = dotenvy::dotenv() {
        if !error.not_found() {
            eprintln!("error: reading .env failed: {error}");
            return ExitCode::FAILURE;
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info")),
        )
        .init();

    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let config = AppConfig::from_env().map_err(|error| error.to_string())?;
    let address = (config.host.clone(), config.port);
    let app = build_app(config).await.map_err(|error| error.to_string())?;

    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|error| {
            format!(
                "binding {}:{} failed: {error}; set HOST and PORT to a free address",
                address.0, address.1
            )
        })?;
    let local = listener.local_addr().map_err(|error| error.to_string())?;
    tracing::info!("demo app listening on http://{local}");

    serve(listener, app, shutdown_signal())
        .await
        .map_err(|error| format!("server failed: {error}"))?;
    tracing::info!("demo app stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish and save
/// their sessions before the process exits.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "listening for Ctrl-C failed");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "listening for SIGTERM failed");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested, finishing in-flight requests");
}
