// The result page, with JavaScript: a print button, and deleting asks for
// confirmation in a dialog rather than on a page of its own. Without this
// script the print button stays hidden (the browser's menu prints the same
// page) and the delete button leads to the confirmation page: the server
// deletes nothing without the form's `confirmation` field.
(function () {
    "use strict";
    Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
        button.hidden = false;
        button.addEventListener("click", function () { window.print(); });
    });

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
