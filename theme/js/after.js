// Loaded last: French labels for what mdBook's search writes itself, the
// keyboard shortcuts (instead of mdBook's book.js), print and live reload.
(function () {
    "use strict";
    // mdBook's search writes its summary line in English; say it in French.
    var header = document.getElementById("searchresults-header");
    if (header && window.MutationObserver) {
        var translating = false;
        new MutationObserver(function () {
            if (translating) { return; }
            var text = header.innerText || "";
            var none = text.match(/^No search results for '(.*)'\.$/);
            var some = text.match(/^(\d+) search results? for '(.*)':$/);
            translating = true;
            if (none) {
                header.innerText = "Aucun résultat pour «\u00a0" + none[1] + "\u00a0».";
            } else if (some) {
                var n = Number(some[1]);
                header.innerText = n + (n > 1 ? " résultats" : " résultat") + " pour «\u00a0" + some[2] + "\u00a0»\u00a0:";
            }
            translating = false;
        }).observe(header, { childList: true, characterData: true, subtree: true });
    }

    // mdBook's search script cancels every form submission on the page (it
    // means its own search box, which must not reload the page). The book's
    // other forms (the workshop join form, quizzes embedded in chapters) must
    // still submit: their submit events stop at the form, before reaching
    // that document-level listener. Listeners on the form itself, such as
    // the quiz's checks, still run.
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
        if (form.id === "searchbar-outer") { return; }
        form.addEventListener("submit", function (event) { event.stopPropagation(); });
    });

    // Keyboard: ← and → for the neighbouring chapters, ? for the help.
    var help = document.getElementById("mdbook-help-container");
    function showHelp(show) {
        if (help) { help.style.display = show ? "flex" : ""; }
    }
    document.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
        var target = event.target;
        if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) {
            return;
        }
        if (event.key === "Escape") {
            showHelp(false);
        } else if (event.key === "?") {
            event.preventDefault();
            showHelp(!(help && help.style.display === "flex"));
        } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
            if (event.shiftKey || (window.search && window.search.hasFocus && window.search.hasFocus())) { return; }
            var link = document.querySelector(event.key === "ArrowLeft" ? "a[rel~=prev]" : "a[rel~=next]");
            if (link) {
                event.preventDefault();
                window.location.href = link.href;
            }
        }
    });
    if (help) {
        help.addEventListener("click", function (event) {
            if (event.target === help) { showHelp(false); }
        });
    }

    var map = document.getElementById("chezsoi-fragment-map");
    if (map) {
        try {
            var target = JSON.parse(map.textContent)[window.location.hash];
            if (target) { window.location.replace(new URL(target, window.location.href).href); }
        } catch (e) { /* malformed map: stay on the page */ }
    }

    if (window.chezsoi && window.chezsoi.print) {
        window.addEventListener("load", function () { window.setTimeout(window.print, 100); });
    }

    // Authors' live preview (`chezsoi serve --watch`): the server announces
    // each rebuild on an event stream and the page reloads itself.
    if (window.chezsoi && window.chezsoi.liveReload && window.EventSource && location.protocol !== "file:") {
        var source = new EventSource("/" + window.chezsoi.liveReload);
        source.addEventListener("reload", function () { source.close(); location.reload(); });
        // No unload handler (it would keep the page out of the back/forward
        // cache): the browser closes the stream when it leaves the page.
    }
})();
