//! Crash safety: the real server is killed with SIGKILL in the middle of a
//! burst of submissions — to a quiz, and to a workshop; after a restart,
//! every submission that received its redirect is there, intact, and the
//! database passes `integrity_check`.

mod support;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use chezsoi::store::Store;
use support::{FixtureProject, Server, http, valid_answers};

/// A submission the server acknowledged: its token and the fields sent.
type Acknowledged = Vec<(String, Vec<(String, String)>)>;

const WRITERS: usize = 16;
const PER_WRITER: usize = 400;
/// Kill once this many submissions have been acknowledged.
const KILL_AFTER: usize = 200;

#[test]
fn every_acknowledged_result_survives_a_kill_9() {
    burst_then_kill(Target::Quiz);
}

#[test]
fn every_acknowledged_workshop_answer_survives_a_kill_9() {
    burst_then_kill(Target::Workshop);
}

enum Target {
    Quiz,
    Workshop,
}

fn burst_then_kill(target: Target) {
    let fixture = FixtureProject::real();
    let db = fixture.path("data/crash.db");
    let quiz = fixture.quiz("diagnostic");

    // One client sends the whole burst to one workshop: lift the flood
    // limits, or the burst would end in 429s before the kill.
    let mut server = Server::start(
        fixture.root(),
        &db,
        &[
            "--participation-limit",
            "1000000",
            "--workshop-limit",
            "1000000",
        ],
    );
    let addr = server.addr();
    let (path, workshop) = match target {
        Target::Quiz => ("/quiz/diagnostic".to_string(), None),
        Target::Workshop => {
            let reply = server.post_form(
                "/atelier/nouveau",
                &[
                    ("titre", "Atelier interrompu"),
                    ("questionnaire", "diagnostic"),
                    ("minimum", "3"),
                ],
            );
            assert_eq!(reply.status, 303, "{}", reply.text());
            let page = server.get(reply.header("location").unwrap()).text();
            let code: String = page
                .split_once("class=\"chezsoi-join-code-inline\">")
                .and_then(|(_, rest)| rest.split_once('<'))
                .map(|(code, _)| code.replace(' ', ""))
                .expect("the join code");
            (format!("/a/{code}"), Some(code))
        }
    };
    let acknowledged: Arc<Mutex<Acknowledged>> = Arc::default();
    let (acks, ack_count) = mpsc::channel::<()>();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let addr = addr.clone();
            let quiz = quiz.clone();
            let path = path.clone();
            let workshop = workshop.clone();
            let acknowledged = acknowledged.clone();
            let acks = acks.clone();
            std::thread::spawn(move || {
                for i in 0..PER_WRITER {
                    let mut fields = valid_answers(&quiz, (w + i) % 5);
                    if let Some(code) = &workshop {
                        fields.push(("atelier".to_string(), code.clone()));
                    }
                    // Every form its own nonce, as every page has.
                    fields.push(("envoi".to_string(), format!("{w:016x}{i:016x}")));
                    let body = serde_urlencoded::to_string(&fields).unwrap();
                    let reply = http(
                        &addr,
                        "POST",
                        &path,
                        &[("Content-Type", "application/x-www-form-urlencoded")],
                        body.as_bytes(),
                    );
                    match reply {
                        Ok(reply) if reply.status == 303 => {
                            let token = reply
                                .header("location")
                                .unwrap()
                                .trim_start_matches("/r/")
                                .to_string();
                            acknowledged.lock().unwrap().push((token, fields));
                            let _ = acks.send(());
                        }
                        // The server died under us: stop, as a browser would.
                        _ => break,
                    }
                }
            })
        })
        .collect();
    drop(acks);
    for _ in 0..KILL_AFTER {
        ack_count
            .recv()
            .expect("the burst acknowledges submissions before the kill");
    }
    server.kill(); // SIGKILL: no shutdown, no flush.
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(acknowledged.len() >= KILL_AFTER);
    assert!(
        acknowledged.len() < WRITERS * PER_WRITER,
        "the kill came after the burst ended; nothing was tested"
    );

    let server = Server::start(fixture.root(), &db, &[]);
    let addr = server.addr();
    for (token, fields) in &acknowledged {
        let reply = http(&addr, "GET", &format!("/r/{token}/reponses.json"), &[], b"").unwrap();
        assert_eq!(
            reply.status, 200,
            "acknowledged result {token} lost after the crash"
        );
        let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        for (name, value) in fields.iter().filter(|(n, _)| n.starts_with("q-")) {
            let stored = &json["answers"][&name[2..]];
            let matches = stored
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == value.as_str()))
                || stored.as_i64().is_some_and(|n| n.to_string() == *value);
            assert!(
                matches,
                "{token}: answer to {name} changed: {stored} instead of {value}"
            );
        }
    }
    drop(server);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(store.count_results().unwrap() as usize >= acknowledged.len());
    if workshop.is_some() {
        let in_workshops: i64 = store
            .with_writer(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM results WHERE workshop_id IS NOT NULL",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert!(
            in_workshops as usize >= acknowledged.len(),
            "acknowledged workshop answers stored outside their workshop"
        );
    }
}
