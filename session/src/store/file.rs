//! A session store that keeps one JSON file per session.
//!
//! Each file is named by the session id, which only ever comes from a parsed
//! `Id`, so no request can name a path. A save writes a unique temporary file
//! in the same folder and renames it over the old one, so a reader sees
//! either the previous record or the new one, never a torn file. The file's
//! modification time is set to the session's expiry, which lets a sweep find
//! expired sessions from directory metadata without parsing any file.
//!
//! NOTE: writes are not fsynced. A record survives a killed process, since
//! the kernel keeps the written pages, but the newest writes may be lost on
//! power failure.

use std::collections::HashMap;
use std::fs::{self, File, FileTimes, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{self, ExpiredDeletion, SessionStore};

use crate::id::{parse_id, short_id};

/// Prefix of temporary files written before a rename.
const TEMP_PREFIX: &str = ".tmp-";
/// Prefix of files that a sweep moved aside before removing them.
const SWEEP_PREFIX: &str = ".sweep-";
/// Age after which a leftover temporary file counts as abandoned.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);
/// Attempts to find a free id when `create` collides with an existing file.
const CREATE_ATTEMPTS: usize = 8;
/// Threads that remove expired files in one sweep. Removing a file whose
/// blocks are on disk mostly waits on the file system, so threads beyond
/// the core count still shorten a sweep. On ext4 mounted with `discard`
/// one removal took about 1 ms of wall time for 40 µs of CPU time. Eight
/// bounds the extra threads.
const SWEEP_THREADS: usize = 8;
/// Expired files below which one sweep thread removes them all.
const SWEEP_PARALLEL_MIN: usize = 64;

/// Saves, creates and deletes that one store runs at once. Each of them
/// changes the folder's entries under the folder's lock, so more of them
/// only wait on that lock: with one per request, 32 concurrent saves spent
/// a third of the server's CPU spinning on it.
const CONCURRENT_WRITES: usize = 4;

/// Stores sessions as files in one folder.
#[derive(Clone, Debug)]
pub struct FileStore {
    folder: Arc<PathBuf>,
    /// Permits for `CONCURRENT_WRITES` writes at once, shared by clones.
    writes: Arc<Semaphore>,
    /// Whether loads read on the calling thread instead of the blocking pool.
    inline_reads: bool,
}

/// The on-disk form of a record. The id is the file name.
#[derive(Serialize, Deserialize)]
struct StoredRecord {
    /// Expiry as milliseconds since the Unix epoch.
    expires_at_ms: i64,
    data: HashMap<String, Value>,
}

/// Counts from one sweep of the session folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Expired session files removed.
    pub removed: usize,
    /// Session files still live.
    pub kept: usize,
    /// Abandoned temporary files removed.
    pub temporary_removed: usize,
}

