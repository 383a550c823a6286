/*
 * Puts the health-information chat widget in the corner of any page, with one tag:
 *
 *   <script src="https://clinic.example/embed.js" data-bot-url="https://bot.example" defer></script>
 *
 * The widget is rasa-webchat (installed from npm by `make web`, copied to vendor/). It is loaded
 * from the same origin as this file, so a page needs nothing from a CDN. It talks to the Rasa
 * server's Socket.IO channel at data-bot-url and keeps the conversation in localStorage, so a
 * page reload shows the history and continues the same conversation.
 *
 * Optional attributes: data-title, data-subtitle, data-placeholder, data-init-payload.
 *
 * This file also adds what the widget lacks for keyboard and screen-reader users: names on the
 * launcher, the input and the buttons, a live region for new messages, answer buttons that can
 * be reached with Tab and pressed with Enter or Space, and focus that follows opening and
 * closing the chat.
 */
(function () {
  "use strict";

  if (window.wbcChatEmbedded) {
    return; // the tag is on the page twice
  }
  window.wbcChatEmbedded = true;

  var script = document.currentScript;
  if (!script || !script.dataset.botUrl) {
    console.error('embed.js: add data-bot-url="https://your-rasa-server" to its <script> tag');
    return;
  }
  var options = script.dataset;
  var base = new URL(".", script.src);

  var LABELS = {
    open: "Open the lab results chat",
    close: "Close the lab results chat",
    input: "Your question",
    send: "Send",
    log: "Conversation with the lab results helper",
  };

  function addStylesheet() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("embed.css", base).href;
    document.head.appendChild(link);
  }

  function loadWidget(onLoad) {
    var tag = document.createElement("script");
    tag.src = new URL("vendor/rasa-webchat.js", base).href;
    tag.onload = onLoad;
    tag.onerror = function () {
      console.error("embed.js: could not load " + tag.src + " (run `make web`)");
    };
    document.head.appendChild(tag);
  }

  function startWidget() {
    var root = document.createElement("div");
    root.id = "wbc-chat";
    document.body.appendChild(root);
    window.WebChat.default(
      {
        socketUrl: options.botUrl,
        socketPath: "/socket.io/",
        initPayload: options.initPayload || "/greet",
        title: options.title || "Lab results helper",
        subtitle: options.subtitle || "General information, not a diagnosis",
        inputTextFieldHint: options.placeholder || "Ask about your white blood cell count",
        // Keep the session id and the messages across reloads (and browser restarts).
        params: { storage: "local" },
        // No connection to the bot until the visitor opens the chat, so the launcher must
        // show while there is none yet.
        connectOn: "open",
        hideWhenNotConnected: false,
        // Rules are a Botfront feature; without this the widget waits for Botfront's settings.
        withRules: false,
        customMessageDelay: function () {
          return 0;
        },
        // "Forget my data": the bot erased the conversation; erase this browser's copy too.
        onSocketEvent: {
          bot_uttered: function (message) {
            if (message && message.forget_session) {
              forgetInThisBrowser();
            }
          },
        },
      },
      root
    );
    // The widget renders once the page has loaded, and again on every change.
    var update = followFocus(root);
    new MutationObserver(function () {
      makeAccessible(root);
      update();
    }).observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class", "disabled"],
    });
  }

  /*
   * The widget keeps the session id and the messages in localStorage under "chat_session" and
   * writes them again on every change, so the copy is removed now and again when the page is
   * left: after a reload the chat starts empty, in a new conversation.
   */
  function forgetInThisBrowser() {
    var storageKey = "chat_session";
    window.localStorage.removeItem(storageKey);
    window.addEventListener("pagehide", function () {
      window.localStorage.removeItem(storageKey);
    });
  }

  function isOpen(root) {
    return root.querySelector(".rw-conversation-container") !== null;
  }

  /*
   * The widget's input cannot take focus while it waits for the connection, and closing the
   * chat removes the focused element. Returns a function to call on every change, which moves
   * the focus to the input once the opened chat is ready, and back to the launcher on closing.
   */
  function followFocus(root) {
    var wasOpen = null; // unknown until the widget has rendered
    var focusInput = false;
    return function () {
      if (!root.firstChild) return;
      var open = isOpen(root);
      if (wasOpen === null) {
        wasOpen = open; // open after a reload: leave the focus where the page put it
      }
      if (open !== wasOpen) {
        wasOpen = open;
        focusInput = open;
        var lost = document.activeElement === document.body;
        if (!open && (lost || root.contains(document.activeElement))) {
          var launcher = root.querySelector("button.rw-launcher");
          if (launcher) launcher.focus();
        }
      }
      var input = root.querySelector(".rw-new-message");
      if (focusInput && input && !input.disabled) {
        input.focus();
        focusInput = false;
      }
    };
  }

  function setAttributes(element, attributes) {
    Object.keys(attributes).forEach(function (name) {
      if (element.getAttribute(name) !== attributes[name]) {
        element.setAttribute(name, attributes[name]);
      }
    });
  }

  function each(root, selector, apply) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), apply);
  }

  function makeAccessible(root) {
    var open = isOpen(root);
    each(root, "button.rw-launcher", function (launcher) {
      setAttributes(launcher, {
        "aria-label": open ? LABELS.close : LABELS.open,
        "aria-expanded": String(open),
      });
    });
    each(root, ".rw-close-button", function (button) {
      setAttributes(button, { "aria-label": LABELS.close });
    });
    each(root, ".rw-new-message", function (input) {
      setAttributes(input, { "aria-label": LABELS.input });
    });
    each(root, "button.rw-send", function (button) {
      setAttributes(button, { "aria-label": LABELS.send });
    });
    each(root, ".rw-messages-container", function (log) {
      setAttributes(log, { role: "log", "aria-live": "polite", "aria-label": LABELS.log });
    });
    each(root, ".rw-reply:not([data-keyboard])", function (reply) {
      setAttributes(reply, { role: "button", tabindex: "0", "data-keyboard": "" });
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          reply.click();
        }
      });
    });
    // Links in answers open in a new tab that cannot reach back to this page; anything but a
    // web or mail link (javascript:, data:) is not a link at all.
    each(root, ".rw-message a[href]", function (link) {
      if (!/^(https?|mailto):$/.test(link.protocol)) {
        link.removeAttribute("href");
        return;
      }
      setAttributes(link, { target: "_blank", rel: "noopener noreferrer" });
    });
  }

  addStylesheet();
  loadWidget(startWidget);
})();
