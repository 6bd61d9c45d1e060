// Runs right after the sidebar's checkbox, before the sidebar is painted:
// decides whether the contents start open. On a wide screen (where the
// sidebar sits beside the text) the reader's last choice, open at first; on
// a phone or a tablet (where it would cover the text) closed.
(function () {
    "use strict";
    var checkbox = document.getElementById("sidebar-toggle-anchor");
    var open = false;
    if (window.matchMedia("(min-width: 1080px)").matches) {
        var saved = null;
        try { saved = localStorage.getItem("mdbook-sidebar"); } catch (e) { /* no storage */ }
        if (saved && saved.charAt(0) === '"') { saved = saved.slice(1, -1); }
        open = saved !== "hidden";
    }
    checkbox.checked = open;
    // mdBook's toc.js scrolls the current chapter into view with
    // scrollIntoView, which also scrolls the page past its title; a saved
    // position makes it skip that (menu.js scrolls the contents alone).
    try {
        if (sessionStorage.getItem("sidebar-scroll") === null) { sessionStorage.setItem("sidebar-scroll", "0"); }
    } catch (e) { /* no storage */ }
    document.documentElement.classList.toggle("sidebar-visible", open);
})();
