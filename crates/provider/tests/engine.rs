//! Locating / starting a container engine (needs Podman or Docker; CI installs Podman).

#[tokio::test]
async fn ensure_finds_or_starts_an_engine_that_answers() {
    if std::env::var_os("DCLOUD_SKIP_CONTAINER_TESTS").is_some() {
        eprintln!("DCLOUD_SKIP_CONTAINER_TESTS set: not testing the engine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let engine = dcloud_provider::cluster::engine::ensure(dir.path())
        .await
        .expect("a container engine (install podman and runc, see shared/notes/podman.md)");
    assert!(dcloud_provider::cluster::engine::answers(&engine.docker_host).await, "{engine:?}");
    if engine.child.is_some() {
        assert!(engine.docker_host.contains(&dir.path().display().to_string()));
        drop(engine);
    }
}

#[tokio::test]
async fn a_socket_with_nothing_behind_it_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/nothing.sock", dir.path().display());
    assert!(!dcloud_provider::cluster::engine::answers(&host).await);
    assert!(!dcloud_provider::cluster::engine::answers("ftp://example.invalid").await);
}
