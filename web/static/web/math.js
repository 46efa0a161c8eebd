// Statement math: the statement renderer (grader/markdown_render.py) leaves TeX as the text of
// <pre class="math"> (display) and <code class="math"> (inline); KaTeX, from our own static files,
// typesets it here. One function for the coding page and the statement preview in admin, so an
// instructor sees the math exactly as students will.
(function () {
  "use strict";

  window.statementMath = function (root) {
    if (!window.katex || !root) return;
    root.querySelectorAll(".math").forEach(function (node) {
      var display = node.tagName === "PRE";
      var holder = document.createElement(display ? "div" : "span");
      holder.className = display ? "math-display" : "math-inline";
      try {
        window.katex.render(node.textContent, holder, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
        node.replaceWith(holder);
      } catch (error) {
        // Leave the TeX source as it was: still readable.
      }
    });
  };
})();
