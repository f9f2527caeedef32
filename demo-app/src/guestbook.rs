//! Guestbook entries, kept in one JSON file under the storage folder.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::config::StartError;
use crate::json_file;

/// Number of recent submission ids remembered to recognise a form sent twice.
const REMEMBERED_SUBMISSIONS: usize = 1000;

/// One guestbook entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) message: String,
    /// Seconds since the Unix epoch.
    pub(crate) posted_at: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Contents {
    entries: Vec<Entry>,
    /// Ids of recently accepted forms, oldest first.
    submissions: VecDeque<String>,
}

/// Outcome of posting an entry.
#[derive(Debug)]
pub(crate) enum Posted {
    /// The entry was added.
    Added(Entry),
    /// A form with the same submission id was already accepted, so nothing
    /// was added: the person clicked twice.
    Duplicate,
}

/// The guestbook, loaded at start and written through on every post.
#[derive(Clone, Debug)]
pub(crate) struct Guestbook {
    path: Arc<PathBuf>,
    contents: Arc<Mutex<Contents>>,
}

impl Guestbook {
    /// Loads the guestbook from `storage/guestbook.json`, or starts empty.
    pub(crate) fn open(storage: &Path) -> Result<Self, StartError> {
        let path = storage.join("guestbook.json");
        let contents = json_file::read(&path, "reading the guestbook file")?.unwrap_or_default();
        Ok(Self {
            path: Arc::new(path),
            contents: Arc::new(Mutex::new(contents)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Contents> {
        self.contents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the entries, newest first.
    pub(crate) fn entries(&self) -> Vec<Entry> {
        self.lock().entries.iter().rev().cloned().collect()
    }

    /// Adds an entry unless the form with `submission` was accepted before.
    /// It writes the file, so call it from a blocking task.
    pub(crate) fn post(&self, submission: &str, name: &str, message: &str) -> io::Result<Posted> {
        let mut contents = self.lock();
        if contents.submissions.iter().any(|seen| seen == submission) {
            return Ok(Posted::Duplicate);
        }
        let entry = Entry {
            id: contents.entries.last().map_or(1, |last| last.id + 1),
            name: name.to_owned(),
            message: message.to_owned(),
            posted_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        contents.entries.push(entry.clone());
        contents.submissions.push_back(submission.to_owned());
        if contents.submissions.len() > REMEMBERED_SUBMISSIONS {
            contents.submissions.pop_front();
        }
        if let Err(error) = json_file::write(&self.path, &*contents) {
            contents.entries.pop();
            contents.submissions.pop_back();
            return Err(error);
        }
        Ok(Posted::Added(entry))
    }
}