impl FileStore {
    /// Opens the store in `folder`, creating it with mode `0700` when missing.
    ///
    /// # Errors
    ///
    /// Returns the I/O error when the folder cannot be created.
    pub fn new(folder: impl Into<PathBuf>) -> io::Result<Self> {
        let folder = folder.into();
        fs::create_dir_all(&folder).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "creating session folder {} failed: {error}",
                    folder.display()
                ),
            )
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Err(error) = fs::set_permissions(&folder, fs::Permissions::from_mode(0o700)) {
                tracing::warn!(folder = %folder.display(), %error, "setting session folder mode 0700 failed");
            }
        }
        Ok(Self {
            folder: Arc::new(folder),
            writes: Arc::new(Semaphore::new(CONCURRENT_WRITES)),
            inline_reads: false,
        })
    }

    /// Returns the store with loads that read on the calling thread instead
    /// of Tokio's blocking pool.
    ///
    /// A session file is a few hundred bytes and usually in the page cache,
    /// where open, read and close took about 5 µs on the machine described
    /// in `BENCHMARKS.md`, while the round trip through the blocking pool
    /// cost about 25 µs more. The price is that a file not in the page cache
    /// blocks a runtime worker for one disk read, so this is off by default;
    /// turn it on where session files live on fast local storage.
    pub fn with_inline_reads(mut self, inline: bool) -> Self {
        self.inline_reads = inline;
        self
    }

    /// Returns the folder that contains the session files.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Returns the path of the file for `id`.
    pub fn path_of(&self, id: &Id) -> PathBuf {
        self.folder.join(id.to_string())
    }

    /// Removes expired session files and abandoned temporary files.
    ///
    /// The sweep reads only directory metadata, because each file's
    /// modification time is its session's expiry. A file is moved aside
    /// before removal and checked again, so a session that a request extended
    /// while the sweep ran is put back, not lost. Files that vanish under the
    /// sweep are skipped, and two sweeps may run at once. When many files
    /// have expired, up to eight threads remove them in parallel.
    ///
    /// # Errors
    ///
    /// Returns the I/O error when the folder cannot be listed.
    pub async fn sweep(&self) -> io::Result<SweepReport> {
        let store = self.clone();
        let report = tokio::task::spawn_blocking(move || store.sweep_blocking())
            .await
            .map_err(io::Error::other)??;
        tracing::info!(
            folder = %self.folder.display(),
            removed = report.removed,
            kept = report.kept,
            temporary_removed = report.temporary_removed,
            "swept session files"
        );
        Ok(report)
    }

    fn sweep_blocking(&self) -> io::Result<SweepReport> {
        let now = SystemTime::now();
        let mut report = SweepReport::default();
        // Expired files are removed after the listing, by several threads
        // when there are many.
        let mut expired_ids = Vec::new();
        for entry in fs::read_dir(self.folder.as_path())? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };

            if name.starts_with(TEMP_PREFIX) || name.starts_with(SWEEP_PREFIX) {
                if is_abandoned(&entry.path(), now) && remove_if_present(&entry.path()) {
                    report.temporary_removed += 1;
                }
                continue;
            }
            let Some(id) = parse_id(name) else { continue };

            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let expired = metadata
                .modified()
                .map(|expiry| expiry <= now)
                .unwrap_or(false);
            if expired {
                expired_ids.push(id);
            } else {
                report.kept += 1;
            }
        }

        let (removed, kept) = if expired_ids.len() < SWEEP_PARALLEL_MIN {
            self.remove_all_expired(&expired_ids, now)
        } else {
            let chunk = expired_ids.len().div_ceil(SWEEP_THREADS);
            std::thread::scope(|scope| {
                let workers: Vec<_> = expired_ids
                    .chunks(chunk)
                    .map(|ids| scope.spawn(move || self.remove_all_expired(ids, now)))
                    .collect();
                workers.into_iter().fold((0, 0), |(removed, kept), worker| {
                    let (worker_removed, worker_kept) = worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (removed + worker_removed, kept + worker_kept)
                })
            })
        };
        report.removed += removed;
        report.kept += kept;
        Ok(report)
    }

    /// Removes the expired files of `ids` one after another and returns how
    /// many were removed and how many a save extended in the meantime.
    fn remove_all_expired(&self, ids: &[Id], now: SystemTime) -> (usize, usize) {
        let (mut removed, mut kept) = (0, 0);
        for id in ids {
            match self.remove_expired(id, now) {
                Ok(true) => removed += 1,
                Ok(false) => kept += 1,
                Err(error) => {
                    tracing::warn!(session = %short_id(id), %error, "sweeping session file failed");
                }
            }
        }
        (removed, kept)
    }

    /// Moves an expired file aside, checks it again and removes it, or puts
    /// it back when a save extended it in the meantime. Returns whether it
    /// was removed.
    fn remove_expired(&self, id: &Id, now: SystemTime) -> io::Result<bool> {
        let path = self.path_of(id);
        let aside = self
            .folder
            .join(format!("{SWEEP_PREFIX}{id}-{}", random_suffix()));
        match fs::rename(&path, &aside) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        }

        let still_expired = fs::metadata(&aside)?.modified()? <= now;
        if !still_expired {
            // A save renamed a new file into place between the listing and the
            // move. Put it back unless an even newer save has already landed.
            match fs::hard_link(&aside, &path) {
                Ok(()) => {}
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
                Err(error) => return Err(error),
            }
        }
        remove_if_present(&aside);
        Ok(still_expired)
    }

    fn write_temp(&self, record: &Record) -> io::Result<PathBuf> {
        let stored = StoredRecord {
            expires_at_ms: millis_since_epoch(record.expiry_date),
            data: record.data.clone(),
        };
        let bytes = serde_json::to_vec(&stored).map_err(io::Error::other)?;

        let temp = self
            .folder
            .join(format!("{TEMP_PREFIX}{}-{}", record.id, random_suffix()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let expiry = system_time(record.expiry_date);
        // The access time is set past the modification time, so that a
        // `relatime` mount does not write a new access time on every load.
        // Under `relatime` the kernel updates it whenever it is not later
        // than the modification time, which here is always in the future.
        let times = FileTimes::new()
            .set_modified(expiry)
            .set_accessed(expiry + Duration::from_secs(1));
        let result = options.open(&temp).and_then(|mut file: File| {
            file.write_all(&bytes)?;
            file.set_times(times)
        });
        if let Err(error) = result {
            remove_if_present(&temp);
            return Err(error);
        }
        Ok(temp)
    }

    fn save_blocking(&self, record: &Record) -> io::Result<()> {
        let temp = self.write_temp(record)?;
        if let Err(error) = fs::rename(&temp, self.path_of(&record.id)) {
            remove_if_present(&temp);
            return Err(error);
        }
        Ok(())
    }

    fn create_blocking(&self, record: &mut Record) -> io::Result<()> {
        let temp = self.write_temp(record)?;
        let mut outcome = Err(io::Error::new(
            ErrorKind::AlreadyExists,
            "no free session id found",
        ));
        for _ in 0..CREATE_ATTEMPTS {
            // A hard link fails when the target exists, so an existing
            // session is never overwritten by a new one.
            match fs::hard_link(&temp, self.path_of(&record.id)) {
                Ok(()) => {
                    outcome = Ok(());
                    break;
                }
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                    record.id = Id::default();
                }
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        remove_if_present(&temp);
        outcome
    }

    fn load_blocking(&self, id: &Id) -> io::Result<Option<Record>> {
        let path = self.path_of(id);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };

        let stored: StoredRecord = match serde_json::from_slice(&bytes) {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(
                    session = %short_id(id),
                    path = %path.display(),
                    bytes = bytes.len(),
                    %error,
                    "session file is unreadable, treating it as no session"
                );
                return Ok(None);
            }
        };
        let Some(expiry_date) = from_millis(stored.expires_at_ms) else {
            tracing::warn!(session = %short_id(id), "session file has an out-of-range expiry");
            return Ok(None);
        };
        if expiry_date <= OffsetDateTime::now_utc() {
            return Ok(None);
        }
        Ok(Some(Record {
            id: *id,
            data: stored.data,
            expiry_date,
        }))
    }

    fn delete_blocking(&self, id: &Id) -> io::Result<()> {
        match fs::remove_file(self.path_of(id)) {
            Err(error) if error.kind() != ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Runs a write on the blocking pool, at most `CONCURRENT_WRITES` at once.
    async fn run_blocking<T, F>(&self, operation: F) -> session_store::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(FileStore) -> io::Result<T> + Send + 'static,
    {
        let _permit = self.writes.acquire().await.map_err(|error| {
            session_store::Error::Backend(format!("file store task failed: {error}"))
        })?;
        self.run_on_pool(operation).await
    }

    /// Runs a file operation on Tokio's blocking pool.
    async fn run_on_pool<T, F>(&self, operation: F) -> session_store::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(FileStore) -> io::Result<T> + Send + 'static,
    {
        let store = self.clone();
        let folder = self.folder.display().to_string();
        tokio::task::spawn_blocking(move || operation(store))
            .await
            .map_err(|error| {
                session_store::Error::Backend(format!("file store task failed: {error}"))
            })?
            .map_err(|error| {
                session_store::Error::Backend(format!("file store in {folder}: {error}"))
            })
    }
}

#[async_trait]
impl SessionStore for FileStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let draft = record.clone();
        let created = self
            .run_blocking(move |store| {
                let mut draft = draft;
                store.create_blocking(&mut draft).map(|()| draft.id)
            })
            .await?;
        record.id = created;
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let record = record.clone();
        self.run_blocking(move |store| store.save_blocking(&record))
            .await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if !self.inline_reads {
            let id = *id;
            return self
                .run_on_pool(move |store| store.load_blocking(&id))
                .await;
        }
        self.load_blocking(id).map_err(|error| {
            session_store::Error::Backend(format!(
                "file store in {}: {error}",
                self.folder.display()
            ))
        })
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = *id;
        self.run_blocking(move |store| store.delete_blocking(&id))
            .await
    }
}

