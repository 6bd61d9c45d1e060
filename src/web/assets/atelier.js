// The projector view's live count: the server announces each new answer
// (server-sent events); the count updates, and the "reveal" button becomes
// usable once the minimum group size is reached. Without this script the
// page reloads itself every few seconds (<noscript> refresh), and the
// server refuses an early reveal anyway.
(function () {
    "use strict";
    var live = document.querySelector("[data-workshop-events]");
    if (!live || !window.EventSource) { return; }
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
                ? "Il manque encore " + needed + " " + plural(needed, "réponse", "réponses") +
                  " pour afficher les résultats du groupe\u00a0: en dessous du minimum, aucun chiffre de groupe n’est montré, pour que personne ne puisse être reconnu."
                : "Assez de réponses\u00a0: vous pouvez afficher les résultats du groupe.";
        }
        if (revealButton) { revealButton.disabled = needed > 0; }
    }

    var source = new EventSource(live.getAttribute("data-workshop-events"));
    source.addEventListener("count", function (event) {
        var count = parseInt(event.data, 10);
        if (!isNaN(count) && count !== shown) { show(count); }
    });
}());
