/* Dealer portal — small unobtrusive behaviour on top of plain HTML forms and htmx.
 *
 * Every page works without this file; it only adds conveniences. Nothing here is inline in the
 * markup (the CSP forbids inline scripts and handlers), so behaviour is attached by attribute:
 *
 *   <form data-confirm="Approve this exception?">          confirm before the form is sent
 *   <button type="submit" data-confirm="Reject?">           confirm when this button sends it
 *   <a href="..." data-confirm="...">, <button hx-post=... data-confirm="...">   confirm on click
 *   <select name="status" data-autosubmit>                  send the form when the choice changes
 *   <input type="radio" data-opens="new-customer">           opens <details id="new-customer"> when
 *                                                           chosen (the registration's new customer)
 *   <button type="submit" class="js-hidden">                hidden when JS runs (the fallback
 *                                                           submit button of an autosubmit form,
 *                                                           e.g. the language switcher)
 *   <div id="flash-area">                                   where error messages appear (htmx puts
 *                                                           them there: HX-Retarget, htmx-config)
 *
 * Load after htmx, both from static/:  <script src=".../htmx.min.js" defer></script>
 *                                      <script src=".../app.js" defer></script>
 * CSRF for htmx comes from <body data-hx-headers='{"X-CSRFToken": "..."}'>; the busy bar and disabled
 * submit buttons of htmx requests from data-hx-indicator / data-hx-disabled-elt on <body>.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // htmx's inline indicator styles, eval and script tags are switched off by the
  // <meta name="htmx-config"> in base.html (the CSP blocks them); app.css styles .htmx-indicator.

  // --- confirmations -------------------------------------------------------------------------

  function isSubmitButton(el) {
    var tag = el.tagName;
    if (tag === "BUTTON") return (el.getAttribute("type") || "submit").toLowerCase() === "submit" && !!el.form;
    if (tag === "INPUT") return /^(submit|image)$/i.test(el.type) && !!el.form;
    return false;
  }

  // A submit button with its own hx-post (etc.) is sent by htmx on click, with no submit event.
  function sendsByItself(el) {
    return ["get", "post", "put", "patch", "delete"].some(function (verb) {
      return el.hasAttribute("data-hx-" + verb);
    });
  }

  function cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Forms and their submit buttons: asked on submit, so Enter in a field asks too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) cancel(event);
  }, true);

  // Links and non-submit buttons (e.g. hx-post on a plain button): asked on click.
  // Capture phase, so a refusal stops htmx's own click handler too.
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (!el || el.tagName === "FORM" || (isSubmitButton(el) && !sendsByItself(el))) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) cancel(event);
  }, true);

  // --- autosubmit ----------------------------------------------------------------------------

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit(); // fires "submit": data-confirm and hx-* on the form still apply
    } else {
      el.form.submit();
    }
  });

  // --- a choice that opens the part of the form it needs --------------------------------------

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-opens") || !el.checked) return;
    var part = document.getElementById(el.getAttribute("data-opens"));
    if (part && part.tagName === "DETAILS") part.open = true;
  });

  // --- busy state of plain forms -----------------------------------------------------------
  // htmx requests show #busy and disable their form's submit buttons by themselves
  // (data-hx-indicator / data-hx-disabled-elt on <body>). A plain form (no htmx) gets the same:
  // its submit buttons are disabled once it is on its way, so a second press sends nothing twice.
  // Disabled after the submit event, so the pressed button's name and value are still sent.

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" ||
        form.hasAttribute("data-hx-post")) return;
    var buttons = form.querySelectorAll("[type=submit]");
    window.setTimeout(function () {
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
      var busy = document.getElementById("busy");
      if (busy) busy.classList.add("htmx-request");
    }, 0);
  });

  // Back to a page kept in the browser's memory: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var buttons = document.querySelectorAll("form [type=submit][disabled]:not([data-stay-disabled])");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
    var busy = document.getElementById("busy");
    if (busy) busy.classList.remove("htmx-request");
  });

  // --- no answer at all ----------------------------------------------------------------------
  // Every answer of the server, errors included, is placed by htmx itself (htmx-config in
  // base.html and the HX-Retarget header of error answers). Only a request that got no answer
  // needs words from here.

  document.addEventListener("htmx:sendError", function () {
    var area = document.getElementById("flash-area");
    if (!area) return;
    var div = document.createElement("div");
    div.className = "flash error";
    div.setAttribute("role", "alert");
    div.textContent = (root.lang || "").toLowerCase().indexOf("zh") === 0
      ? "无法连接服务器，请检查网络后重试。"
      : "Could not reach the server. Check your connection and try again.";
    area.replaceChildren(div);
  });
})();
