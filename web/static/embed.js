/*
 * Puts the health-information chat widget in the corner of any page, with one tag:
 *
 *   <script src="https://clinic.example/embed.js" data-bot-url="https://bot.example" defer></script>
 *
 * The widget is rasa-webchat (installed from npm by `make web`, copied to vendor/). It is loaded
 * from the same origin as this file, so a page needs nothing from a CDN. It talks to the Rasa
 * server's Socket.IO channel at data-bot-url and keeps the conversation in sessionStorage, so a
 * page reload shows the history and continues the same conversation, and closing the browser
 * (or the tab) leaves nothing behind: this matters on shared computers. data-storage="local"
 * keeps it in localStorage instead, across browser restarts.
 *
 * Optional attributes: data-title, data-subtitle, data-placeholder, data-init-payload,
 * data-storage ("session", the default, or "local").
 *
 * This file also adds a "Clear chat" button to the chat's header, which does what typing
 * "forget my data" does (the bot erases the conversation) and then empties the chat and starts
 * a new conversation; a button next to the input that sends a photo or PDF of a lab report to
 * the bot (POST {data-bot-url}/webhooks/socketio/report with the conversation's session id),
 * which reads it and answers in this chat; and what the widget lacks for keyboard and
 * screen-reader users: names on the launcher, the input and the buttons, a live region for new
 * messages, answer buttons that can be reached with Tab and pressed with Enter or Space, and
 * focus that follows opening and closing the chat. Links in the bot's answers keep only the
 * allowed schemes (safeLink); the bot escapes everything else it shows (channels/markup.py).
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

  // Where rasa-webchat keeps the session id and the messages (its own key, in the storage
  // named by params.storage).
  var STORAGE_KEY = "chat_session";
  var storage = options.storage === "local" ? "local" : "session";
  if (options.storage && options.storage !== storage) {
    console.error('embed.js: data-storage is "session" (the default) or "local"');
  }
  // What "Clear chat" sends: the bot's forget_data intent, as the typed "forget my data".
  var FORGET_PAYLOAD = "/forget_data";
  var CLEAR_TIMEOUT_MS = 10000; // how long to wait for the bot to confirm that it forgot
  // Lab reports: the bot reads the file and answers in the chat (through the socket); the
  // request's own answer only says whether it did. The kind is checked by the bot, by content.
  var REPORT_URL = options.botUrl.replace(/\/+$/, "") + "/webhooks/socketio/report";
  var REPORT_TYPES = "image/*,application/pdf";
  var SESSION_HEADER = "X-Chat-Session";
  var UPLOAD_NOTE_MS = 10000; // how long a note about a report that was not sent stays

  var LABELS = {
    open: "Open the lab results chat",
    close: "Close the lab results chat",
    input: "Your question",
    send: "Send",
    log: "Conversation with the lab results helper",
    clear: "Clear chat",
    clearHint: "Erase this conversation, in this browser and on the helper's server",
    cleared: "Chat cleared. The helper has erased this conversation.",
    clearing: "Clearing the chat",
    notCleared: "The helper did not answer, so the chat was not cleared. Please try again.",
    clearAgain: "Clear chat (try again)",
    upload: "Send a photo or PDF of your lab report",
    uploading: "Reading your report ...",
    uploadFailed: "Your report could not be sent. Please try again.",
    notConnected: "Please wait until the chat is connected, then send your report.",
  };

  var root = null; // the element the widget renders into
  var widget = null; // the widget's handle (sendMessage), while it is mounted
  var mounts = 0; // a new React key per mount: a remount is a new, empty widget
  var clearing = null; // the timeout while a "Clear chat" waits for the bot's confirmation
  var focus = null; // see followFocus
  var picker = null; // the file input the upload button opens (hidden, outside the widget)
  var uploading = false; // one report at a time
  var noteTimer = null; // hides a note about a report that was not sent

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
    root = document.createElement("div");
    root.id = "wbc-chat";
    document.body.appendChild(root);
    if (storage === "session") {
      // A copy that an earlier version of this file kept in localStorage would outlive the
      // browser (the conversation itself stays on the server until it is purged).
      window.localStorage.removeItem(STORAGE_KEY);
    }
    mountWidget();
    // The widget renders once the page has loaded, and again on every change.
    focus = followFocus(root);
    new MutationObserver(function () {
      makeAccessible(root);
      focus.update();
    }).observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class", "disabled"],
    });
  }

  /* Renders the widget into the root; a second call replaces it with a new, empty one. */
  function mountWidget() {
    mounts += 1;
    window.WebChat.default(
      {
        key: "wbc-chat-" + mounts,
        innerRef: function (handle) {
          widget = handle;
        },
        socketUrl: options.botUrl,
        socketPath: "/socket.io/",
        initPayload: options.initPayload || "/greet",
        title: options.title || "Lab results helper",
        subtitle: options.subtitle || "General information, not a diagnosis",
        inputTextFieldHint: options.placeholder || "Ask about your white blood cell count",
        // Keep the session id and the messages across reloads: until the browser is closed
        // ("session"), or also across browser restarts ("local").
        params: { storage: storage },
        // No connection to the bot until the visitor opens the chat, so the launcher must
        // show while there is none yet.
        connectOn: "open",
        hideWhenNotConnected: false,
        // Rules are a Botfront feature; without this the widget waits for Botfront's settings.
        withRules: false,
        customMessageDelay: function () {
          return 0;
        },
        // "Forget my data" (typed, or the Clear chat button): the bot erased the conversation;
        // erase this browser's copy too.
        onSocketEvent: {
          bot_uttered: function (message) {
            if (message && message.forget_session) {
              if (clearing !== null) {
                clearTimeout(clearing);
                clearing = null;
                // Once the widget has shown the bot's last messages (no more writes to the
                // storage from this widget), start again with an empty one.
                setTimeout(startAgain, 200);
              } else {
                forgetInThisBrowser();
              }
            }
          },
        },
      },
      root
    );
  }

  function browserStores() {
    return [window.sessionStorage, window.localStorage];
  }

  function eraseBrowserCopy() {
    browserStores().forEach(function (store) {
      store.removeItem(STORAGE_KEY);
    });
  }

  /*
   * The widget keeps the session id and the messages under "chat_session" and writes them again
   * on every change, so the copy is removed now and again when the page is left: after a reload
   * the chat starts empty, in a new conversation.
   */
  function forgetInThisBrowser() {
    eraseBrowserCopy();
    window.addEventListener("pagehide", eraseBrowserCopy);
  }

  /* The Clear chat button: ask the bot to forget, then start again (see onSocketEvent). */
  function clearChat(event) {
    var button = event.currentTarget;
    if (clearing !== null || !widget) return;
    button.setAttribute("aria-disabled", "true");
    button.textContent = LABELS.clear;
    announce(LABELS.clearing);
    clearing = setTimeout(function () {
      clearing = null;
      button.removeAttribute("aria-disabled");
      button.textContent = LABELS.clearAgain;
      announce(LABELS.notCleared);
    }, CLEAR_TIMEOUT_MS);
    widget.sendMessage(FORGET_PAYLOAD); // not shown as the visitor's message
  }

  /* After the bot forgot: no copy in this browser, and a new, empty widget, open and ready. */
  function startAgain() {
    window.removeEventListener("pagehide", eraseBrowserCopy);
    eraseBrowserCopy();
    mountWidget(); // the old widget closes its connection; the new one has no session yet
    eraseBrowserCopy(); // anything the old widget wrote while it closed
    var launcher = root.querySelector("button.rw-launcher");
    if (launcher && !isOpen(root)) launcher.click();
    focus.focusInputWhenReady();
    announce(LABELS.cleared);
  }

  /* A polite status message for screen readers (the page shows the result itself). */
  function announce(text) {
    var status = document.getElementById("wbc-chat-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "wbc-chat-status";
      status.className = "wbc-visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  /* The hidden file input behind every upload button (the widget may be mounted again). */
  function filePicker() {
    if (picker) return picker;
    picker = document.createElement("input");
    picker.type = "file";
    picker.accept = REPORT_TYPES;
    picker.hidden = true;
    picker.tabIndex = -1;
    picker.addEventListener("change", function () {
      var file = picker.files && picker.files[0];
      picker.value = ""; // choosing the same file again is a change too
      if (file) sendReport(file);
    });
    document.body.appendChild(picker);
    return picker;
  }

  /* The session id the widget keeps for this conversation (set when the socket is confirmed). */
  function sessionId() {
    try {
      var stored = JSON.parse(window[storage + "Storage"].getItem(STORAGE_KEY) || "null");
      return stored && typeof stored.session_id === "string" ? stored.session_id : null;
    } catch (error) {
      return null;
    }
  }

  /* Posts the file; the bot's answer arrives in the chat. Shows a note only when it did not. */
  function sendReport(file) {
    var session = sessionId();
    var input = root.querySelector(".rw-new-message");
    if (!session || !input || input.disabled) {
      showUploadNote(LABELS.notConnected);
      return;
    }
    uploading = true;
    showUploadNote(LABELS.uploading, true);
    var headers = {};
    headers[SESSION_HEADER] = session;
    fetch(REPORT_URL, { method: "POST", headers: headers, body: file, credentials: "omit" })
      .then(
        function (response) {
          return response.json().then(
            function (body) {
              return body && body.in_chat ? "" : (body && body.text) || LABELS.uploadFailed;
            },
            function () {
              return LABELS.uploadFailed;
            }
          );
        },
        function () {
          return LABELS.uploadFailed;
        }
      )
      .then(function (note) {
        uploading = false;
        showUploadNote(note);
      });
  }

  /* A short note above the input (and for screen readers); "" hides it. */
  function showUploadNote(text, busy) {
    clearTimeout(noteTimer);
    each(root, ".wbc-upload-button", function (button) {
      setAttributes(button, { "aria-busy": String(Boolean(busy)) });
    });
    each(root, ".wbc-upload-note", function (note) {
      note.textContent = text;
      note.hidden = !text;
    });
    if (text) announce(text);
    if (text && !busy) {
      noteTimer = setTimeout(function () {
        showUploadNote("");
      }, UPLOAD_NOTE_MS);
    }
  }

  /* The upload button (a paper clip) and its note, for the start of the input row. */
  function uploadControls() {
    var controls = document.createElement("span");
    controls.className = "wbc-upload";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "wbc-upload-button";
    button.title = LABELS.upload;
    button.setAttribute("aria-label", LABELS.upload);
    button.setAttribute("aria-busy", String(uploading));
    button.appendChild(paperClip());
    button.addEventListener("click", function () {
      if (!uploading) filePicker().click();
    });
    var note = document.createElement("span");
    note.className = "wbc-upload-note";
    note.setAttribute("aria-hidden", "true"); // announce() tells screen readers
    note.hidden = true;
    controls.appendChild(button);
    controls.appendChild(note);
    return controls;
  }

  function paperClip() {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute(
      "d",
      "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"
    );
    svg.appendChild(path);
    return svg;
  }

  function isOpen(root) {
    return root.querySelector(".rw-conversation-container") !== null;
  }

  /*
   * The widget's input cannot take focus while it waits for the connection, and closing the
   * chat removes the focused element. Returns `update`, to call on every change, which moves
   * the focus to the input once the opened chat is ready, and back to the launcher on closing;
   * and `focusInputWhenReady`, for a chat that Clear chat opened again.
   */
  function followFocus(root) {
    var wasOpen = null; // unknown until the widget has rendered
    var focusInput = false;
    return {
      focusInputWhenReady: function () {
        focusInput = true;
      },
      update: function () {
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
      },
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
    each(root, ".rw-header", function (header) {
      if (header.querySelector(".wbc-clear")) return;
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "wbc-clear";
      clear.textContent = LABELS.clear;
      clear.title = LABELS.clearHint;
      clear.addEventListener("click", clearChat);
      header.insertBefore(clear, header.firstChild); // before the close button, as it is seen
    });
    each(root, ".rw-sender", function (form) {
      if (form.querySelector(".wbc-upload")) return;
      form.insertBefore(uploadControls(), form.firstChild); // left of the input, as it is seen
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
    // Links in answers open in a new tab that cannot reach back to this page. The bot links
    // only its sources (https); a link of any other scheme (javascript:, data:, vbscript:,
    // file:, blob: ...) is not a link at all (see safeLink).
    each(root, ".rw-message a[href]", function (link) {
      if (!safeLink(link)) {
        link.removeAttribute("href");
        return;
      }
      setAttributes(link, { target: "_blank", rel: "noopener noreferrer" });
    });
  }

  /*
   * The allow-list of link schemes: https; http only to this machine (a bot tried out on
   * localhost); mailto: and tel:. Everything else, javascript: and data: above all, is refused.
   */
  var LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
  function safeLink(link) {
    var scheme = link.protocol;
    if (scheme === "https:" || scheme === "mailto:" || scheme === "tel:") return true;
    return scheme === "http:" && LOCAL_HOSTS.indexOf(link.hostname) !== -1;
  }

  addStylesheet();
  loadWidget(startWidget);
})();
