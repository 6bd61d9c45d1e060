// Runs in <head> before mdBook's own scripts. It sets the few globals those
// scripts expect (mdBook's stock template does it with an inline script, which
// our Content-Security-Policy forbids) and applies the saved theme before the
// first paint, so the page does not flash from light to dark.
(function () {
    "use strict";
    var me = document.currentScript;
    var data = me ? me.dataset : {};
    window.path_to_root = data.pathToRoot || "";
    window.default_light_theme = data.defaultTheme || "light";
    window.default_dark_theme = data.darkTheme || "navy";
    if (data.searchIndex) {
        window.path_to_searchindex_js = data.searchIndex;
    }
    window.chezsoi = { liveReload: data.liveReload || null, print: data.print === "true" };

    var prefersDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    window.default_theme = prefersDark ? window.default_dark_theme : window.default_light_theme;

    // The themes the book keeps (each checked for contrast); a theme saved
    // by an older version (Sépia, Nuit…) falls back to the automatic choice.
    var themes = [window.default_light_theme, window.default_dark_theme];
    var theme = null;
    try {
        theme = localStorage.getItem("mdbook-theme");
        // Older mdBook versions stored the value wrapped in quotes.
        if (theme && theme.charAt(0) === '"') {
            theme = theme.slice(1, -1);
        }
        if (theme && themes.indexOf(theme) < 0) {
            localStorage.removeItem("mdbook-theme");
            theme = null;
        }
    } catch (e) { /* storage disabled: keep the default */ }
    var html = document.documentElement;
    html.classList.remove(data.defaultTheme || "light");
    html.classList.add(theme || window.default_theme);
    html.classList.add("js");
})();
