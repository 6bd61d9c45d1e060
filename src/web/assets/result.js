// The result page, with JavaScript: a print button, ticking an action off
// without leaving the page, and deleting asks for confirmation in a dialog
// rather than on a page of its own. Without this script the print button
// stays hidden (the browser's menu prints the same page), ticking sends the
// plain form and comes back to the step, and the delete button leads to the
// confirmation page: the server deletes nothing without the form's
// `confirmation` field.
(function () {
    "use strict";
    Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
        button.hidden = false;
        button.addEventListener("click", function () { window.print(); });
    });

    // Ticking: the same form, sent in the background; the server answers
    // with the action's state and the plan's progress, and the step is
    // updated in place (the focus stays on its button). Should anything go
    // wrong, the form is sent as without this script, and the server's page
    // says what happened.
    var progressText = document.querySelector("[data-progress-text]");
    var progressBar = document.querySelector("[data-progress-bar]");
    Array.prototype.forEach.call(document.querySelectorAll("form[data-tick]"), function (form) {
        if (!window.fetch || !window.FormData || !window.URLSearchParams) { return; }
        var button = form.querySelector("[data-tick-button]");
        form.addEventListener("submit", function (event) {
            event.preventDefault();
            button.disabled = true;
            // Not `form.action`: the form's field named "action" hides it.
            fetch(form.getAttribute("action"), {
                method: "POST",
                credentials: "same-origin",
                headers: {
                    "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded"
                },
                body: new URLSearchParams(new FormData(form)).toString()
            }).then(function (response) {
                if (!response.ok) { throw new Error("HTTP " + response.status); }
                return response.json();
            }).then(function (ticked) {
                button.disabled = false;
                show(form, button, ticked);
            }).catch(function () {
                button.disabled = false;
                form.submit();
            });
        });
    });

    function show(form, button, ticked) {
        var step = form.closest("[data-step]");
        step.classList.toggle("is-done", ticked.done);
        step.querySelector("[data-done-tag]").hidden = !ticked.done;
        var how = step.querySelector("[data-how]");
        if (how) { how.open = !ticked.done; }
        form.querySelector("[data-tick-value]").value = ticked.done ? "non" : "oui";
        // The button's own text; the step's title follows it, hidden.
        button.firstChild.nodeValue = ticked.done ? "Remettre à faire" : "J’ai fait cette action";
        button.classList.toggle("secondary", ticked.done);
        if (progressText) { progressText.textContent = ticked.progress; }
        if (progressBar) { progressBar.style.width = ticked.percent + "%"; }
        button.focus();
    }

    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
        var dialog = document.getElementById(form.getAttribute("data-confirm"));
        if (!dialog || typeof dialog.showModal !== "function") { return; }
        var opener = null;
        form.addEventListener("submit", function (event) {
            event.preventDefault();
            opener = event.submitter || form.querySelector("button[type=submit]");
            dialog.showModal();
        });
        // Back to the button that opened it, as a native dialog does not.
        dialog.addEventListener("close", function () {
            if (opener) { opener.focus(); }
        });
    });
}());
