//! The book in a real browser (headless Chromium through WebDriver), served
//! by `chezsoi serve` and opened from disk (`file://`): the contents at
//! phone, tablet, laptop and desktop widths, with the mouse, the keyboard
//! and without JavaScript; WCAG AA (axe-core) with JavaScript off in light
//! and dark system settings, and in each theme. Without Chromium these
//! tests print "skipped"; under CI=true they must run.
//!
//! `CHEZSOI_SCREENSHOTS=DIR cargo test --test browser_book` also saves what
//! they see, at 390 and 1366 px, light and dark.

#[allow(dead_code)] // each test binary uses part of it
#[path = "support/browser.rs"]
mod browser;
mod support;

use std::path::PathBuf;
use std::time::Duration;
use support::or_skip;

use browser::{Books, Driver, axe_violations, find, press};
use fantoccini::{Client, Locator, key::Key};
use serde_json::json;
use support::{FixtureProject, Server};

const WIDTHS: [u32; 6] = [320, 390, 768, 1024, 1366, 1920];

/// A browser session of a given viewport width, with or without JavaScript,
/// with the system in light or dark mode, allowed to open the offline book
/// from disk.
async fn session(driver: &mut Driver, width: u32, javascript: bool, dark: bool) -> Client {
    // A viewport of exactly this width, phones included (a desktop window
    // cannot be made that narrow).
    let emulation =
        json!({ "deviceMetrics": { "width": width, "height": 800, "pixelRatio": 1.0 } });
    driver
        .session_with(
            javascript,
            dark,
            &["--allow-file-access-from-files"],
            Some(emulation),
        )
        .await
}

