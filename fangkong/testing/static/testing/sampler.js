/* The sampler's pages. htmx swaps only the panel; a refused form answers 400 and is swapped
   like a success, so the refusal shows next to the input with what was typed. Choosing a
   building or unit lists its residents at once. Without JavaScript every form still posts
   and redirects. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      window.location.reload();
    }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit();
    }
  });
})();
