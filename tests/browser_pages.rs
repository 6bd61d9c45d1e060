//! The application's pages where they are used, in a real browser (headless
//! Chromium through WebDriver, the screen emulated to the pixel): phones of
//! 320 and 390 px for participants, 1920×1080 for the projector. Without
//! Chromium these tests print "skipped"; under CI=true they must run.
//!
//! `every_page_kind_is_screenshot_and_passes_axe` writes each page kind at
//! 320, 390, 1366 and 1920 px, light and dark, to `target/screenshots/`,
//! for a reviewer to look at.

#[allow(dead_code)] // each test binary uses part of it
#[path = "support/browser.rs"]
mod browser;
mod support;

use std::path::PathBuf;
use std::time::Duration;
use support::or_skip;

use browser::{Screen, Site, axe_violations, click, find, full_page_png, wait_for};
use fantoccini::{Client, Locator};
use serde_json::Value;
use support::Server;

/// Phones, their viewport with the browser's bars: an iPhone SE of the
/// first generation (320×568), an iPhone 12 to 15 (390×664).
const PHONES: [Screen; 2] = [Screen::light(320, 568), Screen::light(390, 664)];
const PROJECTOR: Screen = Screen::light(1920, 1080);

// ------------------------------------------------------------------ pages

/// What a test needs on the server: a result of each kind and workshops
/// waiting for answers and revealed.
struct Pages {
    result: String,
    knowledge: String,
    waiting: String,
    waiting_code: String,
    waiting_manage: String,
    revealed: String,
    /// A re-take linked to an earlier result, with actions ticked on both.
    linked: String,
    /// The form to re-take the diagnostic from a result.
    retake: String,
    /// A follow-up of `revealed`, revealed: the group's evolution.
    follow_up: String,
    /// The management page of a workshop whose answers expired, its
    /// group's means kept for a follow-up.
    archived_manage: String,
}

/// The ids of the plan's steps on a result page, in order.
fn step_ids(page: &str) -> Vec<String> {
    page.split("id=\"etape-")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(id, _)| id.to_string()))
        .collect()
}

