//! Kills a process with SIGKILL while it saves sessions in a loop, then
//! checks that every session file still loads and that every save the
//! process acknowledged is on disk.
//!
//! The test binary runs itself as the child: with `CRASH_CHILD_FOLDER` set,
//! the `save_loop_child` test saves sessions until it is killed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::SessionStore;
use web_session::FileStore;

const CHILD_FOLDER_VARIABLE: &str = "CRASH_CHILD_FOLDER";
/// Sessions the child rewrites in turn.
const SESSIONS: usize = 20;

#[tokio::test]
#[ignore = "child process of killed_writer_leaves_loadable_files"]
async fn save_loop_child() {
    let Ok(folder) = std::env::var(CHILD_FOLDER_VARIABLE) else {
        return;
    };
    let store = FileStore::new(folder).expect("open store");
    let ids: Vec<Id> = (0..SESSIONS).map(|_| Id::default()).collect();
    // NOTE: in a debug build most of each iteration is spent serializing,
    // so a kill lands inside the file write only now and then. The unit test
    // `interrupted_save_keeps_previous_record` of the file store covers a
    // write cut off half-way deterministically.
    let padding = "x".repeat(64 * 1024);

    // Bounded so that a parent that fails to kill the child cannot leave it
    // running forever.
    for counter in 0..1_000_000u64 {
        let id = ids[usize::try_from(counter).unwrap_or(0) % SESSIONS];
        let record = Record {
            id,
            data: HashMap::from([
                ("counter".to_owned(), json!(counter)),
                ("padding".to_owned(), json!(padding)),
            ]),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.save(&record).await.expect("save");
        println!("ACK {id} {counter}");
    }
}

#[tokio::test]
async fn killed_writer_leaves_loadable_files() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let executable = std::env::current_exe().expect("test executable");
    let mut child = Command::new(executable)
        .args([
            "save_loop_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_FOLDER_VARIABLE, folder.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().expect("child stdout");

    // Read acknowledgements until enough saves happened, then kill.
    let mut acknowledged: HashMap<String, u64> = HashMap::new();
    let mut lines = BufReader::new(stdout).lines();
    let started = Instant::now();
    let mut count = 0;
    while count < 300 && started.elapsed() < Duration::from_secs(60) {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some((id, counter)) = parse_ack(&line) {
            acknowledged.insert(id, counter);
            count += 1;
        }
    }
    child.kill().expect("SIGKILL the child");
    // Lines already written before the kill are acknowledgements too.
    for line in lines.map_while(Result::ok) {
        if let Some((id, counter)) = parse_ack(&line) {
            acknowledged.insert(id, counter);
        }
    }
    child.wait().expect("reap the child");
    assert!(count >= 50, "child acknowledged only {count} saves");

    let store = FileStore::new(folder.path()).expect("open store");
    let mut session_files = 0;
    for entry in std::fs::read_dir(folder.path()).expect("list folder") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("UTF-8 name");
        let Ok(id) = name.parse::<Id>() else { continue };
        if name.starts_with('.') {
            continue;
        }
        session_files += 1;
        let record = store.load(&id).await.expect("load");
        assert!(record.is_some(), "session file {name} does not load");
    }
    assert_eq!(session_files, SESSIONS);

    for (id, counter) in &acknowledged {
        let id: Id = id.parse().expect("acknowledged id");
        let record = store.load(&id).await.expect("load").expect("record");
        let stored = record.data.get("counter").and_then(|value| value.as_u64());
        assert!(
            stored >= Some(*counter),
            "session {id} holds {stored:?}, but save {counter} was acknowledged"
        );
    }
}

fn parse_ack(line: &str) -> Option<(String, u64)> {
    let mut parts = line.strip_prefix("ACK ")?.split(' ');
    let id = parts.next()?.to_owned();
    let counter = parts.next()?.parse().ok()?;
    Some((id, counter))
}
