// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "nl";
  var words = lang === "en"
    ? { d: ["day", "days"], h: ["hour", "hours"], m: ["minute", "minutes"], and: " and ", none: "deadline passed" }
    : { d: ["dag", "dagen"], h: ["uur", "uur"], m: ["minuut", "minuten"], and: " en ", none: "deadline verstreken" };

  function plural(n, pair) { return n + " " + (n === 1 ? pair[0] : pair[1]); }

  // Countdowns: <span data-deadline="2026-05-11T12:00:00+02:00">…</span>. The server
  // decides whether a phase is open; this only keeps the "time left" text current.
  function renderCountdown(el) {
    var left = Math.floor((Date.parse(el.getAttribute("data-deadline")) - Date.now()) / 1000);
    if (!(left > 0)) { el.textContent = words.none; return; }
    var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600), m = Math.floor((left % 3600) / 60);
    var parts = [];
    if (d) parts.push(plural(d, words.d));
    if (h && parts.length < 2) parts.push(plural(h, words.h));
    if (!d && parts.length < 2 && (m || !parts.length)) parts.push(plural(m, words.m));
    el.textContent = parts.join(words.and);
  }
  var countdowns = document.querySelectorAll("[data-deadline]");
  function tick() { countdowns.forEach(renderCountdown); }
  if (countdowns.length) { tick(); setInterval(tick, 30000); }

  // Live character counter for fields with a limit (the limit is also enforced on the server).
  // The counter is placed right under its field and announced politely to screen readers.
  document.querySelectorAll("[data-char-limit]").forEach(function (field) {
    var limit = parseInt(field.getAttribute("data-char-limit"), 10);
    var template = field.getAttribute("data-counter-template") || "{used} / {limit}";
    var counter = document.createElement("p");
    counter.id = field.id + "_counter";
    counter.className = "char-counter small mb-0";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    // 6.000, as the server writes numbers (intake.kernel.formatting.format_number).
    function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
    function update() {
      var used = field.value.length;
      counter.textContent = template.replace("{used}", grouped(used)).replace("{limit}", grouped(limit));
      counter.classList.toggle("over", used > limit);
    }
    field.addEventListener("input", update);
    update();
  });

  // The dossier's section list folds to one line on a phone, so the section comes first; it
  // stays open on wider screens (and without this script).
  document.querySelectorAll("details[data-fold-below]").forEach(function (details) {
    var wide = window.matchMedia("(min-width: " + details.getAttribute("data-fold-below") + "px)");
    function fit() { details.open = wide.matches; }
    fit();
    wide.addEventListener("change", fit);
  });

  // The error summary after a refused POST: focused on load (autofocus is not honoured by
  // every browser for a non-control), and each link moves focus to its field, not only the view.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary && (document.activeElement === document.body || document.activeElement === null)) summary.focus();
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  });
})();
