// Workbooks dropped anywhere on the page go into the workbook field, instead of the browser
// opening the file and leaving the page. The other file fields keep their own drops.
(function () {
  "use strict";
  var input = document.getElementById("workbooks");
  var chosen = document.getElementById("chosen");
  if (!input) return;
  var field = input.closest(".field");
  function ownDrop(e) {
    return e.target instanceof HTMLInputElement && e.target.type === "file" && e.target !== input;
  }
  function show() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    chosen.textContent = names.length === 0 ? "" :
      (names.length === 1 ? "1 workbook chosen: " : names.length + " workbooks chosen: ") + names.join(", ");
  }
  document.addEventListener("dragover", function (e) {
    if (ownDrop(e)) return;
    e.preventDefault();
    field.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (e) {
    if (!e.relatedTarget) field.classList.remove("dragging");
  });
  document.addEventListener("drop", function (e) {
    field.classList.remove("dragging");
    if (ownDrop(e)) return;
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
      input.focus();
    }
  });
  input.addEventListener("change", show);
})();
