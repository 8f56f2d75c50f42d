// Chorus reader script: quick exit, the reader's choice of warnings to hide, and printing.
// Every page works without it. Its words come from the page (data-* attributes the templates
// fill from the site language's catalogue), never from this file.
(function () {
  "use strict";

  // --- Quick exit ---------------------------------------------------------------------------
  // The "Leave this site" link, or Shift pressed three times on its own (GOV.UK's "Exit this
  // page"). A Shift counts only when it is pressed and released with no other key in between,
  // so the Shift held for "#", "M" or "T" never counts, however fast the typing; any other key
  // starts the count again; three within 5 seconds leave. In a text field, a Shift pressed
  // just after a letter (mid-word) does not count either. location.replace swaps this page out
  // of the history, so Back does not come back to it, and the page is hidden at once.
  var exitLink = document.querySelector("[data-quick-exit]");
  var counter = document.querySelector("[data-quick-exit-count]");
  var SHIFT_PRESSES = 3;
  var WINDOW_MS = 5000;
  var count = 0;
  var shiftAlone = false;
  var resetTimer = null;

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    window.location.replace(exitLink.getAttribute("data-quick-exit"));
  }

  function show(text) {
    if (counter) {
      counter.textContent = text;
      counter.classList.toggle("is-counting", text !== "");
    }
  }

  function resetCount() {
    if (count > 0) {
      show("");
    }
    count = 0;
    if (resetTimer) {
      window.clearTimeout(resetTimer);
      resetTimer = null;
    }
  }

  function midWord(target) {
    if (!target || !(target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) {
      return false;
    }
    try {
      var value = target.value || "";
      var at = target.selectionStart;
      return at > 0 && /\S/.test(value.charAt(at - 1));
    } catch (error) {
      return false;  // an input type without a caret (a number field): its Shift counts
    }
  }

  if (exitLink) {
    exitLink.addEventListener("click", leave);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Shift") {
        if (!event.repeat) {
          shiftAlone = !event.ctrlKey && !event.altKey && !event.metaKey && !midWord(event.target);
        }
        return;
      }
      shiftAlone = false;  // another key while Shift is down: it was for a capital or a symbol
      resetCount();
    }, true);
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        return;
      }
      if (!shiftAlone) {
        return;
      }
      shiftAlone = false;
      count += 1;
      if (count >= SHIFT_PRESSES) {
        resetCount();
        leave();
        return;
      }
      var says = counter ? counter.getAttribute("data-says") || "{count}/{total}" : "";
      show(says.replace("{count}", String(count)).replace("{total}", String(SHIFT_PRESSES)));
      if (resetTimer) {
        window.clearTimeout(resetTimer);
      }
      resetTimer = window.setTimeout(resetCount, WINDOW_MS);
    }, true);
    window.addEventListener("pageshow", function () {
      document.body.hidden = false;  // restored from the back/forward cache in some browsers
      resetCount();
    });
    var hint = document.querySelector("[data-quick-exit-hint]");
    if (hint) {
      hint.hidden = false;  // the style sheet keeps it off touch screens, which have no Shift key
    }
  }

  // --- Warnings the reader chose to hide ----------------------------------------------------
  // A JSON list of warning ids, kept for this tab only (sessionStorage) unless the reader asks
  // to remember it on this device (localStorage). The search page reads the same setting.
  var HIDE_KEY = "chorus-hide";
  var REMEMBER_KEY = "chorus-remember";

  function remembered() {
    try {
      return window.localStorage.getItem(REMEMBER_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function readHidden() {
    try {
      var store = remembered() ? window.localStorage : window.sessionStorage;
      var value = JSON.parse(store.getItem(HIDE_KEY) || "[]");
      return Array.isArray(value) ? value.filter(function (id) { return typeof id === "string"; }) : [];
    } catch (error) {
      return [];
    }
  }

  function saveHidden(ids, remember) {
    try {
      if (remember) {
        window.localStorage.setItem(REMEMBER_KEY, "1");
        window.localStorage.setItem(HIDE_KEY, JSON.stringify(ids));
        window.sessionStorage.removeItem(HIDE_KEY);
      } else {
        window.localStorage.removeItem(REMEMBER_KEY);
        window.localStorage.removeItem(HIDE_KEY);
        if (ids.length) {
          window.sessionStorage.setItem(HIDE_KEY, JSON.stringify(ids));
        } else {
          window.sessionStorage.removeItem(HIDE_KEY);
        }
      }
    } catch (error) {
      // Storage refused (some private modes): the choice holds for this page only.
    }
  }

  function applyHidden(ids) {
    var hidden = 0;
    document.querySelectorAll("[data-warnings]").forEach(function (card) {
      var warnings = card.getAttribute("data-warnings").split(" ");
      var hide = warnings.some(function (id) { return ids.indexOf(id) !== -1; });
      var holder = card.closest("li") || card;
      holder.hidden = hide;
      hidden += hide ? 1 : 0;
    });
    var status = document.querySelector("[data-hidden-count]");
    if (status) {
      var words = hidden === 1 ? status.getAttribute("data-one") : status.getAttribute("data-many");
      status.textContent = hidden ? (words || "{count}").replace("{count}", String(hidden)) : "";
    }
  }

  var controls = document.querySelector("[data-reader-controls]");
  if (controls) {
    var boxes = controls.querySelectorAll("input[data-hide-warning]");
    var remember = controls.querySelector("input[data-remember]");
    var chosen = readHidden();
    boxes.forEach(function (box) { box.checked = chosen.indexOf(box.value) !== -1; });
    if (remember) {
      remember.checked = remembered();
    }
    controls.hidden = false;
    var changed = function () {
      var ids = [];
      boxes.forEach(function (box) { if (box.checked) { ids.push(box.value); } });
      saveHidden(ids, remember ? remember.checked : false);
      applyHidden(ids);
    };
    controls.addEventListener("change", changed);
    applyHidden(chosen);
  } else {
    applyHidden(readHidden());
  }

  // --- Printing -----------------------------------------------------------------------------
  // Open folded content (content warnings) so the printout holds the whole text, and fold it
  // again afterwards.
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
