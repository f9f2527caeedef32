//! Connecting to Redis, the shared store for apps that run several
//! instances. The store itself is `tower-sessions-redis-store`, built on the
//! `fred` client.

use std::time::Duration;

use fred::prelude::{Builder, ClientLike, Config, Pool, ReconnectPolicy};
use tower_sessions_redis_store::RedisStore;

/// Connections kept open to Redis.
const POOL_SIZE: usize = 4;
/// Maximum wait for the first connection at start-up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Maximum wait for one command, so that requests fail fast with `503`
/// while Redis is down instead of hanging.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// Delay between reconnection attempts after Redis went away, in milliseconds.
const RECONNECT_DELAY_MS: u32 = 500;

/// Error that stops the Redis store from starting.
#[derive(Debug, thiserror::Error)]
#[error("connecting to Redis at {url} failed: {reason}")]
pub struct RedisConnectError {
    /// The URL with any password replaced by `****`.
    pub url: String,
    /// The failure and what to check.
    pub reason: String,
}

/// Connects to Redis at `url` and returns the session store.
///
/// The client reconnects on its own after an outage, retrying every half
/// second, and each command gives up after two seconds, so requests during
/// an outage fail fast and later ones succeed again once Redis is back.
///
/// # Errors
///
/// Returns a [`RedisConnectError`] with the masked URL when the URL is
/// invalid or Redis does not reply within five seconds.
pub async fn connect_redis(url: &str) -> Result<RedisStore<Pool>, RedisConnectError> {
    let failure = |reason: String| RedisConnectError {
        url: mask_password(url),
        reason,
    };
    let config = Config::from_url(url).map_err(|error| {
        failure(format!(
            "invalid REDIS_URL ({error}); expected redis://[:password@]host:port[/db]"
        ))
    })?;
    let pool = Builder::from_config(config)
        .with_connection_config(|connection| {
            connection.connection_timeout = CONNECT_TIMEOUT;
            connection.internal_command_timeout = COMMAND_TIMEOUT;
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = COMMAND_TIMEOUT;
        })
        .set_policy(ReconnectPolicy::new_constant(0, RECONNECT_DELAY_MS))
        .build_pool(POOL_SIZE)
        .map_err(|error| failure(error.to_string()))?;

    let unreachable = |detail: String| {
        failure(format!(
            "{detail}; check that redis-server is running there and that REDIS_URL is right"
        ))
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, pool.init()).await {
        Ok(Ok(_connection_task)) => {}
        Ok(Err(error)) => return Err(unreachable(error.to_string())),
        Err(_) => {
            return Err(unreachable(format!(
                "no answer within {} seconds",
                CONNECT_TIMEOUT.as_secs()
            )))
        }
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, pool.ping::<String>(None)).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => return Err(unreachable(error.to_string())),
        Err(_) => return Err(unreachable("PING timed out".to_owned())),
    }
    tracing::info!(url = %mask_password(url), "connected to Redis");
    Ok(RedisStore::new(pool))
}

/// Replaces the password in a Redis URL with `****`, for logs and errors.
pub(crate) fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let masked = match credentials.split_once(':') {
        Some((user, _password)) => format!("{user}:****"),
        None => "****".to_owned(),
    };
    format!("{scheme}://{masked}@{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_password_hides_password() {
        assert_eq!(
            mask_password("redis://:s3cret@127.0.0.1:6379/0"),
            "redis://:****@127.0.0.1:6379/0"
        );
        assert_eq!(
            mask_password("redis://app:s3cret@cache:6379"),
            "redis://app:****@cache:6379"
        );
    }

    #[test]
    fn mask_password_keeps_url_without_credentials() {
        assert_eq!(
            mask_password("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }

    #[tokio::test]
    async fn connect_to_closed_port_fails_with_masked_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);

        let url = format!("redis://:hunter2@127.0.0.1:{port}");
        let error = connect_redis(&url)
            .await
            .err()
            .map(|error| error.to_string());
        let message = error.unwrap_or_default();
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("redis-server"), "{message}");
    }
}
