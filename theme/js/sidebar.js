// Decides, before the sidebar is painted, whether it starts open: remembered
// choice on wide screens, closed on phones.
(function () {
    "use strict";
    var toggle = document.getElementById("sidebar-toggle-anchor");
    var state = "hidden";
    if (document.body.clientWidth >= 1080) {
        try { state = localStorage.getItem("mdbook-sidebar") || "visible"; } catch (e) { state = "visible"; }
        if (state.charAt(0) === '"') { state = state.slice(1, -1); }
    }
    toggle.checked = state === "visible";
    if (state !== "visible") {
        document.documentElement.classList.remove("sidebar-visible");
    }
    window.chezsoiSidebarState = state;
})();
