//! `FileStore` calls against the plain file-system operations they are made
//! of, on a session file of about 190 bytes.

use std::collections::HashMap;
use std::fs;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use time::OffsetDateTime;
use web_session::tower_sessions_core::session::{Id, Record};
use web_session::tower_sessions_core::SessionStore;
use web_session::FileStore;

/// Returns a logged-in session with a CSRF token and a pending flash message.
fn small_record() -> Record {
    let data = HashMap::from([
        ("user_id".to_owned(), json!(42)),
        ("name".to_owned(), json!("Ada Lovelace")),
        (
            "_token".to_owned(),
            json!("x3J9qLm2VwP8sT5rN1kH7gF4dC6bA0eYzUoIiWjQ"),
        ),
        ("status".to_owned(), json!("Profile saved")),
        ("_flash.new".to_owned(), json!(["status"])),
        ("_flash.old".to_owned(), json!([])),
    ]);
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(2),
    }
}

fn bench_save(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = FileStore::new(folder.path().join("store")).expect("store");
    let record = small_record();
    runtime.block_on(store.save(&record)).expect("first save");

    // The same bytes that the store writes, for the plain baseline.
    let bytes = fs::read(store.path_of(&record.id)).expect("stored file");
    let plain_folder = folder.path().join("plain");
    fs::create_dir(&plain_folder).expect("plain folder");
    let plain_path = plain_folder.join(record.id.to_string());
    let plain_temp = plain_folder.join(".tmp-plain");
    fs::write(&plain_path, &bytes).expect("first plain write");

    let mut group = criterion.benchmark_group("file_store");
    group.throughput(criterion::Throughput::Bytes(bytes.len() as u64));

    group.bench_function("plain_write_then_rename", |bencher| {
        bencher.iter(|| {
            fs::write(&plain_temp, &bytes).expect("write");
            fs::rename(&plain_temp, &plain_path).expect("rename");
        });
    });
    // The same two calls through Tokio's blocking pool, as FileStore::save
    // makes them, to show what the hop to a pool thread costs.
    let shared = Arc::new((bytes.clone(), plain_temp.clone(), plain_path.clone()));
    group.bench_function("plain_write_then_rename_blocking_pool", |bencher| {
        bencher.to_async(&runtime).iter(|| {
            let shared = shared.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    let (bytes, temp, path) = &*shared;
                    fs::write(temp, bytes).expect("write");
                    fs::rename(temp, path).expect("rename");
                })
                .await
                .expect("blocking task")
            }
        });
    });
    group.bench_function("save", |bencher| {
        bencher
            .to_async(&runtime)
            .iter(|| async { store.save(&record).await.expect("save") });
    });
    group.bench_function("plain_read", |bencher| {
        bencher.iter(|| fs::read(&plain_path).expect("read"));
    });
    group.bench_function("load", |bencher| {
        bencher.to_async(&runtime).iter(|| async {
            store
                .load(&record.id)
                .await
                .expect("load")
                .expect("record exists")
        });
    });
    group.finish();
}

criterion_group!(benches, bench_save);
criterion_main!(benches);
