//! Real-browser tests: headless Chromium through WebDriver against the real
//! `chezsoi serve` on a temp database. Without Chromium locally they print
//! "skipped"; under CI=true they must run.

#[allow(dead_code)] // each test binary uses part of it
#[path = "support/browser.rs"]
mod browser;
mod support;

use std::time::Duration;
use support::or_skip;

use browser::{
    Site, axe_violations, click, count, find, press, text, type_in, wait_for, wait_for_url,
    wait_within,
};
use fantoccini::{Client, Locator, key::Key};
use support::Server;

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
    let (site, client) = or_skip!(Site::visit_or_skip("reader journey", true, "/").await);
    assert_eq!(text(&client, "main h1").await, "Avant-propos");

    // Search the book.
    click(&client, "#search-toggle").await;
    type_in(&client, "#searchbar", "Viadeo").await;
    let hit = find(&client, "#searchresults li a").await;
    let header = text(&client, "#searchresults-header").await;
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
    wait_for_url(&client, &target, "the search hit opens its page").await;
    let body = text(&client, "main").await;
    assert!(
        body.contains("Viadeo"),
        "the search hit does not lead to a page that mentions Viadeo"
    );

    // The diagnostic, one question at a time.
    site.open(&client, "/quiz/diagnostic").await;
    assert!(count(&client, "fieldset.chezsoi-question").await >= 10);
    take_quiz_with_first_choices(&client).await;
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
            .goto(&format!("{}{href}", site.server.base_url))
            .await
            .unwrap();
        let h1 = text(&client, "main h1").await;
        assert_eq!(
            normalize(&h1),
            normalize(title),
            "{href} does not open the chapter it names"
        );
    }

    client.goto(&result_url).await.unwrap();
    click(&client, "form.chezsoi-delete button.chezsoi-danger").await;
    click(&client, "dialog[open] button.chezsoi-danger").await;
    wait_for(
        &client,
        Locator::XPath("//main//h1[normalize-space()='Résultat supprimé']"),
        "deleting leads to the confirmation",
    )
    .await;
    client.goto(&result_url).await.unwrap();
    let gone = text(&client, "main").await;
    assert!(gone.contains("n’existe pas"), "{gone}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diagnostic_works_without_javascript() {
    let (_site, client) = or_skip!(
        Site::visit_or_skip("diagnostic without JavaScript", false, "/quiz/diagnostic").await
    );
    let questions = visible_questions(&client).await;
    let total = count(&client, "fieldset.chezsoi-question").await;
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
    click(&client, "form.chezsoi-quiz button[type=submit]").await;
    let profile = text(&client, "h2#profil").await;
    assert!(profile.starts_with("Votre profil"), "{profile}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_quiz_control_works_with_the_keyboard_alone() {
    let (_site, client) = or_skip!(Site::visit_or_skip("keyboard", true, "/quiz/diagnostic").await);
    let total = count(&client, "fieldset.chezsoi-question").await;
    for step in 0..total {
        // Tab until the focus is on a control of the visible question.
        let mut reached = false;
        for _ in 0..40 {
            press(&client, Key::Tab).await;
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
            let progress = text(&client, ".chezsoi-progress-text").await;
            assert!(
                progress.starts_with(&format!("Question {} sur", step + 2)),
                "Enter did not move on: {progress}"
            );
        }
    }
    press(&client, Key::Enter).await;
    let profile = wait_for(
        &client,
        Locator::Css("h2#profil"),
        "Enter on the last question submits the quiz",
    )
    .await;
    assert!(profile.text().await.unwrap().starts_with("Votre profil"));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_have_no_accessibility_violations_in_light_and_dark_themes() {
    let mut site = or_skip!(Site::start_or_skip("axe-core"));
    let axe = or_skip!(browser::axe_script_or_skip("axe-core"));
    let client = site.session(true).await;

    // A result page to audit.
    site.open(&client, "/quiz/diagnostic").await;
    take_quiz_with_first_choices(&client).await;
    let result = browser::path(&client).await;

    // Workshops in each state the projector shows: waiting for answers,
    // enough answers to reveal, revealed (a self-assessment and a
    // knowledge check).
    let content = site.fixture.content();
    let waiting = site
        .server
        .create_workshop("Atelier en attente", "diagnostic", 3);
    let (ready, ready_code, ready_manage) =
        site.server
            .create_workshop("Atelier complet", "diagnostic", 3);
    let (revealed, revealed_code, _) =
        site.server
            .create_workshop("Atelier révélé", "diagnostic", 3);
    let (knowledge, knowledge_code, _) =
        site.server
            .create_workshop("Atelier de connaissances", "verif-portee", 3);
    for (code, quiz) in [
        (&ready_code, "diagnostic"),
        (&revealed_code, "diagnostic"),
        (&knowledge_code, "verif-portee"),
    ] {
        let quiz = content.catalog.get(quiz).unwrap();
        for pick in 0..3 {
            answer_over_http(&site.server, quiz, code, pick);
        }
    }
    site.server.reveal(&revealed);
    site.server.reveal(&knowledge);

    let mut pages = vec!["/".to_string(), "/02-portee.html".to_string()];
    pages.extend(browser::app_pages(result, &waiting));
    pages.extend([ready_manage, ready, revealed, knowledge]);
    let mut report = Vec::new();
    for theme in ["light", "navy"] {
        site.open(&client, "/").await;
        browser::choose_theme(&client, theme).await;
        for page in &pages {
            client
                .goto(&format!("{}{page}", site.server.base_url))
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

// ---------------------------------------------------------------- workshops

/// How long the live count may take to reach the projector (the answer is
/// stored, then announced over server-sent events).
const LIVE: Duration = Duration::from_secs(15);

/// Answers a self-assessment shown one question at a time, with its
/// progress ("Question 2 sur 12"), choosing the first choice of each, and
/// submits it; returns once the result page is shown.
async fn take_quiz_with_first_choices(client: &Client) {
    find(client, "form.chezsoi-quiz fieldset.chezsoi-question").await;
    let total = count(client, "fieldset.chezsoi-question").await;
    assert!(total >= 2, "the quiz has {total} questions");
    for step in 0..total {
        let visible = visible_questions(client).await;
        assert_eq!(visible.len(), 1, "step {step}: one question at a time");
        let progress = text(client, ".chezsoi-progress-text").await;
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
    click(client, "form.chezsoi-quiz button[type=submit]").await;
    let profile = text(client, "h2#profil").await;
    assert!(profile.starts_with("Votre profil"), "{profile}");
}

/// Waits (bounded) until the projector's live count shows `count`.
async fn wait_for_count(client: &Client, count: usize) {
    client
        .wait()
        .at_most(LIVE)
        .for_element(Locator::XPath(&format!(
            "//strong[@data-count][normalize-space()='{count}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the live count did not reach {count} without a reload: {e}"));
}

/// Waits (at most `LIVE`) for the projector's reveal button to become
/// usable; `what` is what the test says if it stays disabled.
async fn usable_reveal_button(client: &Client, what: &str) -> fantoccini::elements::Element {
    wait_within(
        client,
        Locator::Css("button[data-reveal]:not([disabled])"),
        LIVE,
        what,
    )
    .await
}

/// Joins a workshop as a person does: `typed` in the join form of the home
/// page, which must lead to `join_url`.
async fn join_from_home(
    site: &Site,
    client: &Client,
    typed: &str,
    join_url: &url::Url,
    what: &str,
) {
    site.open(client, "/").await;
    type_in(client, "form.chezsoi-join input[name=code]", typed).await;
    click(client, "form.chezsoi-join button[type=submit]").await;
    wait_for_url(client, join_url, what).await;
}

/// The marker a test leaves on a page: gone if the page was reloaded.
const MARKER: &str = "la même page, sans rechargement";

async fn set_marker(client: &Client) {
    client
        .execute(
            &format!("window.chezsoiTestMarker = '{MARKER}'; return true;"),
            vec![],
        )
        .await
        .unwrap();
}

async fn assert_marker(client: &Client, when: &str) {
    let marker = client
        .execute("return window.chezsoiTestMarker || null;", vec![])
        .await
        .unwrap();
    assert_eq!(
        marker.as_str(),
        Some(MARKER),
        "{when}: the projector page was reloaded or left"
    );
}

/// Posts a participant's answers to `/a/{code}` over plain HTTP, as the
/// workshop's form sends them: the quiz version, the workshop's code and
/// one field per question.
fn answer_over_http(server: &Server, quiz: &chezsoi::quiz::Quiz, code: &str, pick: usize) {
    let result = server.answer(&format!("/a/{code}"), quiz, pick);
    assert!(result.starts_with("/r/"), "an answer leads to its result");
}

/// For each chart of the group's results, the figures its SVG shows and
/// the rows of the table next to it.
#[derive(serde::Deserialize, Debug)]
struct ChartAndTable {
    labels: Vec<String>,
    values: Vec<String>,
    rows: Option<Vec<Vec<String>>>,
}

async fn charts_and_tables(client: &Client) -> Vec<ChartAndTable> {
    let found = client
        .execute(
            r#"return Array.from(document.querySelectorAll('#resultats figure.chezsoi-figure')).map(function (figure) {
                   var svg = figure.querySelector('svg');
                   var table = null;
                   for (var next = figure.nextElementSibling; next && !table; next = next.nextElementSibling) {
                       table = next.tagName === 'TABLE' ? next : next.querySelector('table');
                   }
                   var texts = function (css) {
                       return Array.from(figure.querySelectorAll(css)).map(function (t) { return t.textContent; });
                   };
                   return {
                       labels: texts('.chezsoi-chart-label'),
                       values: texts('.chezsoi-chart-value'),
                       rows: table ? Array.from(table.tBodies[0].rows).map(function (row) {
                           return Array.from(row.cells).map(function (cell) { return cell.textContent.trim(); });
                       }) : null
                   };
               });"#,
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// The chart's labels and figures are the table's, row for row.
fn assert_chart_matches_table(index: usize, chart: &ChartAndTable) {
    let rows = chart
        .rows
        .as_ref()
        .unwrap_or_else(|| panic!("chart {index} has no table next to it"));
    assert!(!chart.values.is_empty(), "chart {index} draws nothing");
    // A row of three cells is a share (label, count, percent); of four, a
    // spread (label, mean, lowest, highest). Dimensions without an answer
    // are in the table only.
    let expected: Vec<(String, String)> = rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [label, count, percent] => Some((label.clone(), format!("{count} · {percent}"))),
            [label, mean, min, max] => Some((label.clone(), format!("{mean} ({min}–{max})"))),
            _ => None,
        })
        .collect();
    let drawn: Vec<(String, String)> = chart
        .labels
        .iter()
        .cloned()
        .zip(chart.values.iter().map(|v| normalize(v)))
        .collect();
    assert_eq!(
        drawn.len(),
        expected.len(),
        "chart {index}: {drawn:?} vs table {expected:?}"
    );
    for ((label, value), (row_label, row_value)) in drawn.iter().zip(&expected) {
        assert_eq!(
            value,
            &normalize(row_value),
            "chart {index}: figures differ for {row_label}"
        );
        let same_label = match label.strip_suffix('…') {
            Some(cut) => row_label.starts_with(cut),
            None => label == row_label,
        };
        assert!(
            same_label,
            "chart {index}: label {label:?} vs table {row_label:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workshop_runs_live_between_a_projector_and_a_participant() {
    // The facilitator creates the workshop from the site.
    let (mut site, facilitator) =
        or_skip!(Site::visit_or_skip("workshop flow", true, "/atelier/nouveau").await);
    let quiz = site.fixture.quiz("diagnostic");
    type_in(
        &facilitator,
        "#titre",
        "Atelier d'essai — Maison des associations",
    )
    .await;
    find(&facilitator, "#questionnaire")
        .await
        .select_by_value("diagnostic")
        .await
        .unwrap();
    let minimum = find(&facilitator, "#minimum").await;
    minimum.clear().await.unwrap();
    minimum.send_keys("3").await.unwrap();
    click(
        &facilitator,
        "form.chezsoi-workshop-form button[type=submit]",
    )
    .await;

    // The management page: the secret link, and the way to the projector.
    let secret = find(&facilitator, "#lien-animation")
        .await
        .prop("value")
        .await
        .unwrap()
        .expect("the facilitator link is shown");
    let manage_url = facilitator.current_url().await.unwrap();
    assert!(
        manage_url.path().ends_with("/gestion"),
        "creating leads to the management page: {manage_url}"
    );
    let secret = url::Url::parse(&secret).unwrap();
    assert_eq!(
        format!("{}/gestion", secret.path()),
        manage_url.path(),
        "the facilitator link is the management page's base"
    );
    let management = text(&facilitator, "main").await;
    assert!(management.contains("Questionnaire : "), "{management}");
    facilitator
        .find(Locator::XPath(
            "//a[normalize-space()='Ouvrir la vue à projeter']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_count(&facilitator, 0).await;
    let projector_url = facilitator.current_url().await.unwrap();
    assert!(
        projector_url.path().starts_with("/projection/"),
        "the view to project: {projector_url}"
    );
    let private_key = secret.path().rsplit('/').next().unwrap().to_string();
    assert!(
        !projector_url.as_str().contains(&private_key),
        "the projected address holds the private key"
    );
    let projected = facilitator.source().await.unwrap();
    assert!(
        !projected.contains(&private_key),
        "the private key on screen"
    );
    let shown_code = text(&facilitator, ".chezsoi-join-code").await;
    let code: String = shown_code.split_whitespace().collect();
    assert_eq!(code.len(), 6, "join code {shown_code:?}");
    // The projector's own styles apply on screen: no site header, and a
    // join code readable from the back of the room.
    let styles = facilitator
        .execute(
            r#"var code = getComputedStyle(document.querySelector('.chezsoi-join-code'));
               var header = getComputedStyle(document.querySelector('.chezsoi-app-header'));
               return [header.display, code.fontWeight, parseFloat(code.fontSize)];"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styles[0], "none", "the projector shows the site header");
    assert_eq!(styles[1], "800", "the join code is not bold: {styles}");
    assert!(
        styles[2].as_f64().is_some_and(|size| size >= 60.0),
        "the join code is small: {styles}"
    );
    let needed = text(&facilitator, "[data-needed]").await;
    assert!(needed.contains("Il manque encore 3 réponses"), "{needed}");
    set_marker(&facilitator).await;

    // A participant, in an independent browser, joins from the home page
    // with the code typed in lowercase, and answers.
    let participant = site.session(true).await;
    let join_url = url::Url::parse(&format!("{}/a/{code}", site.server.base_url)).unwrap();
    join_from_home(
        &site,
        &participant,
        &shown_code.to_lowercase(),
        &join_url,
        "the code typed in lowercase on the home page opens the workshop's quiz",
    )
    .await;
    let banner = text(&participant, ".chezsoi-workshop-banner").await;
    assert!(banner.contains("Maison des associations"), "{banner}");
    take_quiz_with_first_choices(&participant).await;
    let result = text(&participant, "main").await;
    assert!(result.contains("donné dans un atelier"), "{result}");

    // The projector counts it, live.
    wait_for_count(&facilitator, 1).await;
    assert_marker(&facilitator, "after the first answer").await;
    assert_eq!(facilitator.current_url().await.unwrap(), projector_url);
    let word = text(&facilitator, "[data-count-word]").await;
    assert_eq!(word, "réponse");
    let needed = text(&facilitator, "[data-needed]").await;
    assert!(needed.contains("Il manque encore 2 réponses"), "{needed}");

    // Below the minimum, revealing is refused: the button does nothing,
    // and the server itself says how many answers are still needed.
    let reveal = find(&facilitator, "button[data-reveal]").await;
    assert!(
        !reveal.is_enabled().await.unwrap(),
        "reveal is usable below the minimum"
    );
    facilitator
        .execute(
            r#"document.querySelector('button[data-reveal]').form.addEventListener('submit', function () {
                   window.chezsoiRevealSent = true;
               });
               return true;"#,
            vec![],
        )
        .await
        .unwrap();
    // A click on a disabled button does nothing (WebDriver may or may not
    // report it): what matters is that nothing is sent and the page stays.
    let _ = reveal.click().await;
    let sent = facilitator
        .execute("return window.chezsoiRevealSent || false;", vec![])
        .await
        .unwrap();
    assert_eq!(sent, false, "the disabled reveal button submitted its form");
    assert_marker(&facilitator, "after clicking reveal below the minimum").await;
    let needed = text(&facilitator, "[data-needed]").await;
    assert!(needed.contains("Il manque encore 2 réponses"), "{needed}");
    assert!(
        count(&facilitator, "#resultats").await == 0,
        "results shown below the minimum"
    );
    let refused = facilitator
        .execute_async(
            r#"var done = arguments[arguments.length - 1];
               var form = document.querySelector('button[data-reveal]').form;
               fetch(form.action, { method: 'POST', redirect: 'manual' })
                   .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); })
                   .catch(function (e) { done(['failed', String(e)]); });"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused[0], 409, "an early reveal is refused: {refused}");
    assert!(
        refused[1]
            .as_str()
            .is_some_and(|page| page.contains("Il manque encore 2\u{a0}réponses")),
        "the refusal says how many answers are missing"
    );
    assert_marker(&facilitator, "after the refused reveal").await;

    // The same participant joins again from the home page (a second
    // person on the same phone), then a third answers over plain HTTP.
    join_from_home(
        &site,
        &participant,
        &code.to_lowercase(),
        &join_url,
        "joining again",
    )
    .await;
    take_quiz_with_first_choices(&participant).await;
    wait_for_count(&facilitator, 2).await;
    answer_over_http(&site.server, &quiz, &code, 3);
    wait_for_count(&facilitator, 3).await;
    let word = text(&facilitator, "[data-count-word]").await;
    assert_eq!(word, "réponses");

    // Enough answers: the button becomes usable without a reload.
    let reveal = usable_reveal_button(&facilitator, "reveal becomes usable at the minimum").await;
    let needed = text(&facilitator, "[data-needed]").await;
    assert!(needed.starts_with("Assez de réponses"), "{needed}");
    assert_marker(&facilitator, "after the third answer").await;
    reveal.click().await.unwrap();

    // The group's results: charts, each with a table of the same figures.
    assert_three_answers_revealed(&facilitator, "revealing shows the group's results").await;
    let revealed_url = facilitator.current_url().await.unwrap();
    assert_eq!(revealed_url.path(), projector_url.path());
    assert_eq!(revealed_url.fragment(), Some("resultats"));
    let charts = charts_and_tables(&facilitator).await;
    // Profiles, dimensions, first actions, then one per question.
    assert_eq!(
        charts.len(),
        3 + quiz.questions.len(),
        "one chart per block and per question"
    );
    for (index, chart) in charts.iter().enumerate() {
        assert_chart_matches_table(index, chart);
    }
    let profiles: usize = charts[0]
        .rows
        .as_ref()
        .unwrap()
        .iter()
        .map(|row| row[1].parse::<usize>().unwrap())
        .sum();
    assert_eq!(profiles, 3, "every participant has a profile");
    let drawn = facilitator
        .find_all(Locator::Css("#resultats .chezsoi-chart"))
        .await
        .unwrap();
    assert_eq!(drawn.len(), charts.len());
    for chart in &drawn {
        assert!(chart.is_displayed().await.unwrap(), "a chart is hidden");
    }
    participant.close().await.unwrap();
    facilitator.close().await.unwrap();
}

/// Waits (bounded) for the group's results of a workshop of three
/// answers; `what` is what the test says if they never come.
async fn assert_three_answers_revealed(client: &Client, what: &str) {
    let heading = wait_for(client, Locator::Css("#resultats h2"), what).await;
    assert_eq!(
        normalize(&heading.text().await.unwrap()),
        "Résultats du groupe : 3 réponses"
    );
}

/// While the server is down behind a proxy, the proxy answers 502: this
/// stands in for it on `addr` until `stop` is dropped (then join the
/// thread, which frees the address), and says when it answered a request.
fn bad_gateway(
    addr: &str,
) -> (
    std::sync::mpsc::Receiver<()>,
    std::sync::mpsc::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind(addr).expect("the address is free again");
    listener.set_nonblocking(true).unwrap();
    let (answered, answers) = std::sync::mpsc::channel();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        loop {
            if !matches!(
                stopped.try_recv(),
                Err(std::sync::mpsc::TryRecvError::Empty)
            ) {
                return;
            }
            match listener.accept() {
                Ok((mut stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    let mut request = [0u8; 2048];
                    let _ = stream.read(&mut request);
                    let _ = stream.write_all(
                        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    let _ = answered.send(());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (answers, stop, thread)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_projector_reconnects_by_itself_after_a_restart() {
    let mut site = or_skip!(Site::start_or_skip("projector reconnection"));
    let quiz = site.fixture.quiz("diagnostic");
    let (projection, code, _) =
        site.server
            .create_workshop("Atelier qui redémarre", "diagnostic", 3);
    let client = site.session(true).await;
    site.open(&client, &projection).await;
    wait_for_count(&client, 0).await;
    set_marker(&client).await;
    answer_over_http(&site.server, &quiz, &code, 0);
    wait_for_count(&client, 1).await;

    // The server stops as systemd stops it; meanwhile a proxy would answer
    // 502, which makes the browser give up its event stream for good.
    let addr = site.server.addr();
    site.server
        .terminate_within(Duration::from_secs(10))
        .expect("the server stops");
    let (answers, stop, thread) = bad_gateway(&addr);
    answers
        .recv_timeout(Duration::from_secs(60))
        .expect("the projector tries to reconnect");
    drop(stop);
    thread.join().unwrap();
    // A new server on the same address, the same database.
    site.server = Server::start_at(
        &addr,
        site.fixture.root(),
        &site.fixture.path("data/t.db"),
        &[],
    );
    answer_over_http(&site.server, &quiz, &code, 1);
    answer_over_http(&site.server, &quiz, &code, 2);
    // The page's own retries (1 s, 2 s, 4 s… at most 30 s) find it: a
    // bound, not a speed.
    wait_within(
        &client,
        Locator::XPath("//strong[@data-count][normalize-space()='3']"),
        Duration::from_secs(90),
        "the live count came back without a reload",
    )
    .await;
    assert_marker(&client, "after the restart").await;
    usable_reveal_button(&client, "reveal usable at the minimum, no reload").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workshop_form_and_the_reveal_button_work_with_the_keyboard_alone() {
    let (site, client) =
        or_skip!(Site::visit_or_skip("workshop keyboard", true, "/atelier/nouveau").await);
    find(&client, "#titre").await;
    let quiz = site.fixture.quiz("diagnostic");

    /// Presses Tab until the focused element matches `css`; returns it.
    async fn tab_to(client: &Client, css: &str) -> fantoccini::elements::Element {
        for _ in 0..40 {
            press(client, Key::Tab).await;
            let reached = client
                .execute(
                    "return document.activeElement.matches(arguments[0]);",
                    vec![serde_json::json!(css)],
                )
                .await
                .unwrap();
            if reached == serde_json::json!(true) {
                return client.active_element().await.unwrap();
            }
        }
        panic!("{css} cannot be reached with Tab");
    }

    let title = tab_to(&client, "#titre").await;
    title.send_keys("Atelier au clavier").await.unwrap();
    let select = tab_to(&client, "#questionnaire").await;
    // The arrow keys change the choice of a focused list.
    select.send_keys(&Key::Down.to_string()).await.unwrap();
    let moved = select.prop("value").await.unwrap();
    select.send_keys(&Key::Up.to_string()).await.unwrap();
    assert_ne!(
        moved.as_deref(),
        Some("diagnostic"),
        "Down changes the quiz"
    );
    assert_eq!(
        select.prop("value").await.unwrap().as_deref(),
        Some("diagnostic"),
        "Up brings the diagnostic back"
    );
    let minimum = tab_to(&client, "#minimum").await;
    minimum
        .send_keys(&format!("{}3", Key::Backspace))
        .await
        .unwrap();
    assert_eq!(minimum.prop("value").await.unwrap().as_deref(), Some("3"));
    let submit = tab_to(&client, "form.chezsoi-workshop-form button[type=submit]").await;
    submit.send_keys(&Key::Enter.to_string()).await.unwrap();
    find(&client, "#lien-animation").await;
    assert!(
        browser::path(&client).await.ends_with("/gestion"),
        "Enter on the button creates the workshop"
    );
    let page = normalize(&text(&client, "main").await);
    assert!(page.contains("Atelier au clavier"), "{page}");
    assert!(
        page.contains("Questionnaire : Où en êtes-vous avec les réseaux sociaux"),
        "{page}"
    );
    assert!(page.contains("résultats du groupe à partir de 3"), "{page}");

    let open = tab_to(&client, "a.chezsoi-button").await;
    open.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for_count(&client, 0).await;
    let code: String = text(&client, ".chezsoi-join-code")
        .await
        .split_whitespace()
        .collect();
    for pick in 0..3 {
        answer_over_http(&site.server, &quiz, &code, pick);
    }
    wait_for_count(&client, 3).await;
    usable_reveal_button(&client, "reveal becomes usable at the minimum").await;
    let reveal = tab_to(&client, "button[data-reveal]").await;
    reveal.send_keys(" ").await.unwrap();
    assert_three_answers_revealed(
        &client,
        "Space on the reveal button shows the group's results",
    )
    .await;
    client.close().await.unwrap();
}

/// mdBook's search script cancels every form submission on a book page;
/// the book's own forms must submit anyway.
#[tokio::test(flavor = "multi_thread")]
async fn the_quiz_embedded_in_its_chapter_submits() {
    let (_site, client) =
        or_skip!(Site::visit_or_skip("embedded quiz", true, "/05-action/diagnostic.html").await);
    take_quiz_with_first_choices(&client).await;
    assert!(
        browser::path(&client).await.starts_with("/r/"),
        "the chapter's quiz leads to its result"
    );
    client.close().await.unwrap();
}

/// Back after « Supprimer ce résultat » must not show the deleted result
/// again: the result page is `Cache-Control: no-store`, which keeps it out
/// of the back/forward cache (`Clear-Site-Data` on the deletion evicts it
/// where a browser would keep such pages). With and without JavaScript.
#[tokio::test(flavor = "multi_thread")]
async fn back_after_deleting_a_result_does_not_show_it_again() {
    let mut site = or_skip!(Site::start_or_skip("back after deleting a result"));
    for javascript in [true, false] {
        let client = site.session(javascript).await;
        if javascript {
            // The control: this browser does keep ordinary pages in its
            // back/forward cache, so what follows is a real test of it.
            site.open(&client, "/").await;
            set_marker(&client).await;
            site.open(&client, "/01-incontournables.html").await;
            client.back().await.unwrap();
            find(&client, "main h1").await;
            assert_marker(&client, "a book page after Back").await;
        }
        site.open(&client, "/quiz/diagnostic").await;
        if javascript {
            take_quiz_with_first_choices(&client).await;
        } else {
            for fieldset in &visible_questions(&client).await {
                answer_first_choice(fieldset).await;
            }
            click(&client, "form.chezsoi-quiz button[type=submit]").await;
        }
        let profile = text(&client, "h2#profil").await;
        assert!(profile.starts_with("Votre profil"), "{profile}");
        // Deleting asks first: in a dialog with JavaScript, on a page of its
        // own without.
        click(&client, "button.chezsoi-danger").await;
        let confirm = if javascript {
            "//dialog//button[normalize-space()='Supprimer définitivement']"
        } else {
            "//main//form[not(ancestor::dialog)]//button[normalize-space()='Supprimer définitivement']"
        };
        wait_for(
            &client,
            Locator::XPath(confirm),
            "deleting asks for confirmation",
        )
        .await
        .click()
        .await
        .unwrap();
        wait_for(
            &client,
            Locator::XPath("//main//h1[normalize-space()='Résultat supprimé']"),
            "deleting leads to the confirmation",
        )
        .await;
        client.back().await.unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//main[contains(., 'n’existe pas')]"))
            .await
            .unwrap_or_else(|_| {
                panic!("JavaScript {javascript}: Back showed the deleted result again")
            });
        client.close().await.unwrap();
    }
}
