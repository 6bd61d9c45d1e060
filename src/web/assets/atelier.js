// The projector view's live count: the server announces each new answer
// (server-sent events); the count updates, and the "reveal" button becomes
// usable once the minimum group size is reached. Without this script the
// page reloads itself every few seconds (<noscript> refresh), and the
// server refuses an early reveal anyway.
//
// The stream comes back by itself: EventSource reconnects after a network
// error, and this script opens a new one, waiting longer each time (1 s,
// 2 s, 4 s… up to 30 s), when it gave up — the server restarted, a proxy
// answered 502 meanwhile — and at once when the page shows again after a
// phone's or a laptop's sleep.
(function () {
    "use strict";
    var live = document.querySelector("[data-workshop-events]");
    if (!live || !window.EventSource) { return; }
    var url = live.getAttribute("data-workshop-events");
    var minGroup = parseInt(live.getAttribute("data-min-group"), 10) || 1;
    var revealed = live.getAttribute("data-revealed") === "oui";
    var countNode = live.querySelector("[data-count]");
    var wordNode = live.querySelector("[data-count-word]");
    var neededNode = live.querySelector("[data-needed]");
    var revealButton = live.querySelector("[data-reveal]");
    var newAnswers = live.querySelector("[data-new-answers]");
    var shown = parseInt(countNode.textContent, 10) || 0;
    var initial = shown;

    function plural(n, one, many) { return n > 1 ? many : one; }

    function show(count) {
        shown = count;
        countNode.textContent = String(count);
        wordNode.textContent = plural(count, "réponse", "réponses");
        if (revealed) {
            if (newAnswers && count !== initial) { newAnswers.hidden = false; }
            return;
        }
        var needed = minGroup - count;
        if (neededNode) {
            neededNode.textContent = needed > 0
                ? "Il manque encore " + needed + "\u00a0" + plural(needed, "réponse", "réponses") +
                  " pour afficher les résultats du groupe\u00a0: en dessous du minimum, aucun chiffre de groupe n’est montré, pour que personne ne puisse être reconnu."
                : "Assez de réponses\u00a0: vous pouvez afficher les résultats du groupe.";
        }
        if (revealButton) { revealButton.disabled = needed > 0; }
    }

    var FIRST_DELAY = 1000;
    var LONGEST_DELAY = 30000;
    var delay = FIRST_DELAY;
    var source = null;
    var timer = null;

    function connect() {
        timer = null;
        if (source) { source.close(); }
        source = new EventSource(url);
        source.addEventListener("count", function (event) {
            delay = FIRST_DELAY;
            var count = parseInt(event.data, 10);
            if (!isNaN(count) && count !== shown) { show(count); }
        });
        source.addEventListener("error", function () {
            // CONNECTING: the browser retries by itself. CLOSED: it gave up.
            if (source.readyState === EventSource.CLOSED) { later(); }
        });
    }

    function later() {
        if (timer !== null) { return; }
        timer = window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, LONGEST_DELAY);
    }

    function now() {
        if (timer !== null) { window.clearTimeout(timer); }
        delay = FIRST_DELAY;
        connect();
    }

    // After a sleep, a stream that looks open may be long dead (the
    // network changed, the server restarted): start a fresh one.
    var hiddenSince = null;
    document.addEventListener("visibilitychange", function () {
        if (document.hidden) { hiddenSince = Date.now(); return; }
        var slept = hiddenSince !== null && Date.now() - hiddenSince > 20000;
        hiddenSince = null;
        if (slept || !source || source.readyState === EventSource.CLOSED) { now(); }
    });
    window.addEventListener("online", function () {
        if (!source || source.readyState === EventSource.CLOSED) { now(); }
    });
    window.addEventListener("pageshow", function (event) { if (event.persisted) { now(); } });
    connect();
}());
