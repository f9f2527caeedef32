//! Scale measurements of web-session's file store and memory cache, each
//! printed as one JSON object for `scripts/bench`:
//!
//! - `memory`: heap bytes and resident memory per cached session, for a
//!   one-key session and a six-key session of 152 bytes of JSON;
//! - `load`: `FileStore::load` latency in a folder of 100 sessions and in
//!   one of 100,000, measured in alternating rounds;
//! - `sweep`: the time of one `FileStore::sweep` over 100,000 files of which
//!   half are expired, and `sweep_synced` over 10,000 such files after
//!   `sync` has written them to disk.
//!
//! Usage: `scale memory small`, `scale memory typical` or `scale files
//! FOLDER`. Each memory measurement needs a process of its own, because
//! memory freed by an earlier one would hide part of the resident growth.
//! FOLDER must be empty or missing; the files stay there for the caller to
//! remove.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use time::OffsetDateTime;
use web_session::tower_sessions_core::session::{Id, Record};
use web_session::tower_sessions_core::SessionStore;
use web_session::{FileStore, MemoryCache, SessionCache};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Sessions in the large folder and in the memory measurement.
const MANY: usize = 100_000;
/// Sessions in the small folder.
const FEW: usize = 100;
/// Session files in the folder that is swept after `sync`.
const SYNCED: usize = 10_000;
/// Loads per folder, split over `ROUNDS` alternating rounds.
const LOADS: usize = 20_000;
const ROUNDS: usize = 10;

fn small_data(index: usize) -> HashMap<String, Value> {
    HashMap::from([("n".to_owned(), json!(index))])
}

/// Returns the data of a logged-in session with a CSRF token and a pending
/// flash message, 152 bytes as JSON.
fn typical_data(index: usize) -> HashMap<String, Value> {
    HashMap::from([
        ("user_id".to_owned(), json!(index)),
        ("name".to_owned(), json!("Ada Lovelace")),
        (
            "_token".to_owned(),
            json!("x3J9qLm2VwP8sT5rN1kH7gF4dC6bA0eYzUoIiWjQ"),
        ),
        ("status".to_owned(), json!("Profile saved")),
        ("_flash.new".to_owned(), json!(["status"])),
        ("_flash.old".to_owned(), json!([])),
    ])
}

fn record(data: HashMap<String, Value>, expires_in: time::Duration) -> Record {
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

/// Resident memory of this process in bytes, from `/proc/self/statm`.
fn resident_bytes() -> Result<u64, String> {
    let statm = fs::read_to_string("/proc/self/statm")
        .map_err(|error| format!("reading /proc/self/statm failed: {error}"))?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| format!("unexpected /proc/self/statm contents {statm:?}"))?;
    Ok(pages * 4096)
}

/// Fills a memory cache with `MANY` sessions built by `data` and returns the
/// heap bytes and resident bytes it grew by, per session.
fn memory_per_session(data: fn(usize) -> HashMap<String, Value>) -> Result<Value, String> {
    let resident_before = resident_bytes()?;
    let region = Region::new(ALLOCATOR);
    let cache = MemoryCache::new(2 * MANY as u64, Duration::from_secs(7200));
    for index in 0..MANY {
        cache.insert(Arc::new(record(data(index), time::Duration::hours(2))));
    }
    let cached = cache.len();
    let change = region.change();
    let resident_after = resident_bytes()?;

    let heap = change.bytes_allocated as i64 - change.bytes_deallocated as i64
        + change.bytes_reallocated as i64;
    let allocations = change.allocations as i64 - change.deallocations as i64;
    let json_bytes = serde_json::to_vec(&data(0))
        .map(|bytes| bytes.len())
        .unwrap_or(0);
    Ok(json!({
        "cached": cached,
        "json_bytes": json_bytes,
        "heap_bytes_per_session": heap as f64 / MANY as f64,
        "live_allocations_per_session": allocations as f64 / MANY as f64,
        "resident_bytes_per_session": (resident_after as f64 - resident_before as f64) / MANY as f64,
    }))
}

/// Writes `count` session files with the stored form of `template`, each
/// under a new id and with its modification time set to `expiry`, the way
/// `FileStore` leaves them. Returns the ids.
fn write_sessions(
    folder: &Path,
    template: &[u8],
    expiry: SystemTime,
    count: usize,
) -> Result<Vec<Id>, String> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let id = Id::default();
        let path = folder.join(id.to_string());
        let mut file = fs::File::create_new(&path)
            .map_err(|error| format!("creating {} failed: {error}", path.display()))?;
        file.write_all(template)
            .and_then(|()| file.set_modified(expiry))
            .map_err(|error| format!("writing {} failed: {error}", path.display()))?;
        ids.push(id);
    }
    Ok(ids)
}