/// Polls a JavaScript condition until it holds (at most 5 s).
async fn wait_until(client: &Client, condition: &str, what: &str) {
    let script = format!("return !!({condition});");
    for _ in 0..100 {
        if client
            .execute(&script, vec![])
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: still false after 5 s: {condition}");
}

async fn eval(client: &Client, expression: &str) -> serde_json::Value {
    client
        .execute(&format!("return ({expression});"), vec![])
        .await
        .unwrap()
}

/// The contents are on screen: visible, inside the viewport, wide enough to read.
const CONTENTS_SHOWN: &str = "(() => { const s = document.getElementById('sidebar'); \
    const r = s.getBoundingClientRect(); return getComputedStyle(s).visibility === 'visible' \
    && r.left >= -1 && r.right <= innerWidth + 1 && r.width > 150; })()";
const CONTENTS_HIDDEN: &str = "(() => { const s = document.getElementById('sidebar'); \
    const r = s.getBoundingClientRect(); return getComputedStyle(s).visibility === 'hidden' \
    || r.right <= 0; })()";
const FOCUS_IN_CONTENTS: &str =
    "!!document.activeElement && !!document.activeElement.closest('#sidebar')";

async fn screenshot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("CHEZSOI_SCREENSHOTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn expanded(client: &Client) -> bool {
    find(client, "#sidebar-toggle")
        .await
        .attr("aria-expanded")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

async fn active_chapter(client: &Client) -> (String, Option<String>) {
    let link = find(client, "#sidebar a.active").await;
    let text = eval(
        client,
        "document.querySelector('#sidebar a.active').textContent.trim()",
    )
    .await;
    (
        text.as_str().unwrap_or_default().to_string(),
        link.attr("aria-current").await.unwrap(),
    )
}

/// Open, close, reopen with the mouse; open and close with the keyboard;
/// follow a link; on one page width.
async fn check_contents(client: &Client, base: &str, width: u32, label: &str) {
    let what = format!("{label}, {width} px");
    client
        .goto(&format!("{base}/02-portee.html"))
        .await
        .unwrap();
    find(client, "button#sidebar-toggle").await;
    assert_eq!(
        eval(client, "innerWidth").await.as_u64(),
        Some(u64::from(width)),
        "{what}: viewport"
    );
    let wide = width >= 1080;
    assert_eq!(expanded(client).await, wide, "{what}: initial state");
    if wide {
        wait_until(client, CONTENTS_SHOWN, &what).await;
    } else {
        wait_until(client, CONTENTS_HIDDEN, &what).await;
    }
    assert_eq!(
        active_chapter(client).await,
        ("La perte de portée".to_string(), Some("page".to_string())),
        "{what}: current chapter"
    );

    let toggle = find(client, "#sidebar-toggle").await;
    // Clicks the button; the contents must then be shown or hidden, and
    // the button say so.
    let click = async |shown: bool, step: &str| {
        toggle.click().await.unwrap();
        let state = if shown {
            CONTENTS_SHOWN
        } else {
            CONTENTS_HIDDEN
        };
        wait_until(client, state, &format!("{what}: {step}")).await;
        assert_eq!(
            expanded(client).await,
            shown,
            "{what}: aria-expanded after « {step} »"
        );
    };
    if wide {
        click(false, "close").await;
    }
    // Open, close, reopen with the mouse.
    click(true, "open").await;
    wait_until(
        client,
        FOCUS_IN_CONTENTS,
        &format!("{what}: focus moves into the contents"),
    )
    .await;
    if width == 390 || width == 1366 {
        screenshot(client, &format!("contents-open-{label}-{width}")).await;
    }
    click(false, "close again").await;
    click(true, "reopen").await;

    // Keyboard: Escape closes and gives the focus back to the button, Enter
    // on the button opens with the focus on the current chapter.
    let keys = [
        (
            Key::Escape,
            CONTENTS_HIDDEN,
            "Escape closes",
            "document.activeElement && document.activeElement.id === 'sidebar-toggle'",
            "focus back on the button",
        ),
        (
            Key::Enter,
            CONTENTS_SHOWN,
            "Enter opens",
            "document.activeElement && document.activeElement.classList.contains('active')",
            "focus on the current chapter",
        ),
    ];
    for (key, state, step, focus, focus_step) in keys {
        press(client, key).await;
        wait_until(client, state, &format!("{what}: {step}")).await;
        wait_until(client, focus, &format!("{what}: {focus_step}")).await;
    }

    // Follow a link.
    client
        .find(Locator::XPath(
            "//nav[@id='sidebar']//a[normalize-space()='Les alternatives']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        client,
        "location.pathname.endsWith('/04-alternatives.html')",
        &format!("{what}: follow a link"),
    )
    .await;
    assert_eq!(
        active_chapter(client).await.0,
        "Les alternatives",
        "{what}: current chapter after following a link"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn contents_open_close_reopen_and_lead_to_a_chapter_at_every_width() {
    let mut books = or_skip!(Books::start_or_skip("contents at every width"));
    for (label, base) in books.bases() {
        for width in WIDTHS {
            let client = session(&mut books.driver, width, true, false).await;
            check_contents(&client, &base, width, label).await;
            client.close().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_javascript_the_contents_are_one_link_away() {
    let mut books = or_skip!(Books::start_or_skip("contents without JavaScript"));
    for (label, base) in books.bases() {
        for width in [390, 1366] {
            let client = session(&mut books.driver, width, false, false).await;
            client
                .goto(&format!("{base}/02-portee.html"))
                .await
                .unwrap();
            let link = find(&client, "a#sidebar-toggle").await;
            assert!(
                link.is_displayed().await.unwrap(),
                "{label} {width}: the contents link is shown"
            );
            // Followed by address: WebDriver's click hangs on a navigation
            // when the page's scripts are off.
            let href = link.prop("href").await.unwrap().unwrap();
            assert!(href.ends_with("/toc.html"), "{label} {width}: {href}");
            client.goto(&href).await.unwrap();
            let title = find(&client, "main h1").await.text().await.unwrap();
            assert_eq!(title, "Sommaire", "{label} {width}");
            screenshot(&client, &format!("toc-sans-js-{label}-{width}")).await;
            let chapter = client
                .find(Locator::XPath(
                    "//main//a[normalize-space()='Les alternatives']",
                ))
                .await
                .unwrap();
            assert!(chapter.is_displayed().await.unwrap());
            client
                .goto(&chapter.prop("href").await.unwrap().unwrap())
                .await
                .unwrap();
            assert_eq!(
                find(&client, "main h1").await.text().await.unwrap(),
                "Les alternatives"
            );
            let url = client.current_url().await.unwrap();
            assert!(
                url.path().ends_with("/04-alternatives.html"),
                "{label} {width}: {url}"
            );
            client.close().await.unwrap();
        }
    }
}

// ------------------------------------------------------------ themes (axe)

/// Relative luminance of the page's background (0 black … 1 white).
const BACKGROUND_LUMINANCE: &str = "(() => { const colour = e => getComputedStyle(e).backgroundColor.match(/[\\d.]+/g).map(Number); \
    let c = colour(document.body); if (c.length > 3 && c[3] === 0) { c = colour(document.documentElement); } \
    const l = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); \
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; })()";

#[tokio::test(flavor = "multi_thread")]
async fn every_page_kind_passes_axe_without_javascript_in_light_and_dark_and_in_each_theme() {
    let mut driver = or_skip!(browser::driver_or_skip("axe-core, themes and no-JS"));
    let axe = or_skip!(browser::axe_script_or_skip("axe-core, themes and no-JS"));
    let fixture = FixtureProject::real();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let project = chezsoi::project::Project::open(fixture.root()).unwrap();
    let content = chezsoi::content::Content::load(&project).unwrap();
    let diagnostic = content.catalog.get("diagnostic").unwrap();
    let result = server.answer("/quiz/diagnostic", diagnostic, 0);
    let waiting = server.create_workshop("Atelier en attente", "diagnostic", 3);
    let (revealed, revealed_code, _) = server.create_workshop("Atelier révélé", "diagnostic", 3);
    for pick in 0..3 {
        server.answer(&format!("/a/{revealed_code}"), diagnostic, pick);
    }
    server.reveal(&revealed);

    let mut pages: Vec<String> = [
        "/",
        "/02-portee.html",
        "/annexes/glossaire.html",
        "/toc.html",
    ]
    .map(String::from)
    .into();
    pages.extend(browser::app_pages(result, &waiting));
    pages.extend([revealed, "/stats/diagnostic".into(), "/quiz/inconnu".into()]);
    let mut report = Vec::new();
    // (label, JavaScript, system in dark mode, theme chosen in the book)
    let settings = [
        ("sans JS, système clair", false, false, None),
        ("sans JS, système sombre", false, true, None),
        ("thème Clair, système sombre", true, true, Some("light")),
        ("thème Sombre, système clair", true, false, Some("navy")),
        ("thème automatique, système sombre", true, true, None),
    ];
    for (label, javascript, dark, theme) in settings {
        let client = session(&mut driver, 1366, javascript, dark).await;
        if let Some(theme) = theme {
            client.goto(&format!("{}/", server.base_url)).await.unwrap();
            browser::choose_theme(&client, theme).await;
        }
        let dark_page = theme.map_or(dark, |t| t == "navy");
        for page in &pages {
            client
                .goto(&format!("{}{page}", server.base_url))
                .await
                .unwrap();
            find(&client, "main").await;
            let luminance = eval(&client, BACKGROUND_LUMINANCE)
                .await
                .as_f64()
                .unwrap_or(-1.0);
            assert_eq!(
                luminance < 0.2,
                dark_page,
                "[{label}] {page}: background luminance {luminance}"
            );
            if page == "/02-portee.html" || page == "/quiz/diagnostic" {
                let name = format!(
                    "{}-{}",
                    page.trim_matches('/').replace(['/', '.'], "-"),
                    label.replace([' ', ','], "-")
                );
                screenshot(&client, &name).await;
            }
            // axe-core runs through WebDriver even when the page's own
            // scripts are off; timers are off then too, so its queue runs on
            // promises instead.
            if !javascript {
                client
                    .execute(
                        "window.setTimeout = (f, ...a) => { Promise.resolve().then(() => f(...a)); return 0; }; \
                         window.clearTimeout = () => {};",
                        vec![],
                    )
                    .await
                    .unwrap();
            }
            for violation in axe_violations(&client, &axe).await {
                // Known, and not this test's subject: without JavaScript the
                // projector view refreshes itself (its live count; its layout
                // is a later issue).
                let known =
                    !javascript && page == &waiting.0 && violation.starts_with("meta-refresh");
                if !known {
                    report.push(format!("[{label}] {page}: {violation}"));
                }
            }
        }
        client.close().await.unwrap();
    }
    assert!(
        report.is_empty(),
        "{} accessibility violations:\n{}",
        report.len(),
        report.join("\n")
    );
}
