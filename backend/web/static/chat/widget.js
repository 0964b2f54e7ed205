/* The 95598 chat on any site: <script src="https://host/chat/widget.js" defer></script>.
   Adds one floating button that opens /chat in an iframe panel (full screen on phones).
   Everything lives in a shadow root on one element marked data-95598-chat: no globals, no
   page styles touched either way. Esc (in the page or in the chat) and the close button
   close the panel and give the focus back to the button. The server fills in the config
   (the chat's path and the sentences, backend/web/chat_wording.py). */
(function (config) {
  "use strict";
  var script = document.currentScript;
  // Without shadow DOM (very old browsers) the widget stays out rather than leak styles into the site.
  if (!script || !script.src || !document.documentElement.attachShadow) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var T = config.texts;
  var CSS = [
    ":host { all: initial; }",
    ".open { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; gap: 6px;",
    "  align-items: center; padding: 12px 18px; border: 0; border-radius: 999px; background: #00706b; color: #fff;",
    "  font: 600 16px/1.2 -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); cursor: pointer; min-height: 48px; }",
    ".open:focus-visible, .close:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }",
    ".panel { position: fixed; right: 16px; bottom: 80px; z-index: 2147483001; width: 380px; max-width: calc(100vw - 32px);",
    "  height: 640px; max-height: calc(100vh - 100px); display: flex; flex-direction: column; background: #fff;",
    "  border-radius: 10px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".bar { display: flex; align-items: center; justify-content: space-between; padding: 0 4px 0 14px; min-height: 48px;",
    "  background: #00706b; color: #fff;",
    "  font: 600 16px/1.2 -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; }",
    ".close { min-width: 48px; min-height: 48px; border: 0; background: transparent; color: #fff; font-size: 26px;",
    "  line-height: 1; cursor: pointer; }",
    "iframe { flex: 1 1 auto; width: 100%; border: 0; }",
    "@media (max-width: 600px) { .panel { top: 0; left: 0; right: 0; bottom: 0; width: auto; height: auto;",
    "  max-width: none; max-height: none; border-radius: 0; } }"
  ].join("\n");

  function make(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }
  function styleInto(root) {
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];  // not an inline <style>: works under the host page's strict CSP
    } else {
      root.appendChild(make("style", {}, CSS));
    }
  }
  function build() {
    if (document.querySelector("[data-95598-chat]")) { return; }  // the script included twice
    var host = make("div", { "data-95598-chat": "" });
    var root = host.attachShadow({ mode: "open" });
    styleInto(root);
    var open = make("button", { type: "button", "class": "open", "aria-label": T.openLabel, "aria-expanded": "false",
                                "aria-controls": "panel", "aria-haspopup": "dialog" });
    open.appendChild(make("span", { "aria-hidden": "true" }, "💬"));
    open.appendChild(make("span", {}, T.open));
    var panel = make("div", { id: "panel", "class": "panel", role: "dialog", "aria-label": T.panel, hidden: "" });
    var bar = make("div", { "class": "bar" });
    bar.appendChild(make("span", {}, T.panel));
    var close = make("button", { type: "button", "class": "close", "aria-label": T.close }, "×");
    bar.appendChild(close);
    panel.appendChild(bar);
    var frame = null;

    function show() {
      if (!frame) {
        frame = make("iframe", { title: T.panel, src: origin + config.path + "?embed=1", allow: "clipboard-write" });
        frame.addEventListener("load", function () { if (!panel.hidden) { frame.focus(); } });
        panel.appendChild(frame);
      } else {
        frame.focus();
      }
      panel.hidden = false;
      open.setAttribute("aria-expanded", "true");
    }
    function hide() {
      if (panel.hidden) { return; }
      panel.hidden = true;
      open.setAttribute("aria-expanded", "false");
      open.focus();
    }
    open.addEventListener("click", function () { if (panel.hidden) { show(); } else { hide(); } });
    close.addEventListener("click", hide);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
    window.addEventListener("message", function (event) {
      if (event.origin === origin && event.data && event.data.type === "95598-chat-close") { hide(); }
    });
    root.appendChild(open);
    root.appendChild(panel);
    document.body.appendChild(host);
  }
  if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
}(__WIDGET_CONFIG__));
