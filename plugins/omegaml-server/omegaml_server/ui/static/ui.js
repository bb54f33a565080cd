// omega|ml web UI: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // <button data-copy="#id">: copy the text of #id to the clipboard (an API key shown once)
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });
  // <form data-confirm="text">: ask before submitting
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
