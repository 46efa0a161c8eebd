// The statement preview in the exercise form (templates/grader/statement_preview.html).
// As the instructor types, each language's statement goes to the preview view, which renders it with
// the students' page's renderer (sanitised there); math.js then typesets its math with KaTeX, as the
// coding page does. Nothing is saved. On the read-only form there is nothing to type: the stored
// statements, rendered with the page, only need their math typeset.
(function () {
  "use strict";

  // A pause this long after the last keystroke sends one request, not one per key.
  var DELAY_MS = 400;

  function typeset(output) {
    if (window.statementMath) window.statementMath(output);
  }

  function follow(field, output, status, preview, token) {
    var name = output.dataset.previewOf;
    var timer = null;
    var inFlight = null;

    function show(message) {
      status.textContent = message;
    }

    function refresh() {
      // Only the newest text counts: an answer to an older one is dropped.
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      var body = new URLSearchParams();
      body.append(name, field.value);
      body.append("csrfmiddlewaretoken", token);
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: inFlight.signal
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            show(answer.data.error || preview.dataset.failedText);
            return;
          }
          // Sanitised by the server's allow-list; and the CSP runs no script that could slip in.
          output.innerHTML = answer.data[name];
          typeset(output);
          show("");
        })
        .catch(function (error) {
          if (error.name !== "AbortError") show(preview.dataset.failedText);
        });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var preview = document.querySelector(".statement-preview");
    if (!preview) return;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    preview.querySelectorAll("[data-preview-of]").forEach(function (output) {
      typeset(output);
      var field = document.getElementById("id_" + output.dataset.previewOf);
      var status = output.parentNode.querySelector(".statement-preview-status");
      // A read-only form shows the statement as text, not in a textarea: nothing to follow.
      if (field && field.tagName === "TEXTAREA" && token && status) follow(field, output, status, preview, token.value);
    });
  });
})();
