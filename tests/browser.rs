//! Real-browser tests: headless Chromium through WebDriver against the real
//! `chezsoi serve` on a temp database. Without Chromium locally they print
//! "skipped"; under CI=true they must run.

#[path = "support/browser.rs"]
mod browser;
mod common;

use std::time::Duration;

use browser::{axe_violations, find};
use common::{FixtureProject, Server};
use fantoccini::{Client, Locator, key::Key};

fn normalize(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn visible_questions(client: &Client) -> Vec<fantoccini::elements::Element> {
    let mut visible = Vec::new();
    for fieldset in client
        .find_all(Locator::Css("form.chezsoi-quiz fieldset.chezsoi-question"))
        .await
        .unwrap()
    {
        if fieldset.is_displayed().await.unwrap() {
            visible.push(fieldset);
        }
    }
    visible
}

/// Clicks the first choice of a question (its label, as a person does).
async fn answer_first_choice(fieldset: &fantoccini::elements::Element) {
    let label = fieldset.find(Locator::Css("label")).await.unwrap();
    label.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_searches_reads_takes_the_diagnostic_and_deletes_the_result() {
    let Some(mut driver) = browser::driver_or_skip("reader journey") else {
        return;
    };
    let fixture = FixtureProject::real();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let client = driver.session(true).await;

    client.goto(&format!("{}/", server.base_url)).await.unwrap();
    assert_eq!(
        find(&client, "main h1").await.text().await.unwrap(),
        "Avant-propos"
    );

    // Search the book.
    find(&client, "#search-toggle").await.click().await.unwrap();
    find(&client, "#searchbar")
        .await
        .send_keys("Viadeo")
        .await
        .unwrap();
    let hit = find(&client, "#searchresults li a").await;
    let header = find(&client, "#searchresults-header")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        header.contains("résultat"),
        "search summary not in French: {header}"
    );
    let target = hit
        .prop("href")
        .await
        .unwrap()
        .expect("a search hit is a link");
    hit.click().await.unwrap();
    let target = url::Url::parse(&target).unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&target)
        .await
        .expect("the search hit opens its page");
    let body = find(&client, "main").await.text().await.unwrap();
    assert!(
        body.contains("Viadeo"),
        "the search hit does not lead to a page that mentions Viadeo"
    );

    // The diagnostic, one question at a time.
    client
        .goto(&format!("{}/quiz/diagnostic", server.base_url))
        .await
        .unwrap();
    let total = client
        .find_all(Locator::Css("fieldset.chezsoi-question"))
        .await
        .unwrap()
        .len();
    assert!(total >= 10);
    for step in 0..total {
        let visible = visible_questions(&client).await;
        assert_eq!(
            visible.len(),
            1,
            "step {step}: exactly one question must be shown"
        );
        let progress = find(&client, ".chezsoi-progress-text")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            progress.starts_with(&format!("Question {} sur {total}", step + 1)),
            "{progress}"
        );
        answer_first_choice(&visible[0]).await;
        if step + 1 < total {
            client
                .find(Locator::XPath(
                    "//button[normalize-space()='Question suivante']",
                ))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    }
    find(&client, "form.chezsoi-quiz button[type=submit]")
        .await
        .click()
        .await
        .unwrap();

    let profile = find(&client, "h2#profil").await.text().await.unwrap();
    assert!(profile.starts_with("Votre profil"), "{profile}");
    let result_url = client.current_url().await.unwrap().to_string();
    assert!(result_url.contains("/r/"));
    let links = client
        .find_all(Locator::Css(".chezsoi-step a"))
        .await
        .unwrap();
    assert!(links.len() >= 3, "the plan has {} steps", links.len());
    let mut targets = Vec::new();
    for link in &links {
        let text = link.text().await.unwrap();
        let href = link.attr("href").await.unwrap().unwrap();
        targets.push((text.trim_start_matches("Lire : ").to_string(), href));
    }
    for (title, href) in targets.iter().take(3) {
        client
            .goto(&format!("{}{href}", server.base_url))
            .await
            .unwrap();
        let h1 = find(&client, "main h1").await.text().await.unwrap();
        assert_eq!(
            normalize(&h1),
            normalize(title),
            "{href} does not open the chapter it names"
        );
    }

    client.goto(&result_url).await.unwrap();
    find(&client, "button.chezsoi-danger")
        .await
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//main//h1[normalize-space()='Résultat supprimé']",
        ))
        .await
        .expect("deleting leads to the confirmation");
    client.goto(&result_url).await.unwrap();
    let gone = find(&client, "main").await.text().await.unwrap();
    assert!(gone.contains("n'existe pas"), "{gone}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diagnostic_works_without_javascript() {
    let Some(mut driver) = browser::driver_or_skip("diagnostic without JavaScript") else {
        return;
    };
    let fixture = FixtureProject::real();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let client = driver.session(false).await;
    client
        .goto(&format!("{}/quiz/diagnostic", server.base_url))
        .await
        .unwrap();
    let questions = visible_questions(&client).await;
    let total = client
        .find_all(Locator::Css("fieldset.chezsoi-question"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        questions.len(),
        total,
        "without JavaScript every question is on the page"
    );
    let progress = client
        .find(Locator::Css(".chezsoi-progress"))
        .await
        .unwrap();
    assert!(!progress.is_displayed().await.unwrap());
    for fieldset in &questions {
        answer_first_choice(fieldset).await;
    }
    find(&client, "form.chezsoi-quiz button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let profile = find(&client, "h2#profil").await.text().await.unwrap();
    assert!(profile.starts_with("Votre profil"), "{profile}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_quiz_control_works_with_the_keyboard_alone() {
    let Some(mut driver) = browser::driver_or_skip("keyboard") else {
        return;
    };
    let fixture = FixtureProject::real();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let client = driver.session(true).await;
    client
        .goto(&format!("{}/quiz/diagnostic", server.base_url))
        .await
        .unwrap();
    let total = client
        .find_all(Locator::Css("fieldset.chezsoi-question"))
        .await
        .unwrap()
        .len();
    for step in 0..total {
        // Tab until the focus is on a control of the visible question.
        let mut reached = false;
        for _ in 0..40 {
            client
                .active_element()
                .await
                .unwrap()
                .send_keys(&Key::Tab.to_string())
                .await
                .unwrap();
            let active = client.active_element().await.unwrap();
            let tag = active.tag_name().await.unwrap();
            if tag == "input" && active.is_displayed().await.unwrap() {
                reached = true;
                break;
            }
        }
        assert!(reached, "step {step}: no choice reachable with Tab");
        let active = client.active_element().await.unwrap();
        active.send_keys(" ").await.unwrap();
        assert!(
            active.is_selected().await.unwrap(),
            "step {step}: Space did not select the choice"
        );
        if step + 1 < total {
            active.send_keys(&Key::Enter.to_string()).await.unwrap();
            let progress = find(&client, ".chezsoi-progress-text")
                .await
                .text()
                .await
                .unwrap();
            assert!(
                progress.starts_with(&format!("Question {} sur", step + 2)),
                "Enter did not move on: {progress}"
            );
        }
    }
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let profile = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("h2#profil"))
        .await
        .expect("Enter on the last question submits the quiz");
    assert!(profile.text().await.unwrap().starts_with("Votre profil"));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_have_no_accessibility_violations_in_light_and_dark_themes() {
    let Some(mut driver) = browser::driver_or_skip("axe-core") else {
        return;
    };
    let Some(axe) = browser::axe_script_or_skip("axe-core") else {
        return;
    };
    let fixture = FixtureProject::real();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let client = driver.session(true).await;

    // A result page to audit.
    client
        .goto(&format!("{}/quiz/diagnostic", server.base_url))
        .await
        .unwrap();
    let total = client
        .find_all(Locator::Css("fieldset.chezsoi-question"))
        .await
        .unwrap()
        .len();
    for step in 0..total {
        answer_first_choice(&visible_questions(&client).await[0]).await;
        if step + 1 < total {
            client
                .find(Locator::XPath(
                    "//button[normalize-space()='Question suivante']",
                ))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    }
    find(&client, "form.chezsoi-quiz button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "h2#profil").await;
    let result = client.current_url().await.unwrap().path().to_string();

    let pages = [
        "/".to_string(),
        "/02-portee.html".to_string(),
        "/quiz/diagnostic".to_string(),
        "/quiz/verif-portee".to_string(),
        result,
    ];
    let mut report = Vec::new();
    for theme in ["light", "navy"] {
        client.goto(&format!("{}/", server.base_url)).await.unwrap();
        client
            .execute(
                &format!("localStorage.setItem('mdbook-theme', '{theme}');"),
                vec![],
            )
            .await
            .unwrap();
        for page in &pages {
            client
                .goto(&format!("{}{page}", server.base_url))
                .await
                .unwrap();
            find(&client, "main").await;
            for violation in axe_violations(&client, &axe).await {
                report.push(format!("[{theme}] {page}: {violation}"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} accessibility violations:\n{}",
        report.len(),
        report.join("\n")
    );
    client.close().await.unwrap();
}