/// Returns the bytes that `FileStore` writes for `record`.
async fn stored_bytes(scratch: &FileStore, record: &Record) -> Result<Vec<u8>, String> {
    scratch
        .save(record)
        .await
        .map_err(|error| format!("saving a template record failed: {error}"))?;
    let path = scratch.path_of(&record.id);
    fs::read(&path).map_err(|error| format!("reading {} failed: {error}", path.display()))
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e6
}

fn summary(mut latencies: Vec<Duration>) -> Value {
    latencies.sort();
    let mean = latencies.iter().sum::<Duration>().as_secs_f64() * 1e6 / latencies.len() as f64;
    json!({
        "loads": latencies.len(),
        "mean_us": mean,
        "p50_us": percentile(&latencies, 0.50),
        "p99_us": percentile(&latencies, 0.99),
    })
}

/// Times `LOADS` loads of random existing sessions in each store, in
/// `ROUNDS` rounds that alternate between the two stores so that drift in
/// the machine's load affects both alike.
async fn load_latency(stores: [(&FileStore, &[Id]); 2]) -> Result<[Value; 2], String> {
    let mut latencies = [Vec::with_capacity(LOADS), Vec::with_capacity(LOADS)];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..ROUNDS {
        for (slot, (store, ids)) in stores.iter().enumerate() {
            for _ in 0..LOADS / ROUNDS {
                // xorshift: a cheap, fixed sequence of indices.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let id = ids[(state % ids.len() as u64) as usize];
                let started = Instant::now();
                let loaded = store
                    .load(&id)
                    .await
                    .map_err(|error| format!("loading a session failed: {error}"))?;
                latencies[slot].push(started.elapsed());
                if loaded.is_none() {
                    return Err("a stored session did not load".to_owned());
                }
            }
        }
    }
    let [few, many] = latencies;
    Ok([summary(few), summary(many)])
}

async fn files(folder: PathBuf) -> Result<Value, String> {
    let open = |name: &str| {
        FileStore::new(folder.join(name))
            .map_err(|error| format!("opening the store failed: {error}"))
    };
    let scratch = open("scratch")?;
    let live = record(typical_data(1), time::Duration::hours(2));
    let expired = record(typical_data(2), time::Duration::hours(-1));
    let live_bytes = stored_bytes(&scratch, &live).await?;
    let expired_bytes = stored_bytes(&scratch, &expired).await?;
    let live_mtime = SystemTime::from(live.expiry_date);
    let expired_mtime = SystemTime::from(expired.expiry_date);

    let few = open("few")?;
    let many = open("many")?;
    let few_ids = write_sessions(few.folder(), &live_bytes, live_mtime, FEW)?;
    let many_ids = write_sessions(many.folder(), &live_bytes, live_mtime, MANY)?;
    let [load_few, load_many] = load_latency([(&few, &few_ids), (&many, &many_ids)]).await?;

    let swept = open("sweep")?;
    write_sessions(swept.folder(), &live_bytes, live_mtime, MANY / 2)?;
    write_sessions(swept.folder(), &expired_bytes, expired_mtime, MANY / 2)?;
    let sweep = timed_sweep(&swept, MANY).await?;

    // Expired sessions are usually old files whose blocks the kernel has
    // long written. Removing such a file frees blocks, which costs far more
    // on some file systems, so a smaller folder is swept after `sync`.
    let synced = open("sweep-synced")?;
    write_sessions(synced.folder(), &live_bytes, live_mtime, SYNCED / 2)?;
    write_sessions(synced.folder(), &expired_bytes, expired_mtime, SYNCED / 2)?;
    let status = std::process::Command::new("sync")
        .status()
        .map_err(|error| format!("running sync failed: {error}"))?;
    if !status.success() {
        return Err(format!("sync exited with {status}"));
    }
    let sweep_synced = timed_sweep(&synced, SYNCED).await?;

    Ok(json!({
        "load": {"sessions_few": FEW, "sessions_many": MANY, "few": load_few, "many": load_many},
        "sweep": sweep,
        "sweep_synced": sweep_synced,
    }))
}

/// Sweeps `store`, which contains `files` session files, and returns the
/// report with the time it took.
async fn timed_sweep(store: &FileStore, files: usize) -> Result<Value, String> {
    let started = Instant::now();
    let report = store
        .sweep()
        .await
        .map_err(|error| format!("sweeping failed: {error}"))?;
    Ok(json!({
        "files": files,
        "seconds": started.elapsed().as_secs_f64(),
        "removed": report.removed,
        "kept": report.kept,
    }))
}

const USAGE: &str = "usage: scale memory small|typical | scale files FOLDER";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("scale: starting the runtime failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match arguments.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["memory", "small"] => memory_per_session(small_data),
        ["memory", "typical"] => memory_per_session(typical_data),
        ["files", folder] => runtime.block_on(files(PathBuf::from(folder))),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("scale: {message}");
            ExitCode::FAILURE
        }
    }
}