/// Ticks the action `id` of `result` off, as its form does.
fn tick(server: &Server, result: &str, id: &str) {
    let reply = server.post_form(
        &format!("{result}/suivi"),
        &[("action", id), ("fait", "oui")],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
}

impl Pages {
    fn prepare(site: &Site) -> Pages {
        let content = site.fixture.content();
        let diagnostic = content.catalog.get("diagnostic").unwrap();
        let knowledge = content.catalog.get("verif-portee").unwrap();
        let server = &site.server;
        let result = server.answer("/quiz/diagnostic", diagnostic, 0);
        let knowledge = server.answer("/quiz/verif-portee", knowledge, 1);
        let (waiting, waiting_code, waiting_manage) =
            server.create_workshop("Atelier en attente", "diagnostic", 3);
        let (revealed, revealed_code, revealed_manage) =
            server.create_workshop("Atelier d’essai — Maison des associations", "diagnostic", 3);
        for pick in 0..3 {
            server.answer(&format!("/a/{revealed_code}"), diagnostic, pick);
        }
        server.reveal(&revealed);

        // A result followed: two actions ticked, then the diagnostic taken
        // again and linked to it, one action of the new plan ticked.
        let earlier = server.answer("/quiz/diagnostic", diagnostic, 1);
        for id in step_ids(&server.get(&earlier).text()).iter().take(2) {
            tick(server, &earlier, id);
        }
        let retake = format!("{earlier}/refaire");
        let form = server.get(&retake).text();
        let nonce = form
            .split_once("name=\"envoi\" value=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(nonce, _)| nonce.to_string())
            .expect("the re-take form's nonce");
        let mut fields = support::valid_answers(diagnostic, 3);
        fields.push(("envoi".to_string(), nonce));
        fields.push(("relier".to_string(), "oui".to_string()));
        let reply = server.post_form(&retake, &fields);
        assert_eq!(reply.status, 303, "{}", reply.text());
        let linked = reply.header("location").unwrap().to_string();
        let first = step_ids(&server.get(&linked).text())[0].clone();
        tick(server, &linked, &first);

        // A follow-up of the revealed workshop, revealed in its turn.
        let opened = server.post_form(
            &revealed_manage.replace("/gestion", "/suivi"),
            &[
                ("titre", "Atelier d’essai — trois mois après"),
                ("minimum", "3"),
            ],
        );
        assert_eq!(opened.status, 303, "{}", opened.text());
        let (follow_up, follow_up_code) = server.workshop_links(opened.header("location").unwrap());
        for pick in 2..5 {
            server.answer(&format!("/a/{follow_up_code}"), diagnostic, pick);
        }
        server.reveal(&follow_up);

        // A workshop of forty days ago, past the 30 days of retention: its
        // answers erased, its group's means kept.
        let (_, archived_code, archived_manage) =
            server.create_workshop("Atelier de l’automne dernier", "diagnostic", 3);
        for pick in 0..3 {
            server.answer(&format!("/a/{archived_code}"), diagnostic, pick);
        }
        let store = chezsoi::store::Store::open(&site.fixture.path("data/t.db")).unwrap();
        store
            .with_writer(|c| {
                c.execute(
                    "UPDATE workshops SET created_hour = created_hour - 40 * 86400 WHERE join_code = ?1",
                    [&archived_code],
                )?;
                Ok(())
            })
            .unwrap();
        let purged =
            chezsoi::workshop::purge_expired(&store, 30, chezsoi::workshop::now_unix()).unwrap();
        assert_eq!(purged.archived, 1);
        Pages {
            result,
            knowledge,
            waiting,
            waiting_code,
            waiting_manage,
            revealed,
            linked,
            retake,
            follow_up,
            archived_manage,
        }
    }
}

async fn eval(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

// --------------------------------------------------------------- measures

/// What scrolls sideways: a box that scrolls (`overflow: auto` or
/// `scroll`, as mdBook's `.content` does) with content wider than itself,
/// and every element whose right edge passes the viewport's, unless a box
/// that hides its overflow holds it (a visually hidden table); plus the
/// document's own scroll width.
const TOO_WIDE: &str = r#"
    const wide = [];
    const name = e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '');
    for (const e of document.body.querySelectorAll('*')) {
        const style = getComputedStyle(e);
        if (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1) {
            wide.push(name(e) + ' scrolls: ' + e.scrollWidth + ' px in ' + e.clientWidth + ' px');
        }
        const r = e.getBoundingClientRect();
        if ((r.width === 0 && r.height === 0) || r.right <= innerWidth + 0.5) continue;
        let hidden = false;
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (['hidden', 'clip'].includes(getComputedStyle(a).overflowX)) { hidden = true; break; }
        }
        if (!hidden) wide.push(name(e) + ' → ' + Math.round(r.right) + ' px');
    }
    if (document.documentElement.scrollWidth > innerWidth) {
        wide.push('document: ' + document.documentElement.scrollWidth + ' px');
    }
    return wide;"#;

async fn assert_nothing_too_wide(client: &Client, what: &str) {
    let wide = eval(client, TOO_WIDE).await;
    assert_eq!(
        wide.as_array().map(Vec::len),
        Some(0),
        "{what}: wider than the screen: {wide}"
    );
}

/// The first answer control of the quiz, on the first screen: [top, bottom,
/// viewport height, scroll].
const FIRST_ANSWER: &str = r#"
    const input = document.querySelector('form.chezsoi-quiz fieldset.chezsoi-question input');
    const r = input.getBoundingClientRect();
    return [r.top, r.bottom, innerHeight, scrollY];"#;

/// Each text of the page's figures and its size as rendered: the computed
/// font size, times the scale of an SVG `viewBox` it is drawn in.
const CHART_TEXT: &str = r#"
    const sizes = [];
    for (const figure of document.querySelectorAll('figure.chezsoi-figure')) {
        for (const e of figure.querySelectorAll('*')) {
            const own = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
            if (!own) continue;
            const svg = e.closest('svg');
            const box = svg && svg.viewBox && svg.viewBox.baseVal;
            const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
            sizes.push([e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize) * scale]);
        }
    }
    return sizes;"#;

