//! Uninstall from the tablet: the local refusals (bad personnummer; stamps queued and no
//! server), and, against the server, the signed request and the wipe.

mod common;

use chrono::Duration;
use clock_core::{identity, Clock, CoreError};
use common::{enrolled_kiosk, TestServer, ADMIN_PNR};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_with_unsynced_stamps_the_tablet_refuses_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let kdir = dir.path().join("kiosk");
    let k = enrolled_kiosk(&kdir, clock.clone(), &server, &seed, &server.url()).await;
    let who = k.identify("101", "1111").unwrap();
    k.start(&who, Some(seed.links[0]), None).unwrap();
    clock.advance(Duration::minutes(5));
    k.stop(&who).unwrap();
    server.kill();

    assert_eq!(k.uninstall("not a number").await.unwrap_err().code(), "invalid_personnummer", "checked on the tablet first");
    let e = k.uninstall(ADMIN_PNR).await.unwrap_err();
    assert!(matches!(e, CoreError::UnsyncedOffline { pending: 2 }), "{e:?}");
    assert!(e.to_string().contains("2 stamps"), "says why: {e}");
    assert!(!e.to_string().contains("9876"), "never repeats the personnummer");
    assert_eq!(k.store().pending_count().unwrap(), 2);
    assert!(identity::load_key(&kdir).unwrap().is_some(), "the key stays");
    assert!(k.device().is_ok(), "still enrolled");
    assert!(k.identify("101", "1111").is_ok(), "and still working");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uninstall_syncs_first_then_wipes_the_key_and_synced_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let kdir = dir.path().join("kiosk");
    let k = enrolled_kiosk(&kdir, clock.clone(), &server, &seed, &server.url()).await;
    let who = k.identify("101", "1111").unwrap();
    k.start(&who, Some(seed.links[0]), None).unwrap();

    let staff_pnr = "19900101-0017";
    match k.uninstall(staff_pnr).await {
        // The server's uninstall endpoint: a valid number of someone not authorised is refused.
        Err(CoreError::NotAuthorised) | Err(CoreError::InvalidPersonnummer) => {}
        other => panic!("unexpected answer for a staff personnummer: {other:?}"),
    }
    assert_eq!(server.count("accepted"), 1, "the final sync ran before the uninstall");
    let done = k.uninstall(ADMIN_PNR).await.unwrap();
    assert_eq!(done.kept_events, 0);
    assert!(identity::load_key(&kdir).unwrap().is_none(), "the key is gone");
    assert!(matches!(k.device(), Err(CoreError::NotEnrolled)), "back to enrolment");
    assert!(k.store().all_events().unwrap().is_empty(), "synced data wiped");
    assert_eq!(k.identify("101", "1111").unwrap_err().code(), "not_enrolled");
    // It can be enrolled again.
    let code = server.enrolment_code(seed.org).await;
    k.enrol(&server.url(), &code).await.unwrap();
}
