// A live preview under every textarea marked data-markdown-preview: the server renders the
// Markdown as the customer will see it (sanitized), a moment after typing stops.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(textarea) {
    var preview = document.createElement("div");
    preview.className = "markdown-preview markdown-body";
    preview.setAttribute("aria-live", "polite");
    var label = document.createElement("div");
    label.className = "markdown-preview-label";
    label.textContent = "预览（客户看到的样子）";
    textarea.insertAdjacentElement("afterend", preview);
    textarea.insertAdjacentElement("afterend", label);
    var timer = null;
    var sent = 0;
    function render() {
      var ticket = ++sent;
      var body = new URLSearchParams({ text: textarea.value });
      fetch(textarea.dataset.markdownPreview, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && ticket === sent) { preview.innerHTML = answer.html; }
        })
        .catch(function () { /* the next keystroke tries again */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
    render();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  });
})();
