// A ticket's page in the console: choosing a 常用回复 puts its text into the reply box (after
// what is typed there already). Without this script the server answers with the chosen reply
// when the box is left empty.
(function () {
  "use strict";
  function attach(select) {
    var box = select.form && select.form.querySelector("textarea[name=" + select.dataset.cannedReplies + "]");
    if (!box) { return; }
    select.addEventListener("change", function () {
      var chosen = select.options[select.selectedIndex];
      var body = chosen && chosen.dataset.body;
      if (!body) { return; }
      box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + body : body;
      select.value = "";  // inserted: the box holds it now
      box.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-canned-replies]").forEach(attach);
  });
})();
