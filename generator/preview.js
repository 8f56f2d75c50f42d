// Live preview only (python -m generator serve); never part of a built site.
// Reloads the page after each successful rebuild, and shows build errors over the page.
(function () {
  "use strict";
  var seen = null;
  var OVERLAY_ID = "chorus-preview-errors";

  function showErrors(errors) {
    var old = document.getElementById(OVERLAY_ID);
    if (old) {
      old.remove();
    }
    if (!errors.length) {
      return;
    }
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    var s = box.style;
    s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.maxHeight = "60vh"; s.overflow = "auto";
    s.zIndex = "2147483647"; s.background = "#fff4f4"; s.color = "#3b0000"; s.borderTop = "4px solid #b00020";
    s.padding = "1rem"; s.fontSize = "1rem"; s.boxShadow = "0 -4px 16px rgba(0,0,0,.25)";
    var heading = document.createElement("h2");
    heading.textContent = "The preview was not updated: fix these problems and save the file";
    heading.style.margin = "0 0 .5rem";
    var list = document.createElement("pre");
    list.textContent = errors.join("\n");
    list.style.whiteSpace = "pre-wrap"; list.style.margin = "0";
    box.appendChild(heading);
    box.appendChild(list);
    document.body.appendChild(box);
  }

  function checkErrors(reloadIfClean) {
    return fetch("/__chorus/errors", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (errors) {
        if (errors.length || !reloadIfClean) {
          showErrors(errors);
        } else {
          window.location.reload();
        }
      });
  }

  function poll() {
    fetch("/__chorus/version", { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (version) {
        if (seen === null) {
          seen = version;
          return checkErrors(false);
        }
        if (version !== seen) {
          seen = version;
          return checkErrors(true);
        }
      })
      .catch(function () { /* the server is restarting or stopped: keep trying */ })
      .then(function () { window.setTimeout(poll, 400); });
  }

  poll();
})();
