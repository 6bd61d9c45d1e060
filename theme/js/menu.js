// Runs right after the menu bar. Without JavaScript the contents button is a
// link to the contents page (toc.html); here it becomes a real <button> that
// opens and closes the sidebar, says so (aria-expanded), moves the focus into
// the contents when it opens them and back when Escape closes them. Also the
// theme picker.
(function () {
    "use strict";
    var html = document.documentElement;
    var checkbox = document.getElementById("sidebar-toggle-anchor");
    var sidebar = document.getElementById("sidebar");
    var link = document.getElementById("sidebar-toggle");
    if (!checkbox || !sidebar || !link) { return; }

    var button = document.createElement("button");
    button.type = "button";
    button.id = "sidebar-toggle";
    button.className = link.className;
    button.title = "Afficher ou masquer le sommaire";
    button.setAttribute("aria-label", "Sommaire");
    button.setAttribute("aria-controls", "sidebar");
    button.innerHTML = link.innerHTML;
    link.parentNode.replaceChild(button, link);

    var wide = window.matchMedia("(min-width: 1080px)");
    var active = sidebar.querySelector("a.active");
    if (active) {
        active.setAttribute("aria-current", "page");
        var box = sidebar.querySelector(".sidebar-scrollbox");
        if (box && box.scrollTop === 0 && active.offsetTop > box.clientHeight * 0.7) {
            box.scrollTop = active.offsetTop - box.clientHeight / 2;
        }
    }

    function isOpen() { return checkbox.checked; }

    function setOpen(open, focus) {
        checkbox.checked = open;
        html.classList.toggle("sidebar-visible", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (wide.matches) {
            try { localStorage.setItem("mdbook-sidebar", open ? "visible" : "hidden"); } catch (e) { /* no storage */ }
        }
        if (open && focus) {
            var target = sidebar.querySelector("a.active") || sidebar.querySelector("a");
            if (target) { target.focus(); }
        } else if (!open && focus) {
            button.focus();
        }
    }
    setOpen(isOpen(), false);

    button.addEventListener("click", function () { setOpen(!isOpen(), true); });
    // Escape closes the contents when they cover the page, or when the focus is in them.
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || !isOpen()) { return; }
        if (!wide.matches || sidebar.contains(document.activeElement)) {
            setOpen(false, true);
        }
    });
    // On a narrow screen a tap on the page beside the open contents closes them.
    document.getElementById("page-wrapper").addEventListener("click", function (event) {
        if (isOpen() && !wide.matches && !button.contains(event.target)) {
            setOpen(false, false);
        }
    });

    // Theme picker: automatic (follows the system), light, dark.
    var toggle = document.getElementById("theme-toggle");
    var list = document.getElementById("theme-list");
    if (!toggle || !list) { return; }
    var themes = [window.default_light_theme, window.default_dark_theme];
    function saved() {
        try { return localStorage.getItem("mdbook-theme"); } catch (e) { return null; }
    }
    function mark() {
        var current = saved() || "default_theme";
        Array.prototype.forEach.call(list.querySelectorAll("button.theme"), function (item) {
            item.setAttribute("aria-pressed", item.id === current ? "true" : "false");
            item.classList.toggle("theme-selected", item.id === current);
        });
    }
    function showList(show) {
        list.style.display = show ? "block" : "";
        toggle.setAttribute("aria-expanded", show ? "true" : "false");
        if (show) {
            mark();
            (list.querySelector("[aria-pressed=true]") || list.querySelector("button")).focus();
        }
    }
    toggle.addEventListener("click", function () {
        showList(toggle.getAttribute("aria-expanded") !== "true");
    });
    list.addEventListener("click", function (event) {
        var item = event.target.closest("button.theme");
        if (!item) { return; }
        var theme = item.id;
        try {
            if (theme === "default_theme") { localStorage.removeItem("mdbook-theme"); } else { localStorage.setItem("mdbook-theme", theme); }
        } catch (e) { /* no storage: this page only */ }
        if (theme === "default_theme") { theme = window.default_theme; }
        themes.forEach(function (name) { html.classList.remove(name); });
        html.classList.add(theme);
        showList(false);
        toggle.focus();
    });
    list.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { showList(false); toggle.focus(); }
    });
    document.addEventListener("click", function (event) {
        if (!list.contains(event.target) && !toggle.contains(event.target)) { showList(false); }
    });
})();
