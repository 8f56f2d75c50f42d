// Chorus reader script: quick exit and printing. Every page works without it.
(function () {
  "use strict";

  // Quick exit: the "Leave this site" link, or Shift pressed three times within a second
  // (as in GOV.UK's "Exit this page"). location.replace swaps this page out of the history,
  // so Back does not come back to it.
  var exitLink = document.querySelector("[data-quick-exit]");
  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 1000;

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    window.location.replace(exitLink.getAttribute("data-quick-exit"));
  }

  if (exitLink) {
    exitLink.addEventListener("click", leave);
    var presses = [];
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift" || event.repeat) {
        return;
      }
      var now = Date.now();
      presses = presses.filter(function (time) { return now - time < SHIFT_WINDOW_MS; });
      presses.push(now);
      if (presses.length >= SHIFT_PRESSES) {
        presses = [];
        leave();
      }
    });
    var hint = document.querySelector("[data-quick-exit-hint]");
    if (hint) {
      hint.hidden = false;
    }
  }

  // Printing: open folded content (content warnings) so the printout holds the whole text,
  // and fold it again afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  });
})();
