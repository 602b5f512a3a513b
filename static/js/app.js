// organizer_pm: page behaviour wired from data- attributes (no inline handlers: the CSP forbids them).
(function () {
  "use strict";
  // The CSRF token for fetch() POSTs: the one htmx sends (body hx-headers), else the cookie. Shared by the
  // calendar, Gantt and Kanban scripts, which load after this file.
  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) {
        return headers["X-CSRFToken"];
      }
    } catch (error) {
      // fall back to the cookie
    }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.organizerPm = { csrfToken: csrfToken };

  // <form data-confirm="Really?">: ask before submitting a destructive action. A submit button may carry its
  // own data-confirm, for a form whose other buttons need no question (My day's actions, T26).
  document.addEventListener("submit", function (event) {
    const submitter = event.submitter;
    const message = (submitter && submitter.getAttribute("data-confirm")) ||
      (event.target.getAttribute && event.target.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // <input data-autosubmit>: submit the filter form when a select changes (htmx handles the request).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });
  // Swatches get their colour from data-colour (style="" attributes are avoided in our own markup).
  // Progress bars get their width from data-width (a percentage).
  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (el) {
      el.style.backgroundColor = el.getAttribute("data-colour");
    });
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.getAttribute("data-width")) || 0)) + "%";
    });
  }
  // [data-needs-webauthn]: shown only where the browser offers security keys and passkeys (WebAuthn).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.PublicKeyCredential) {
      document.querySelectorAll("[data-needs-webauthn]").forEach(function (el) { el.hidden = false; });
    }
  });
  document.addEventListener("DOMContentLoaded", function () { paintSwatches(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintSwatches(event.target); });
})();
