// French search, loaded after elasticlunr and before lunr-languages' French
// support (installed from npm by the build). The book's index
// (src/book/search.rs) names its pipeline: chezsoi-trimmer, stopWordFilter-fr,
// accentFold-fr, stemmer-fr. lunr-languages registers the last three; this
// file lets it register them into elasticlunr, registers the trimmer, and
// splits queries where the index split the book: spaces, hyphens and both
// apostrophes, so that « l'audience » and « l’audience » both look for
// « audience ».
(function () {
    "use strict";
    var elasticlunr = window.elasticlunr;
    if (!elasticlunr) { return; }
    // lunr-languages attaches itself to `lunr`; elasticlunr has the same
    // Pipeline API, and this one helper of lunr's.
    window.lunr = elasticlunr;
    elasticlunr.generateStopWordFilter = function (words) {
        var stop = Object.create(null);
        words.forEach(function (word) { stop[word] = true; });
        return function (token) {
            if (token && stop[token] !== true) { return token; }
        };
    };

    elasticlunr.tokenizer.setSeperator(/[\s\-'\u2019]+/);

    var trim = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
    function trimmer(token) {
        var trimmed = token.replace(trim, "");
        return trimmed === "" ? undefined : trimmed;
    }
    elasticlunr.Pipeline.registerFunction(trimmer, "chezsoi-trimmer");

    // mdBook's searcher.js picks snippets and highlights with
    // `elasticlunr.stemmer`: give it the same steps as the index (a word as
    // it appears in a sentence: elided article, punctuation and all).
    elasticlunr.stemmer = function (word) {
        var parts = String(word).toLowerCase().split(/['\u2019]/);
        var term = trimmer(parts[parts.length - 1]);
        if (!term || !elasticlunr.fr) { return term || ""; }
        return elasticlunr.fr.stemmer(elasticlunr.fr.accentFold(term));
    };
})();
