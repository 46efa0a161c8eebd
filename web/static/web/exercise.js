// The coding page: math rendered by KaTeX, the editor by CodeMirror, both from our own static files.
// Without JavaScript the page still works: the statement shows TeX source and the editor is a textarea.
(function () {
  "use strict";

  function startEditor() {
    var textarea = document.getElementById("id_code");
    if (!textarea || !window.CodeMirror) return;
    var label = document.querySelector("label[for=id_code]");
    var editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "python",
      lineNumbers: true,
      indentUnit: 4,
      tabSize: 4,
      viewportMargin: Infinity,
      // Long lines wrap: a sideways-scrolling editor is hard to use on a phone and from the keyboard.
      lineWrapping: true,
      screenReaderLabel: label ? label.textContent : "code",
      extraKeys: {
        Tab: function (cm) {
          if (cm.somethingSelected()) cm.indentSelection("add");
          else cm.replaceSelection("    ", "end");
        },
        "Shift-Tab": function (cm) { cm.indentSelection("subtract"); },
        // Keyboard users leave the editor with Esc: focus moves to the first button after it.
        Esc: function () {
          var next = document.querySelector("#code-form .actions button");
          if (next) next.focus();
        }
      }
    });
    var input = editor.getInputField();
    input.setAttribute("aria-describedby", "editor-help");
    // htmx reads the textarea when a button posts the form: keep it current.
    editor.on("change", function () { editor.save(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // math.js: the same typesetting as the statement preview in admin.
    if (window.statementMath) document.querySelectorAll(".statement").forEach(window.statementMath);
    startEditor();
  });
})();
