// Runs right after the menu bar, before mdBook's book.js. Without JavaScript
// the sidebar toggle is a <label> for a hidden checkbox (pure CSS); with it,
// it becomes a real <button>, which keyboards and screen readers understand
// and which may carry aria-expanded.
(function () {
    "use strict";
    var label = document.getElementById("sidebar-toggle");
    var checkbox = document.getElementById("sidebar-toggle-anchor");
    if (!label || !checkbox || label.tagName !== "LABEL") { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.id = "sidebar-toggle";
    button.className = label.className;
    ["title", "aria-label", "aria-controls"].forEach(function (name) {
        if (label.hasAttribute(name)) { button.setAttribute(name, label.getAttribute(name)); }
    });
    button.setAttribute("aria-expanded", checkbox.checked ? "true" : "false");
    button.innerHTML = label.innerHTML;
    button.addEventListener("click", function () {
        checkbox.checked = !checkbox.checked;
        checkbox.dispatchEvent(new Event("change"));
    });
    label.parentNode.replaceChild(button, label);
})();
