/* Dealer portal — small unobtrusive behaviour on top of plain HTML forms and htmx.
 *
 * Every page works without this file; it only adds conveniences. Nothing here is inline in the
 * markup (the CSP forbids inline scripts and handlers), so behaviour is attached by attribute:
 *
 *   <form data-confirm="Approve this exception?">          confirm before the form is sent
 *   <button type="submit" data-confirm="Reject?">           confirm when this button sends it
 *   <a href="..." data-confirm="...">, <button hx-post=... data-confirm="...">   confirm on click
 *   <select name="status" data-autosubmit>                  send the form when the choice changes
 *   <button type="submit" class="js-hidden">                hidden when JS runs (the fallback
 *                                                           submit button of an autosubmit form,
 *                                                           e.g. the language switcher)
 *   <div id="flash-area">                                   where htmx error messages appear
 *                                                           (created at the top of <main> if absent)
 *
 * Load after htmx, both from static/:  <script src=".../htmx.min.js" defer></script>
 *                                      <script src=".../app.js" defer></script>
 * CSRF for htmx comes from <body hx-headers='{"X-CSRFToken": "..."}'>; nothing to do here.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // htmx's inline indicator styles, eval and script tags are switched off by the
  // <meta name="htmx-config"> in base.html (the CSP blocks them); app.css styles .htmx-indicator.

  function isZh() {
    return (root.lang || "").toLowerCase().indexOf("zh") === 0;
  }

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
      return el.hasAttribute("hx-" + verb) || el.hasAttribute("data-hx-" + verb);
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

  // --- htmx error messages -------------------------------------------------------------------

  function flashArea() {
    var area = document.getElementById("flash-area");
    if (!area) {
      area = document.createElement("div");
      area.id = "flash-area";
      var main = document.querySelector("main") || document.body;
      main.insertBefore(area, main.firstChild);
    }
    if (!area.hasAttribute("aria-live")) area.setAttribute("aria-live", "polite");
    return area;
  }

  function clearHtmxErrors() {
    var old = document.querySelectorAll("#flash-area .flash[data-htmx-error]");
    for (var i = 0; i < old.length; i++) old[i].remove();
  }

  function showError(text) {
    clearHtmxErrors();
    var div = document.createElement("div");
    div.className = "flash error";
    div.setAttribute("role", "alert");
    div.setAttribute("data-htmx-error", "");
    div.textContent = text; // text only: the response is never inserted as HTML here
    flashArea().appendChild(div);
    if (div.scrollIntoView) div.scrollIntoView({ block: "nearest" });
  }

  // The server answers htmx errors with <div class="flash error">message</div>, JSON with
  // {"error": ...}, or plain text; reduce all of them to the message text.
  function messageOf(xhr) {
    var body = (xhr && xhr.responseText) || "";
    var type = (xhr && xhr.getResponseHeader && xhr.getResponseHeader("Content-Type")) || "";
    var text = "";
    if (type.indexOf("json") !== -1) {
      try {
        var data = JSON.parse(body);
        text = data.error || data.message || "";
      } catch (e) { text = ""; }
    } else if (type.indexOf("html") !== -1 || /^\s*</.test(body)) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      var node = doc.querySelector(".flash") || doc.querySelector("main") || doc.body;
      text = node ? node.textContent : "";
    } else {
      text = body;
    }
    text = text.replace(/\s+/g, " ").trim();
    if (text.length > 500) text = text.slice(0, 500) + "…";
    if (!text) {
      var status = xhr ? xhr.status : 0;
      text = isZh() ? "请求未成功（" + status + "），请刷新页面后重试。"
                    : "The request did not succeed (" + status + "). Please reload the page and try again.";
    }
    return text;
  }

  document.addEventListener("htmx:beforeRequest", clearHtmxErrors);

  // 409 "already decided by …", 403, 404, 422 and also 5xx: htmx swaps nothing for these by
  // default, so without this the click would seem to do nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400) showError(messageOf(xhr));
  });

  document.addEventListener("htmx:sendError", function () {
    showError(isZh() ? "无法连接服务器，请检查网络后重试。"
                     : "Could not reach the server. Check your connection and try again.");
  });
})();