#[async_trait]
impl ExpiredDeletion for FileStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.sweep().await.map(|_| ()).map_err(|error| {
            session_store::Error::Backend(format!("sweeping session files failed: {error}"))
        })
    }
}

fn random_suffix() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn remove_if_present(path: &Path) -> bool {
    fs::remove_file(path).is_ok()
}

fn is_abandoned(path: &Path, now: SystemTime) -> bool {
    // The modification time of a temporary file is already set to the
    // session's expiry, so its age comes from the status change time.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(metadata) = fs::symlink_metadata(path) else {
            return false;
        };
        let changed =
            SystemTime::UNIX_EPOCH + Duration::from_secs(metadata.ctime().max(0).unsigned_abs());
        now.duration_since(changed)
            .is_ok_and(|age| age >= STALE_TEMP_AGE)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, now);
        false
    }
}

fn millis_since_epoch(date: OffsetDateTime) -> i64 {
    i64::try_from(date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_millis(millis: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

fn system_time(date: OffsetDateTime) -> SystemTime {
    SystemTime::from(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record_expiring_in(duration: time::Duration) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("name".to_owned(), json!("Ada"))]),
            expiry_date: OffsetDateTime::now_utc() + duration,
        }
    }

    fn store() -> (tempfile::TempDir, FileStore) {
        let folder = tempfile::tempdir().expect("temporary folder");
        let store = FileStore::new(folder.path().join("sessions")).expect("store");
        (folder, store)
    }

    #[tokio::test]
    async fn save_then_load_round_trips() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        let loaded = store.load(&record.id).await.expect("load").expect("record");
        assert_eq!(loaded.data, record.data);
        let drift = (loaded.expiry_date - record.expiry_date).abs();
        assert!(
            drift < time::Duration::milliseconds(1),
            "expiry drifted by {drift}"
        );
    }

    #[tokio::test]
    async fn saved_file_times_follow_expiry() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        let metadata = fs::metadata(store.path_of(&record.id)).expect("stat");
        let modified = metadata.modified().expect("modification time");
        let accessed = metadata.accessed().expect("access time");
        assert!(
            modified > SystemTime::now(),
            "modification time {modified:?} is not the future expiry"
        );
        assert!(accessed > modified, "{accessed:?} <= {modified:?}");
    }

    #[tokio::test]
    async fn inline_reads_load_same_record() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        let inline = store.clone().with_inline_reads(true);
        let loaded = inline
            .load(&record.id)
            .await
            .expect("load")
            .expect("record");
        assert_eq!(loaded.data, record.data);
        assert!(inline.load(&Id::default()).await.expect("load").is_none());
    }

    #[tokio::test]
    async fn load_missing_returns_none() {
        let (_folder, store) = store();
        assert!(store.load(&Id::default()).await.expect("load").is_none());
    }

    #[tokio::test]
    async fn load_expired_returns_none() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::seconds(-1));
        store.save(&record).await.expect("save");
        assert!(store.load(&record.id).await.expect("load").is_none());
    }

    #[tokio::test]
    async fn load_corrupt_file_returns_none() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        let path = store.path_of(&record.id);
        let full = fs::read(&path).expect("read");
        for contents in [
            Vec::new(),
            full[..full.len() / 2].to_vec(),
            b"\0\0\0".to_vec(),
        ] {
            fs::write(&path, &contents).expect("write");
            assert!(store.load(&record.id).await.expect("load").is_none());
        }
    }

    #[tokio::test]
    async fn interrupted_save_keeps_previous_record() {
        let (_folder, store) = store();
        let mut record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");

        // A process killed after writing half of the next version leaves a
        // partial temporary file and never renames it.
        record.data.insert("name".to_owned(), json!("Grace"));
        let temp = store.write_temp(&record).expect("temporary file");
        let full = fs::read(&temp).expect("read");
        fs::write(&temp, &full[..full.len() / 2]).expect("cut");

        let loaded = store.load(&record.id).await.expect("load").expect("record");
        assert_eq!(loaded.data.get("name"), Some(&json!("Ada")));
    }

    #[tokio::test]
    async fn delete_removes_file() {
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        store.delete(&record.id).await.expect("delete");
        assert!(!store.path_of(&record.id).exists());
        store
            .delete(&record.id)
            .await
            .expect("second delete is fine");
    }

    #[tokio::test]
    async fn create_never_overwrites_existing_id() {
        let (_folder, store) = store();
        let existing = record_expiring_in(time::Duration::minutes(10));
        store.save(&existing).await.expect("save");

        let mut colliding = existing.clone();
        colliding.data.insert("name".to_owned(), json!("Eve"));
        store.create(&mut colliding).await.expect("create");
        assert_ne!(colliding.id, existing.id);

        let kept = store
            .load(&existing.id)
            .await
            .expect("load")
            .expect("record");
        assert_eq!(kept.data.get("name"), Some(&json!("Ada")));
    }

    #[tokio::test]
    async fn save_leaves_no_temporary_files() {
        let (_folder, store) = store();
        for _ in 0..5 {
            store
                .save(&record_expiring_in(time::Duration::minutes(10)))
                .await
                .expect("save");
        }
        let names: Vec<String> = fs::read_dir(store.folder())
            .expect("list")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        assert_eq!(names.len(), 5);
        assert!(
            names.iter().all(|name| parse_id(name).is_some()),
            "{names:?}"
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn files_and_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_folder, store) = store();
        let record = record_expiring_in(time::Duration::minutes(10));
        store.save(&record).await.expect("save");
        let file_mode = fs::metadata(store.path_of(&record.id))
            .expect("stat")
            .permissions()
            .mode();
        let folder_mode = fs::metadata(store.folder())
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(file_mode & 0o777, 0o600);
        assert_eq!(folder_mode & 0o777, 0o700);
    }

    #[tokio::test]
    async fn sweep_removes_only_expired_files() {
        let (_folder, store) = store();
        let live = record_expiring_in(time::Duration::minutes(10));
        let expired = record_expiring_in(time::Duration::seconds(-5));
        store.save(&live).await.expect("save");
        store.save(&expired).await.expect("save");
        fs::write(store.folder().join("notes.txt"), b"not a session").expect("write");

        let report = store.sweep().await.expect("sweep");
        assert_eq!(report.removed, 1);
        assert_eq!(report.kept, 1);
        assert!(store.path_of(&live.id).exists());
        assert!(!store.path_of(&expired.id).exists());
        assert!(store.folder().join("notes.txt").exists());
    }

    #[tokio::test]
    async fn concurrent_sweeps_both_succeed() {
        let (_folder, store) = store();
        for _ in 0..50 {
            store
                .save(&record_expiring_in(time::Duration::seconds(-5)))
                .await
                .expect("save");
        }
        let (first, second) = tokio::join!(store.sweep(), store.sweep());
        let removed = first.expect("first sweep").removed + second.expect("second sweep").removed;
        assert_eq!(removed, 50);
    }

    #[tokio::test]
    async fn sweep_removes_many_in_parallel() {
        let (_folder, store) = store();
        let expired_count = SWEEP_PARALLEL_MIN * 2 + 3;
        for _ in 0..expired_count {
            store
                .save(&record_expiring_in(time::Duration::seconds(-5)))
                .await
                .expect("save");
        }
        let live = record_expiring_in(time::Duration::minutes(10));
        store.save(&live).await.expect("save");

        let report = store.sweep().await.expect("sweep");
        assert_eq!(report.removed, expired_count);
        assert_eq!(report.kept, 1);
        let remaining: Vec<String> = fs::read_dir(store.folder())
            .expect("list")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        assert_eq!(remaining, vec![live.id.to_string()]);
    }

    #[tokio::test]
    async fn sweep_puts_back_extended_session() {
        let (_folder, store) = store();
        let mut record = record_expiring_in(time::Duration::seconds(-5));
        store.save(&record).await.expect("save");
        let listed_at = SystemTime::now();

        // A request extends the session after the sweep listed the folder.
        record.expiry_date = OffsetDateTime::now_utc() + time::Duration::minutes(10);
        store.save(&record).await.expect("extend");

        let removed = store.remove_expired(&record.id, listed_at).expect("remove");
        assert!(!removed);
        assert!(store.load(&record.id).await.expect("load").is_some());
    }
}
