// Progressive enhancement of a quiz form: one question at a time, with a
// progress indicator and keyboard-friendly navigation. Without this script
// the same form works as one page. Answers stay in the page: nothing is sent
// before the final submit.
(function () {
    "use strict";
    Array.prototype.forEach.call(document.querySelectorAll("form.chezsoi-quiz"), function (form) {
        addNonce(form);
        enhance(form);
    });

// The server draws each form's one-time nonce with the page; the form
// inside a chapter of the book, built once for every reader, gets its own
// here. The same form sent twice then leads to the same single result.
function addNonce(form) {
    var crypto = window.crypto;
    if (form.querySelector("input[name=envoi]") || !crypto || !crypto.getRandomValues) { return; }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "envoi";
    input.value = Array.prototype.map.call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
    form.appendChild(input);
}

function enhance(form) {
    var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.chezsoi-question"));
    if (questions.length < 2) { return; }
    // After a refused submission, show everything so each error is visible,
    // and start from the summary that links to them (its title's autofocus
    // does it without this script; a browser that restored the scroll
    // would not).
    if (form.querySelector(".has-error")) {
        var title = document.getElementById("erreurs-titre");
        if (title && document.activeElement !== title) {
            window.scrollTo(0, 0);
            title.focus();
        }
        return;
    }
    // The progress line says where the reader is: the question's own
    // number ("Question 2 sur 15") is then kept for screen readers only.
    form.classList.add("is-stepped");

    var progress = form.querySelector(".chezsoi-progress");
    var progressText = progress.querySelector(".chezsoi-progress-text");
    var progressBar = progress.querySelector(".chezsoi-progress-bar > span");
    var actions = form.querySelector(".chezsoi-quiz-actions");
    // What belongs with the final answer (linking a re-take to the earlier
    // result) shows with the last question, beside the submit button.
    var lastStep = Array.prototype.slice.call(form.querySelectorAll("[data-last-step]"));
    var submit = actions.querySelector("button[type=submit]");
    var current = 0;

    var nav = document.createElement("div");
    nav.className = "chezsoi-quiz-nav";
    var previous = button("Question précédente", "secondary");
    var next = button("Question suivante", "");
    nav.appendChild(previous);
    nav.appendChild(next);
    actions.insertBefore(nav, submit);

    function button(label, extra) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "chezsoi-button " + extra;
        b.textContent = label;
        return b;
    }

    function clearError(fieldset) {
        var old = fieldset.querySelector(".chezsoi-live-error");
        if (old) { old.parentNode.removeChild(old); }
        fieldset.classList.remove("has-error");
        fieldset.removeAttribute("aria-describedby");
    }

    function showError(fieldset, message) {
        clearError(fieldset);
        var p = document.createElement("p");
        p.className = "chezsoi-field-error chezsoi-live-error";
        p.id = fieldset.id + "-erreur-direct";
        p.setAttribute("role", "alert");
        p.textContent = message;
        var legend = fieldset.querySelector("legend");
        legend.parentNode.insertBefore(p, legend.nextSibling);
        fieldset.classList.add("has-error");
        fieldset.setAttribute("aria-describedby", p.id);
    }

    function check(fieldset) {
        var max = Number(fieldset.getAttribute("data-max") || 0);
        var count = fieldset.querySelectorAll("input:checked").length;
        if (fieldset.getAttribute("data-required") === "true" && count === 0) {
            showError(fieldset, "Choisissez une réponse pour continuer.");
            return false;
        }
        if (max > 0 && count > max) {
            showError(fieldset, "Choisissez au plus " + max + " réponses.");
            return false;
        }
        clearError(fieldset);
        return true;
    }

    function show(index, focus) {
        current = index;
        questions.forEach(function (fieldset, i) { fieldset.hidden = i !== index; });
        progress.hidden = false;
        progressText.textContent = "Question " + (index + 1) + " sur " + questions.length;
        progressBar.style.width = Math.round(100 * (index + 1) / questions.length) + "%";
        previous.hidden = index === 0;
        next.hidden = index === questions.length - 1;
        submit.hidden = index !== questions.length - 1;
        lastStep.forEach(function (element) { element.hidden = index !== questions.length - 1; });
        if (focus) {
            var legend = questions[index].querySelector("legend");
            legend.setAttribute("tabindex", "-1");
            legend.focus();
        }
    }

    next.addEventListener("click", function () {
        if (check(questions[current])) { show(current + 1, true); }
    });
    previous.addEventListener("click", function () { show(current - 1, true); });
    form.addEventListener("change", function () { clearError(questions[current]); });
    form.addEventListener("keydown", function (event) {
        // Enter on a choice moves on instead of submitting half a quiz.
        if (event.key === "Enter" && event.target.tagName === "INPUT" && current < questions.length - 1) {
            event.preventDefault();
            next.click();
        }
    });
    form.addEventListener("submit", function (event) {
        for (var i = 0; i < questions.length; i++) {
            if (!check(questions[i])) {
                event.preventDefault();
                show(i, true);
                return;
            }
        }
    });
    show(0, false);
}
})();