/// The smallest chart text on the page, with what it says; fails if the
/// page draws no chart text at all.
async fn smallest_chart_text(client: &Client, what: &str) -> (String, f64) {
    let sizes = eval(client, CHART_TEXT).await;
    let sizes = sizes.as_array().unwrap();
    assert!(sizes.len() >= 5, "{what}: no chart text found: {sizes:?}");
    sizes
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_f64().unwrap(),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

// ------------------------------------------------------------------ tests

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_first_answers_are_on_the_first_screen_and_nothing_is_wider() {
    let mut site = or_skip!(Site::start_or_skip("phone layout"));
    let pages = Pages::prepare(&site);
    let quiz_pages = [
        "/quiz/diagnostic".to_string(),
        format!("/a/{}", pages.waiting_code),
    ];
    for screen in PHONES {
        for javascript in [true, false] {
            let client = site.driver.screen_session(screen, javascript).await;
            let what = |page: &str| {
                format!(
                    "{page} at {} px{}",
                    screen.width,
                    if javascript {
                        ""
                    } else {
                        " without JavaScript"
                    }
                )
            };
            for page in &quiz_pages {
                site.open(&client, page).await;
                find(&client, "form.chezsoi-quiz").await;
                assert_nothing_too_wide(&client, &what(page)).await;
                let first = eval(&client, FIRST_ANSWER).await;
                let [top, bottom, height, scroll] =
                    [0, 1, 2, 3].map(|i| first[i].as_f64().unwrap());
                assert_eq!(scroll, 0.0, "{}: the page opened scrolled", what(page));
                assert!(
                    top >= 0.0 && bottom <= height,
                    "{}: the first answer is at {top}–{bottom} px, the screen {height} px tall",
                    what(page)
                );
                // The question's number is said once on screen.
                let shown = eval(
                    &client,
                    "return Array.from(document.querySelectorAll('main *')).filter(e => \
                     e.checkVisibility() && e.getBoundingClientRect().width > 1 && \
                     Array.from(e.childNodes).some(n => n.nodeType === 3 && /Question 1 sur/.test(n.textContent))).length;",
                )
                .await;
                assert_eq!(
                    shown,
                    1,
                    "{}: « Question 1 sur … » shown {shown} times",
                    what(page)
                );
            }
            // The other pages a participant or a facilitator may open on a phone.
            for page in [
                pages.result.as_str(),
                pages.knowledge.as_str(),
                "/a",
                "/atelier/nouveau",
                &pages.waiting_manage,
                &pages.waiting,
                &pages.revealed,
                &pages.linked,
                &pages.retake,
                &pages.follow_up,
                "/stats/diagnostic",
                "/quiz/inconnu",
            ] {
                site.open(&client, page).await;
                find(&client, "main").await;
                assert_nothing_too_wide(&client, &what(page)).await;
            }
            client.close().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scale_keeps_its_steps_on_one_row_and_controls_keep_their_size() {
    let mut site = or_skip!(Site::start_or_skip("scale and controls"));
    let client = site.driver.screen_session(PHONES[0], false).await;
    site.open(&client, "/quiz/diagnostic").await;
    let rows = eval(
        &client,
        "return Array.from(document.querySelectorAll('.chezsoi-scale-steps')).map(s => \
         new Set(Array.from(s.querySelectorAll('label')).map(l => Math.round(l.getBoundingClientRect().top))).size);",
    )
    .await;
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty(), "the diagnostic has a scale");
    assert!(
        rows.iter().all(|n| n == 1),
        "a scale's steps wrap onto several rows at 320 px: {rows:?}"
    );
    let sizes = eval(
        &client,
        "return Array.from(document.querySelectorAll('form.chezsoi-quiz input[type=radio], form.chezsoi-quiz input[type=checkbox]')).map(i => \
         [Math.round(i.getBoundingClientRect().width), Math.round(i.getBoundingClientRect().height)]);",
    )
    .await;
    let sizes = sizes.as_array().unwrap();
    assert!(sizes.len() > 40, "{sizes:?}");
    assert!(
        sizes.iter().all(|size| size == &sizes[0]),
        "controls of different sizes (a long label shrinks its control): {sizes:?}"
    );
    // A question's title stays inside its box, below the border.
    let cut = eval(
        &client,
        "return Array.from(document.querySelectorAll('fieldset.chezsoi-question')).filter(f => { \
         const legend = f.querySelector('legend').getBoundingClientRect(); \
         const border = parseFloat(getComputedStyle(f).borderTopWidth); \
         return legend.top < f.getBoundingClientRect().top + border; }).map(f => f.id);",
    )
    .await;
    assert_eq!(
        cut,
        Value::Array(Vec::new()),
        "titles drawn across the border"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_form_shows_its_errors_on_the_first_screen() {
    let mut site = or_skip!(Site::start_or_skip("refused form"));
    for screen in PHONES {
        let client = site.driver.screen_session(screen, false).await;
        site.open(&client, "/quiz/diagnostic").await;
        // One answer, then send: the server refuses the rest (422). (With
        // scripts off, chromedriver waits on a timer that never fires when
        // a click lands on a child of the element: click the control itself.)
        find(&client, "fieldset.chezsoi-question input")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "form.chezsoi-quiz button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let summary = find(&client, "#erreurs").await;
        let state = eval(
            &client,
            "const s = document.getElementById('erreurs'); const r = s.getBoundingClientRect(); \
             return [s.contains(document.activeElement) && document.activeElement.tagName === 'H2', r.top, innerHeight, scrollY, \
                     s.querySelectorAll('a[href^=\"#\"]').length, \
                     document.querySelectorAll('fieldset.has-error').length];",
        )
        .await;
        assert_eq!(
            state[0], true,
            "{} px: the summary is not focused",
            screen.width
        );
        let (top, height, scroll) = (
            state[1].as_f64().unwrap(),
            state[2].as_f64().unwrap(),
            state[3].as_f64().unwrap(),
        );
        assert!(
            scroll == 0.0 && top >= 0.0 && top < height / 2.0,
            "{} px: the summary starts at {top} px, the page scrolled by {scroll} px: not on its \
             first screen ({height} px)",
            screen.width,
        );
        let errors = state[5].as_u64().unwrap();
        assert!(errors >= 10, "{errors} questions in error");
        assert_eq!(state[4].as_u64(), Some(errors), "one link per error");
        // Its first link leads to the question.
        let link = summary.find(Locator::Css("a")).await.unwrap();
        let target = link.attr("href").await.unwrap().unwrap();
        link.click().await.unwrap();
        let shown = eval(
            &client,
            &format!(
                "const r = document.getElementById('{}').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;",
                target.trim_start_matches('#')
            ),
        )
        .await;
        assert_eq!(shown, true, "{target} is not brought on screen");
        client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chart_text_is_at_least_12_px_on_a_phone_and_large_on_a_projector() {
    let mut site = or_skip!(Site::start_or_skip("chart text"));
    let pages = Pages::prepare(&site);
    for screen in PHONES {
        let client = site.driver.screen_session(screen, true).await;
        for page in [&pages.result, &pages.revealed] {
            site.open(&client, page).await;
            find(&client, "figure.chezsoi-figure").await;
            let (text, size) = smallest_chart_text(&client, page).await;
            assert!(
                size >= 12.0,
                "{page} at {} px: chart text « {text} » renders at {size:.1} px",
                screen.width
            );
        }
        // Figures and their unit never part: « 100 % », « 3 réponses ».
        let broken = eval(
            &client,
            "const lines = (node, from, to) => { const range = document.createRange(); \
                 range.setStart(node, from); range.setEnd(node, to); \
                 return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; }; \
             const broken = []; \
             for (const e of document.querySelectorAll('.chezsoi-chart-value')) { \
                 const text = e.firstChild; if (lines(text, 0, text.length) > 1) broken.push(e.textContent); } \
             const title = document.getElementById('resultats-titre').firstChild; \
             const at = title.textContent.search(/\\d+\\s+réponses/); \
             if (at < 0 || lines(title, at, title.length) > 1) broken.push(title.textContent); \
             return broken;",
        )
        .await;
        assert_eq!(
            broken,
            Value::Array(Vec::new()),
            "{} px: figures broken across lines",
            screen.width
        );
        let heading = eval(
            &client,
            "return document.getElementById('resultats-titre').textContent;",
        )
        .await;
        assert!(
            heading.as_str().unwrap().ends_with("3\u{a0}réponses"),
            "{heading:?}"
        );
        client.close().await.unwrap();
    }
    let client = site.driver.screen_session(PROJECTOR, true).await;
    site.open(&client, &pages.revealed).await;
    find(&client, "#resultats").await;
    let (text, size) = smallest_chart_text(&client, "projector").await;
    assert!(
        size >= 20.0,
        "on the projector, chart text « {text} » renders at {size:.1} px"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn group_results_fit_their_key_charts_in_three_projector_screens() {
    let mut site = or_skip!(Site::start_or_skip("projector"));
    let pages = Pages::prepare(&site);
    let client = site.driver.screen_session(PROJECTOR, true).await;
    site.open(&client, &pages.revealed).await;
    find(&client, "#resultats").await;
    let layout = eval(
        &client,
        "const key = document.querySelector('.chezsoi-group-key'); \
         const figures = key.querySelectorAll('figure').length; \
         const tables = Array.from(document.querySelectorAll('#resultats .chezsoi-data-table')) \
             .filter(t => t.querySelectorAll('tbody tr').length > 0); \
         return [key.getBoundingClientRect().bottom + scrollY, figures, tables.length, \
                 tables.filter(t => t.getBoundingClientRect().width > 1 || t.getBoundingClientRect().height > 1).length, \
                 document.querySelector('a[href$=\"/gestion\"]') !== null];",
    )
    .await;
    let bottom = layout[0].as_f64().unwrap();
    assert_eq!(layout[1], 3, "profiles, dimensions and first actions");
    assert!(
        bottom <= 3.0 * 1080.0,
        "the key charts end at {bottom} px: more than 3 screens of 1080 px"
    );
    // The tables repeating the charts are there for screen readers, and
    // take no room on screen.
    assert!(layout[2].as_u64().unwrap() >= 3, "{layout}");
    assert_eq!(layout[3], 0, "a table takes room on screen: {layout}");
    // The projected view does not lead to the management page.
    assert_eq!(
        layout[4], false,
        "the projector links to « Gérer l’atelier »"
    );
    // Range lines have a halo wider than themselves, in the page's colour:
    // they stay visible over a dark bar.
    let halo = eval(
        &client,
        "const halo = getComputedStyle(document.querySelector('.chezsoi-chart-halo')); \
         const line = getComputedStyle(document.querySelector('.chezsoi-chart-whisker')); \
         return [parseFloat(halo.strokeWidth) > parseFloat(line.strokeWidth) + 2, halo.stroke === getComputedStyle(document.body).backgroundColor, halo.stroke !== line.stroke];",
    )
    .await;
    assert_eq!(halo, serde_json::json!([true, true, true]), "range lines");
    client.close().await.unwrap();
}

const DELETED: Locator<'static> =
    Locator::XPath("//main//h1[normalize-space()='Résultat supprimé']");

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_result_asks_for_confirmation_with_and_without_javascript() {
    let mut site = or_skip!(Site::start_or_skip("deletion"));
    let content = site.fixture.content();
    let quiz = content.catalog.get("diagnostic").unwrap();
    let exists = |server: &Server, result: &str| server.get(result).status == 200;
    let delete = "form.chezsoi-delete button";

    // Without JavaScript: a page asks, and « Annuler » keeps the result.
    let result = site.server.answer("/quiz/diagnostic", quiz, 0);
    let asking = url::Url::parse(&site.url(&format!("{result}/supprimer"))).unwrap();
    let client = site.driver.screen_session(PHONES[1], false).await;
    site.open(&client, &result).await;
    for attempt in ["cancelled", "confirmed"] {
        click(&client, delete).await;
        // A page of its own, reached by GET (the form has no field: its
        // address may end with an empty query).
        wait_for(
            &client,
            Locator::XPath("//main//form[not(ancestor::dialog)]//input[@name='confirmation']"),
            "the button leads to the confirmation page",
        )
        .await;
        let now = client.current_url().await.unwrap();
        assert_eq!(now.path(), asking.path());
        let title = find(&client, "main h1").await.text().await.unwrap();
        assert_eq!(title.replace('\u{a0}', " "), "Supprimer ce résultat ?");
        assert!(exists(&site.server, &result), "deleted before confirming");
        if attempt == "cancelled" {
            click(&client, "main a.chezsoi-button.secondary").await;
            find(&client, "h2#profil").await;
        } else {
            click(&client, "main form button.chezsoi-danger").await;
            wait_for(&client, DELETED, "confirming deletes").await;
        }
    }
    assert!(!exists(&site.server, &result), "not deleted once confirmed");
    client.close().await.unwrap();

    // With JavaScript: a dialog asks, on the result page itself.
    let result = site.server.answer("/quiz/diagnostic", quiz, 1);
    let client = site.driver.screen_session(PHONES[1], true).await;
    site.open(&client, &result).await;
    let dialog_open = "return document.querySelector('dialog.chezsoi-dialog').open;";
    for (answer, button) in [
        ("cancelled", "Annuler"),
        ("confirmed", "Supprimer définitivement"),
    ] {
        click(&client, delete).await;
        assert_eq!(eval(&client, dialog_open).await, true, "no dialog");
        assert_eq!(client.current_url().await.unwrap().path(), result);
        client
            .find(Locator::XPath(&format!(
                "//dialog//button[normalize-space()='{button}']"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        if answer == "cancelled" {
            assert_eq!(
                eval(&client, dialog_open).await,
                false,
                "« Annuler » does not close"
            );
            let focused = eval(
                &client,
                &format!("return document.activeElement === document.querySelector('{delete}');"),
            )
            .await;
            assert_eq!(focused, true, "the focus does not come back to the button");
            assert!(
                exists(&site.server, &result),
                "« Annuler » deleted the result"
            );
        } else {
            wait_for(&client, DELETED, "confirming in the dialog deletes").await;
        }
    }
    assert!(!exists(&site.server, &result), "not deleted once confirmed");
    client.close().await.unwrap();
}

/// The state of the step `id` in the page: [its class says done, its
/// "how" is open, its "done" mark shows, the button's text, the progress
/// line].
async fn step_in_page(client: &Client, id: &str) -> Value {
    eval(
        client,
        &format!(
            "const step = document.getElementById('etape-{id}'); \
             return [step.classList.contains('is-done'), step.querySelector('details.chezsoi-how').open, \
                     !step.querySelector('[data-done-tag]').hidden, \
                     step.querySelector('[data-tick-button]').firstChild.nodeValue.trim(), \
                     document.querySelector('[data-progress-text]').textContent];"
        ),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_are_ticked_off_and_on_with_and_without_javascript() {
    let mut site = or_skip!(Site::start_or_skip("ticking"));
    let content = site.fixture.content();
    let quiz = content.catalog.get("diagnostic").unwrap();
    for javascript in [false, true] {
        let result = site.server.answer("/quiz/diagnostic", quiz, 0);
        let ids = step_ids(&site.server.get(&result).text());
        let total = ids.len();
        let id = &ids[1];
        let client = site.driver.screen_session(PHONES[1], javascript).await;
        site.open(&client, &result).await;
        let before = step_in_page(&client, id).await;
        assert_eq!(
            before,
            serde_json::json!([
                false,
                true,
                false,
                "J’ai fait cette action",
                format!("Vous avez fait 0\u{a0}action sur {total}.")
            ]),
            "javascript: {javascript}"
        );
        let button = format!("#etape-{id} [data-tick-button]");
        click(&client, &button).await;
        let done_step = format!("#etape-{id}.is-done");
        find(&client, &done_step).await;
        let url = client.current_url().await.unwrap();
        if javascript {
            // Updated in place: the same page, the focus on the button.
            assert_eq!(url.path(), result);
            assert_eq!(url.fragment(), None, "the page was reloaded");
            let focused = eval(
                &client,
                &format!("return document.activeElement === document.querySelector('{button}');"),
            )
            .await;
            assert_eq!(focused, true, "the focus left the button");
        } else {
            // POST/redirect/GET, back to the step.
            assert_eq!(url.path(), result);
            assert_eq!(url.fragment(), Some(format!("etape-{id}").as_str()));
        }
        let after = step_in_page(&client, id).await;
        assert_eq!(
            after,
            serde_json::json!([
                true,
                false,
                true,
                "Remettre à faire",
                format!("Vous avez fait 1\u{a0}action sur {total}.")
            ]),
            "javascript: {javascript}"
        );
        // Stored: a fresh load says the same.
        site.open(&client, &result).await;
        assert_eq!(step_in_page(&client, id).await, after, "not stored");
        // And back.
        click(&client, &button).await;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!("#etape-{id}:not(.is-done)")))
            .await
            .expect("unticked");
        site.open(&client, &result).await;
        assert_eq!(
            step_in_page(&client, id).await,
            before,
            "javascript: {javascript}"
        );
        client.close().await.unwrap();
    }
}

// ------------------------------------------------------------ screenshots

/// Where screenshots go: `target/screenshots/`.
fn screenshot_dir() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens one page kind; some are the answer to a form, sent with the
/// form's own `submit()` (which skips the page's scripts and their checks).
async fn open_kind(site: &Site, client: &Client, pages: &Pages, kind: &str) {
    let submit = |path: &str, form: &str| {
        let (path, form) = (path.to_string(), form.to_string());
        async move {
            site.open(client, &path).await;
            find(client, &form).await;
            eval(
                client,
                &format!("document.querySelector('{form}').submit();"),
            )
            .await;
        }
    };
    match kind {
        "quiz" => site.open(client, "/quiz/diagnostic").await,
        "quiz-atelier" => {
            site.open(client, &format!("/a/{}", pages.waiting_code))
                .await
        }
        "quiz-erreurs" => submit("/quiz/diagnostic", "form.chezsoi-quiz").await,
        "resultat" => site.open(client, &pages.result).await,
        "resultat-connaissances" => site.open(client, &pages.knowledge).await,
        "resultat-suivi" => site.open(client, &pages.linked).await,
        "refaire" => site.open(client, &pages.retake).await,
        "projection-suivi" => site.open(client, &pages.follow_up).await,
        "suppression" => submit(&pages.result, "form.chezsoi-delete").await,
        "rejoindre" => site.open(client, "/a").await,
        "rejoindre-code-inconnu" => site.open(client, "/a?code=ZZZ999").await,
        "atelier-nouveau" => site.open(client, "/atelier/nouveau").await,
        "atelier-gestion" => site.open(client, &pages.waiting_manage).await,
        "atelier-archive" => site.open(client, &pages.archived_manage).await,
        "projection-attente" => site.open(client, &pages.waiting).await,
        "projection-revelee" | "resultats-groupe" => site.open(client, &pages.revealed).await,
        "revelation-refusee" => submit(&pages.waiting, ".chezsoi-live form").await,
        "statistiques" => site.open(client, "/stats/diagnostic").await,
        "erreur-404" => site.open(client, "/quiz/inconnu").await,
        other => panic!("unknown page kind {other}"),
    }
    find(client, "main h1, main h2").await;
}

const KINDS: [&str; 21] = [
    "quiz",
    "quiz-atelier",
    "quiz-erreurs",
    "resultat",
    "resultat-connaissances",
    // Coming back: a linked re-take (progress, evolution), the re-take's
    // form, a follow-up workshop's group evolution.
    "resultat-suivi",
    "refaire",
    "projection-suivi",
    "suppression",
    "rejoindre",
    "rejoindre-code-inconnu",
    "atelier-nouveau",
    "atelier-gestion",
    // Past its expiry: only the group's means, for a follow-up.
    "atelier-archive",
    "projection-attente",
    "projection-revelee",
    "resultats-groupe",
    "revelation-refusee",
    "statistiques",
    "erreur-404",
    // The book's chapter with the diagnostic, which shares the stylesheet.
    "livre-diagnostic",
];

#[tokio::test(flavor = "multi_thread")]
async fn every_page_kind_is_screenshot_and_passes_axe() {
    let mut site = or_skip!(Site::start_or_skip("screenshots"));
    let axe = or_skip!(browser::axe_script_or_skip("screenshots"));
    let pages = Pages::prepare(&site);
    // Enough answers for the statistics page to show its chart.
    let content = site.fixture.content();
    let diagnostic = content.catalog.get("diagnostic").unwrap();
    for pick in 0..5 {
        site.server.answer("/quiz/diagnostic", diagnostic, pick);
    }
    let dir = screenshot_dir();
    let mut report = Vec::new();
    let mut written = 0;
    for (width, height) in [(320, 568), (390, 844), (1366, 900), (1920, 1080)] {
        for dark in [false, true] {
            let screen = Screen {
                width,
                height,
                dark,
            };
            let client = site.driver.screen_session(screen, true).await;
            let theme = if dark { "sombre" } else { "clair" };
            for kind in KINDS {
                if kind == "livre-diagnostic" {
                    site.open(&client, "/05-action/diagnostic.html").await;
                    find(&client, "main h1").await;
                } else {
                    open_kind(&site, &client, &pages, kind).await;
                }
                let png = if kind == "projection-revelee" {
                    // What the room sees: the first screen.
                    client.screenshot().await.unwrap()
                } else {
                    full_page_png(&client).await
                };
                std::fs::write(dir.join(format!("{kind}-{width}-{theme}.png")), png).unwrap();
                written += 1;
                if width == 390 && kind != "livre-diagnostic" {
                    for violation in axe_violations(&client, &axe).await {
                        report.push(format!("[{theme}] {kind}: {violation}"));
                    }
                }
            }
            client.close().await.unwrap();
        }
    }
    println!("{written} screenshots in {}", dir.display());
    assert_eq!(written, KINDS.len() * 8);
    assert!(
        report.is_empty(),
        "{} accessibility violations:\n{}",
        report.len(),
        report.join("\n")
    );
}
