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
 * Optional attributes (docs/widget.md lists them with their defaults): data-title,
 * data-subtitle, data-placeholder, data-init-payload, data-storage ("session", the default, or
 * "local"), data-title-level, data-theme ("auto", "light" or "dark"), data-color and
 * data-color-dark (the main colour; the text on it is chosen for contrast), and one
 * data-label-NAME for each of the LABELS below (data-label-open, data-label-clear-hint, ...).
 *
 * This file also adds a "Clear chat" button to the chat's header, which does what typing
 * "forget my data" does (the bot erases the conversation) and then empties the chat and starts
 * a new conversation; a button next to the input that sends a photo or PDF of a lab report to
 * the bot (POST {data-bot-url}/webhooks/socketio/report with the conversation's session id),
 * which reads it and answers in this chat; and what the widget lacks for keyboard and
 * screen-reader users: names on the launcher, the input and the buttons, a labelled landmark, a
 * live region for new messages that can also take focus for scrolling, answer buttons that can
 * be reached with Tab and pressed with Enter or Space, focus that follows opening and closing
 * the chat and returns to the input after an answer button, Escape to close, a chat that is
 * modal on small screens (the page behind it inert) and on a desktop leaves no covered link
 * focusable. Each new reply of the bot is scrolled so that its first line shows (the widget
 * itself scrolls to the bottom). Emergency advice (tagged by the bot's Socket.IO channel) gets
 * its own style, a label and one call link for the visitor's region. Each answer gets "Was this
 * helpful?" with a thumbs up and down (the vote goes to the bot's Socket.IO channel, which keeps
 * it; channels/votes.py). Links in the bot's answers
 * keep only the allowed schemes (safeLink); the bot escapes everything else it shows
 * (channels/markup.py).
 *
 * A page can open the chat with the visitor's own result (docs/fhir.md): WbcChat.explain(resource)
 * takes a FHIR R4 Observation, or a Bundle with the Patient, posts it to the bot's
 * POST {data-bot-url}/webhooks/fhir/Observation/$interpret, opens the chat and sends the reading
 * the bot wrote for it ("WBC 3.2 x10^9/L (4.0-11.0), age 34, female") as the visitor's first
 * message, shown as such, which the bot then explains like any typed count. It returns a Promise
 * of the bot's FHIR answer (a Parameters resource). A button with data-wbc-explain="ID" does the
 * same for the JSON in the element with that id (a <script type="application/fhir+json">, which
 * a Content-Security-Policy allows, as it runs nothing).
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
  // A FHIR result to explain (WbcChat.explain): the bot reads it and writes the message to send.
  var FHIR_URL = options.botUrl.replace(/\/+$/, "") + "/webhooks/fhir/Observation/$interpret";
  var FHIR_JSON = "application/fhir+json";
  var CHAT_MESSAGE_PART = "chatMessage"; // the part of the bot's answer that is the message
  var READY_TIMEOUT_MS = 20000; // how long to wait for the chat to connect before sending

  // Every text this file adds to the page; each one can be replaced from the tag with
  // data-label-NAME (e.g. data-label-open, data-label-clear-hint).
  var LABELS = {
    region: "Lab results chat",
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
    newTab: "(opens in a new tab)",
    emergency: "Emergency",
    call: "Call {number}",
    otherNumbers: "Other emergency numbers:",
    explaining: "Reading your result ...",
    explainFailed: "Your result could not be explained.",
    helpful: "Was this helpful?",
    helpfulYes: "Yes, this was helpful",
    helpfulNo: "No, this was not helpful",
  };
  Object.keys(LABELS).forEach(function (name) {
    var option = options["label" + name.charAt(0).toUpperCase() + name.slice(1)];
    if (option) LABELS[name] = option;
  });
  var TITLE_ID = "wbc-chat-title";
  // The chat's title is a heading of this level (the widget writes an h4, which would skip
  // levels after a page's h1); 2 suits a page whose own sections are h2 (data-title-level).
  var titleLevel = /^[1-6]$/.test(options.titleLevel || "") ? options.titleLevel : "2";

  // Colours. The main colour (header, launcher, the visitor's bubbles, answer buttons) can be a
  // site's own, for the light and for the dark theme; the text on it is white or near-black,
  // whichever contrasts more. The rest of each theme is in embed.css.
  var DEFAULT_MAIN = "#135afe";
  var THEME_SURFACES = { light: "#f4f7f9", dark: "#1f2328" }; // embed.css: --wbc-sender-bg
  var THEME_TEXT = { light: "#1a1a1a", dark: "#f1f3f5" }; // embed.css: --wbc-text
  var mainColor = colorOption("color", DEFAULT_MAIN);
  var colors = { light: mainColor, dark: colorOption("colorDark", mainColor) };
  var theme = ["light", "dark"].indexOf(options.theme) !== -1 ? options.theme : "auto";
  if (options.theme && theme === "auto" && options.theme !== "auto") {
    console.error('embed.js: data-theme is "auto" (the default), "light" or "dark"');
  }
  var darkScheme = window.matchMedia("(prefers-color-scheme: dark)");
  // The widget is full-screen up to 800 px wide (its own breakpoint): there the chat is modal.
  var smallScreen = window.matchMedia("screen and (max-width: 800px)");

  var region = null; // the chat's landmark: the widget's root, the status region, the picker
  var root = null; // the element the widget renders into
  var widget = null; // the widget's handle (sendMessage), while it is mounted
  var mounts = 0; // a new React key per mount: a remount is a new, empty widget
  var clearing = null; // the timeout while a "Clear chat" waits for the bot's confirmation
  var focus = null; // see followFocus
  var picker = null; // the file input the upload button opens (hidden, beside the widget)
  var uploading = false; // one report at a time
  var noteTimer = null; // hides a note about a report that was not sent
  var emergencyNumbers = null; // the numbers to call, from the bot's latest emergency advice
  var ownLinks = new WeakSet(); // links this file made (the call link), not the bot's text
  var pinnedTurn = null; // the bot's latest turn, whose reply is kept in view (keepReplyTopInView)
  var pinnedFrom = 0; // the reply's first message in that turn
  var readerScrolled = false; // the visitor scrolled since that turn began: leave the log alone
  var layoutPending = false; // a layout check is due at the next frame (scheduleLayout)

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
    region = document.createElement("section");
    region.id = "wbc-chat-region";
    region.setAttribute("aria-label", LABELS.region);
    root = document.createElement("div");
    root.id = "wbc-chat";
    region.appendChild(root);
    document.body.appendChild(region);
    applyTheme();
    listen(darkScheme, applyTheme);
    listen(smallScreen, scheduleLayout);
    window.addEventListener("resize", scheduleLayout);
    window.addEventListener("scroll", scheduleLayout, { capture: true, passive: true });
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("click", onExplainButton);
    if (storage === "session") {
      // A copy that an earlier version of this file kept in localStorage would outlive the
      // browser (the conversation itself stays on the server until it is purged).
      window.localStorage.removeItem(STORAGE_KEY);
    }
    mountWidget();
    markStarted();
    // The widget renders once the page has loaded, and again on every change.
    focus = followFocus(root);
    new MutationObserver(function () {
      makeAccessible(root);
      decorateEmergencies(root);
      addRangePictures(root);
      addVoteButtons(root);
      keepReplyTopInView(root);
      focus.update();
      scheduleLayout();
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
            var style = message && message.customCss;
            if (style && hasClass(style.css, EMERGENCY_CLASS) && Array.isArray(style.numbers)) {
              emergencyNumbers = style.numbers;
            }
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
    expectReply();
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
      region.appendChild(status);
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
    region.appendChild(picker);
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
    expectReply();
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
    // The widget's title is an h4; it is hidden and shown again as a heading of titleLevel.
    each(root, ".rw-header", function (header) {
      var title = header.querySelector(".rw-title");
      if (!title || header.querySelector(".wbc-title")) return;
      var heading = document.createElement("h" + titleLevel);
      heading.className = "wbc-title";
      heading.id = TITLE_ID;
      heading.textContent = title.textContent;
      header.insertBefore(heading, title);
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
    // The log takes focus, so that it can be scrolled with the arrow keys; the visitor's own
    // scrolling (wheel, touch, scroll bar, keys) stops keepReplyTopInView until the next reply.
    each(root, ".rw-messages-container:not([data-keyboard])", function (log) {
      setAttributes(log, { tabindex: "0", "data-keyboard": "" });
      ["wheel", "touchmove", "pointerdown"].forEach(function (type) {
        log.addEventListener(type, onReaderScroll, { passive: true });
      });
      log.addEventListener("keydown", function (event) {
        if (event.target === log && SCROLL_KEYS.indexOf(event.key) !== -1) onReaderScroll();
      });
    });
    each(root, ".rw-messages-container", function (log) {
      setAttributes(log, { role: "log", "aria-live": "polite", "aria-label": LABELS.log });
    });
    // An answer button disappears once pressed; the focus goes back to the input. Not after a
    // tap on a touch screen, where the on-screen keyboard would cover the bot's reply.
    each(root, ".rw-reply:not([data-keyboard])", function (reply) {
      var pointer = ""; // what pressed it: "mouse", "touch", "pen", or "" for the keyboard
      setAttributes(reply, { role: "button", tabindex: "0", "data-keyboard": "" });
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          reply.click();
        }
      });
      reply.addEventListener("pointerdown", function (event) {
        pointer = event.pointerType;
      });
      reply.addEventListener("click", function () {
        if (pointer !== "touch" && pointer !== "pen") focus.focusInputWhenReady();
        pointer = "";
      });
    });
    // Links in answers open in a new tab that cannot reach back to this page, and say so. The
    // bot links only its sources (https); a link of any other scheme (javascript:, data:,
    // vbscript:, tel:, file:, blob: ...) is not a link at all (see safeLink). The one call link
    // of emergency advice is made here (callBox), not taken from the bot's text.
    each(root, ".rw-message a[href]", function (link) {
      if (ownLinks.has(link)) return;
      if (!safeLink(link)) {
        link.removeAttribute("href");
        return;
      }
      setAttributes(link, { target: "_blank", rel: "noopener noreferrer" });
      if (!link.querySelector(".wbc-new-tab")) {
        var note = document.createElement("span");
        note.className = "wbc-new-tab wbc-visually-hidden";
        note.textContent = " " + LABELS.newTab;
        link.appendChild(note);
      }
    });
  }

  /*
   * The allow-list of link schemes in the bot's text: https; http only to this machine (a bot
   * tried out on localhost); mailto:. Everything else, javascript: and data: above all, is
   * refused; tel: too, since the only number worth a link is the one callBox makes.
   */
  var LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
  function safeLink(link) {
    var scheme = link.protocol;
    if (scheme === "https:" || scheme === "mailto:") return true;
    return scheme === "http:" && LOCAL_HOSTS.indexOf(link.hostname) !== -1;
  }

  /* ---- A FHIR result from the page: WbcChat.explain ------------------------------------ */

  var explaining = null; // the Promise of the result being explained (one at a time)
  var widgetStarted = null; // resolves once the widget is on the page
  var markStarted = null;
  widgetStarted = new Promise(function (resolve) {
    markStarted = resolve;
  });

  /*
   * Explains a FHIR Observation or Bundle in the chat: the bot interprets it (HTTP), then the
   * message it wrote for the chat is sent as the visitor's own. Resolves with the bot's answer
   * (a Parameters resource); rejects, with the bot's reason shown in the chat, when it cannot.
   */
  function explain(resource) {
    if (explaining) return explaining;
    explaining = widgetStarted
      .then(function () {
        openChat();
        showUploadNote(LABELS.explaining, true);
        return fetch(FHIR_URL, {
          method: "POST",
          headers: { "Content-Type": FHIR_JSON, Accept: FHIR_JSON },
          body: typeof resource === "string" ? resource : JSON.stringify(resource),
          credentials: "omit",
        });
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(diagnostics(body) || LABELS.explainFailed);
          return body;
        });
      })
      .then(function (answer) {
        var text = parameterValue(answer, CHAT_MESSAGE_PART);
        if (!text) throw new Error(LABELS.explainFailed);
        return chatReady().then(function () {
          showUploadNote("");
          widget.sendMessage(text, text); // sent, and shown as the visitor's message
          return answer;
        });
      })
      .then(
        function (answer) {
          explaining = null;
          return answer;
        },
        function (error) {
          explaining = null;
          var reason = error && error.message ? error.message : LABELS.explainFailed;
          chatReady().then(
            function () {
              showUploadNote(reason);
            },
            function () {
              announce(reason);
            }
          );
          throw error;
        }
      );
    return explaining;
  }

  /* A button with data-wbc-explain="ID": explains the FHIR JSON in the element with that id. */
  function onExplainButton(event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-wbc-explain]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-wbc-explain"));
    if (!source) {
      console.error("embed.js: no element with the id in data-wbc-explain");
      return;
    }
    event.preventDefault();
    explain(source.textContent).catch(function () {
      // shown in the chat already
    });
  }

  function openChat() {
    var launcher = root && root.querySelector("button.rw-launcher");
    if (launcher && !isOpen(root)) launcher.click();
  }

  /* Resolves once the open chat is connected, with a signed session (the input is enabled). */
  function chatReady() {
    return new Promise(function (resolve, reject) {
      var waited = 0;
      (function check() {
        var input = root && root.querySelector(".rw-new-message");
        if (widget && input && !input.disabled && sessionId()) {
          resolve();
        } else if (waited >= READY_TIMEOUT_MS) {
          reject(new Error(LABELS.notConnected));
        } else {
          waited += 100;
          setTimeout(check, 100);
        }
      })();
    });
  }

  /* The valueString of the named part of a Parameters resource, or "". */
  function parameterValue(resource, name) {
    var parts = resource && Array.isArray(resource.parameter) ? resource.parameter : [];
    for (var index = 0; index < parts.length; index++) {
      if (parts[index] && parts[index].name === name) return String(parts[index].valueString || "");
    }
    return "";
  }

  /* The diagnostics of an OperationOutcome, or "". */
  function diagnostics(resource) {
    var issues = resource && Array.isArray(resource.issue) ? resource.issue : [];
    return issues.length && issues[0] ? String(issues[0].diagnostics || "") : "";
  }

  window.WbcChat = { explain: explain };

  /* ---- Theme ---------------------------------------------------------------------------- */

  function listen(query, handler) {
    if (query.addEventListener) query.addEventListener("change", handler);
    else query.addListener(handler); // Safari before 14
  }

  /* A colour option: #rgb or #rrggbb, else `fallback` (and a console error). */
  function colorOption(name, fallback) {
    var value = (options[name] || "").trim();
    if (!value) return fallback;
    if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) return value;
    console.error("embed.js: data-" + kebab(name) + ' is a colour like "#135afe"');
    return fallback;
  }

  function kebab(name) {
    return name.replace(/[A-Z]/g, function (letter) {
      return "-" + letter.toLowerCase();
    });
  }

  /* WCAG's relative luminance of #rgb or #rrggbb. */
  function luminance(hex) {
    var digits = hex.slice(1);
    if (digits.length === 3) digits = digits.replace(/./g, "$&$&");
    var channels = [0, 2, 4].map(function (at) {
      var value = parseInt(digits.slice(at, at + 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(one, other) {
    var a = luminance(one);
    var b = luminance(other);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  /*
   * The theme (light or dark: data-theme, else the visitor's colour scheme) as data-theme on
   * the region, where embed.css picks its colours up, and the main colour with the text on it
   * (white or near-black, whichever contrasts more) and the colour of the icons on the input
   * row (the main colour if it stands out there by 3:1, else the text colour).
   */
  function applyTheme() {
    var name = theme === "auto" ? (darkScheme.matches ? "dark" : "light") : theme;
    var main = colors[name];
    var onMain = contrast("#ffffff", main) >= contrast("#111111", main) ? "#ffffff" : "#111111";
    if (contrast(onMain, main) < 4.5) {
      console.error("embed.js: text on " + main + " cannot reach a contrast of 4.5:1");
    }
    var surface = THEME_SURFACES[name];
    region.setAttribute("data-theme", name);
    region.setAttribute("data-on-main", onMain === "#ffffff" ? "light" : "dark");
    region.style.setProperty("--wbc-main", main);
    region.style.setProperty("--wbc-on-main", onMain);
    var accent = contrast(main, surface) >= 3 ? main : THEME_TEXT[name];
    region.style.setProperty("--wbc-accent", accent);
  }

  /* ---- Keyboard: Escape closes, Tab stays in the modal chat --------------------------- */

  var TABBABLE = [
    "a[href]",
    "button:not([disabled])",
    "textarea:not([disabled])",
    "input:not([disabled])",
    '[tabindex="0"]',
  ].join(", ");

  function onKeyDown(event) {
    if (!root || !isOpen(root)) return;
    // In the chat; or anywhere, while it is modal (the focus may be on <body>).
    if (!region.contains(document.activeElement) && !isModal()) return;
    if (event.key === "Escape") {
      var close = visible(root.querySelector(".rw-close-button"))
        ? root.querySelector(".rw-close-button")
        : root.querySelector("button.rw-launcher");
      if (close) {
        event.preventDefault();
        close.click(); // followFocus puts the focus on the launcher
      }
      return;
    }
    if (event.key !== "Tab" || !isModal()) return;
    var dialog = root.querySelector(".rw-conversation-container");
    var items = Array.prototype.filter.call(dialog.querySelectorAll(TABBABLE), visible);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  function visible(element) {
    return Boolean(element && element.getClientRects().length);
  }

  function isModal() {
    return Boolean(root && isOpen(root) && smallScreen.matches);
  }

  /* ---- The page around the open chat ---------------------------------------------------- */

  function scheduleLayout() {
    if (layoutPending || !root) return;
    layoutPending = true;
    window.requestAnimationFrame(function () {
      layoutPending = false;
      updateLayout();
    });
  }

  /*
   * Open on a small screen, the chat covers the page: it is a modal dialog and everything else
   * on the page is inert. Open on a desktop, it is a dialog beside the page, and what it covers
   * of the page (a site's header links, say) is inert while it does: nothing hidden behind it
   * can take the focus. Closed, the page is as it was.
   */
  var PAGE_FOCUSABLE = [
    "a[href]",
    "area[href]",
    "button",
    "input",
    "select",
    "textarea",
    "summary",
    "iframe",
    '[tabindex]:not([tabindex^="-"])',
    "[contenteditable]",
  ].join(", ");

  function updateLayout() {
    var dialog = root.querySelector(".rw-conversation-container");
    var modal = isModal();
    if (dialog) {
      setAttributes(dialog, { role: "dialog", "aria-labelledby": TITLE_ID });
      if (modal) setAttributes(dialog, { "aria-modal": "true" });
      else dialog.removeAttribute("aria-modal");
    }
    Array.prototype.forEach.call(document.body.children, function (child) {
      if (child !== region) setInert(child, modal, "data-wbc-modal");
    });
    if (!dialog || modal) {
      each(document, "[data-wbc-covered]", function (element) {
        setInert(element, false, "data-wbc-covered");
      });
      return;
    }
    var panel = dialog.getBoundingClientRect();
    each(document, PAGE_FOCUSABLE, function (element) {
      // Only the controls themselves: a container of others (a focusable <main>) would take
      // everything in it out of reach.
      if (region.contains(element) || element.querySelector(PAGE_FOCUSABLE)) return;
      setInert(element, overlaps(element.getBoundingClientRect(), panel), "data-wbc-covered");
    });
  }

  /* Makes `element` inert, or not, marking what this file made inert (and nothing else). */
  function setInert(element, inert, mark) {
    if (inert && !element.hasAttribute("inert")) {
      element.setAttribute("inert", "");
      element.setAttribute(mark, "");
    } else if (!inert && element.hasAttribute(mark)) {
      element.removeAttribute("inert");
      element.removeAttribute(mark);
    }
  }

  function overlaps(box, panel) {
    return (
      box.width > 0 &&
      box.height > 0 &&
      box.left < panel.right &&
      box.right > panel.left &&
      box.top < panel.bottom &&
      box.bottom > panel.top
    );
  }

  /* ---- Each new reply from its first line ---------------------------------------------- */

  function onReaderScroll() {
    readerScrolled = true;
  }

  /*
   * The widget scrolls the log to its end on every change, so a reply taller than the log
   * shows its last lines and the visitor misses the first: for an emergency, the advice
   * itself. Here the bot's latest reply (its messages since the visitor's last message, button
   * or report), when its top is above the log's, is scrolled to the top of the log instead, on
   * every change until the visitor scrolls or writes.
   */
  var REPLY_GAP = 8; // px above the reply, so that it does not touch the log's edge
  var SCROLL_KEYS = ["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "];

  function keepReplyTopInView(root) {
    var log = root.querySelector(".rw-messages-container");
    var turn = log && log.lastElementChild;
    while (turn && !turn.classList.contains("rw-group-message")) {
      turn = turn.previousElementSibling; // past the typing indicator
    }
    if (!turn || !turn.classList.contains("rw-from-response")) {
      pinnedTurn = null; // the visitor's message is the last: the widget shows it
      return;
    }
    if (turn !== pinnedTurn) {
      pinnedTurn = turn;
      pinnedFrom = 0;
      readerScrolled = false;
    }
    var first = messagesOf(turn)[pinnedFrom];
    if (readerScrolled || !first) return;
    var top = first.getBoundingClientRect().top;
    var hidden = log.getBoundingClientRect().top + log.clientTop - top; // above the log's top
    if (hidden <= 0) return; // its first line shows
    // A reply that only just fits keeps its end in view too.
    var room = log.clientHeight - (turn.getBoundingClientRect().bottom - top);
    log.scrollTop -= hidden + (room > 0 ? Math.min(REPLY_GAP, room) : REPLY_GAP);
  }

  function messagesOf(turn) {
    return Array.prototype.filter.call(turn.children, function (child) {
      return child.classList.contains("rw-message");
    });
  }

  /*
   * A reply that comes without a message of the visitor's before it (a report's reading, the
   * answer to Clear chat): it joins the bot's last turn, from its next message on.
   */
  function expectReply() {
    var log = root && root.querySelector(".rw-messages-container");
    var turn = log && log.lastElementChild;
    if (turn && turn.classList.contains("rw-from-response")) {
      pinnedTurn = turn;
      pinnedFrom = messagesOf(turn).length;
      readerScrolled = false;
    }
  }

  /* ---- Was this helpful? ---------------------------------------------------------------- */

  // The classes the bot's Socket.IO channel gives the bubble an answer ends with: one marks
  // it, the other names the answer (channels/votes.py).
  var VOTE_CLASS = "wbc-vote";
  var VOTE_ANSWER = /(?:^|\s)wbc-vote-([0-9a-f]{8,16})(?:\s|$)/;

  /*
   * At the end of each answer, a thumbs up and a thumbs down in a group named "Was this
   * helpful?": real buttons, named (and titled) for what they say, the pressed one marked
   * (aria-pressed). A press sends only up or
   * down and the answer's id, not shown as the visitor's message; the bot says thank you. What
   * the answer was about, the server knows. Pressing the other one changes the vote.
   */
  function addVoteButtons(root) {
    each(root, ".rw-response." + VOTE_CLASS + ":not([data-vote])", function (bubble) {
      var match = VOTE_ANSWER.exec(bubble.className);
      if (!match) return;
      var answerId = match[1];
      bubble.setAttribute("data-vote", answerId);
      // At the end of the answer's last line, where there is room: the reply grows by no line.
      var group = document.createElement("span");
      group.className = "wbc-vote-buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", LABELS.helpful);
      [
        ["up", THUMB_UP_ICON, LABELS.helpfulYes],
        ["down", THUMB_DOWN_ICON, LABELS.helpfulNo],
      ].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "wbc-vote-button";
        button.setAttribute("data-vote", choice[0]);
        button.setAttribute("aria-label", choice[2]);
        button.title = choice[2];
        button.setAttribute("aria-pressed", "false");
        button.appendChild(icon(choice[1])); // drawn here: no emoji font needed
        button.addEventListener("click", function () {
          if (!widget) return;
          each(group, "button", function (other) {
            other.setAttribute("aria-pressed", String(other === button));
          });
          widget.sendMessage("/vote " + choice[0] + " " + answerId); // not shown as a message
        });
        group.appendChild(button);
      });
      var text = bubble.querySelector(".rw-markdown") || bubble.querySelector(".rw-message-text");
      var paragraphs = text ? text.querySelectorAll("p") : [];
      var last = paragraphs.length ? paragraphs[paragraphs.length - 1] : text || bubble;
      last.appendChild(group);
    });
  }

  function hasClass(classes, name) {
    return (" " + String(classes || "") + " ").indexOf(" " + name + " ") !== -1;
  }

  /* ---- Range pictures ------------------------------------------------------------------ */

  // The class the bot's Socket.IO channel gives a reading's bubble that has range pictures
  // (channels/range_pictures.py); the pictures themselves, SVG drawn by the bot with the
  // sentence that says the same, are kept with the message in the widget's stored conversation.
  var PICTURE_CLASS = "wbc-range";
  var SVG_NS = "http://www.w3.org/2000/svg";
  // What the bot's SVG is made of (bot/range_picture/svg.py); anything else and the picture is
  // not shown: no script, link, style, foreign object or event handler can come in this way.
  var SVG_TAGS = ["svg", "rect", "path", "text", "circle"];
  var SVG_ATTRIBUTES = (
    "xmlns class role aria-label viewBox width height preserveAspectRatio focusable " +
    "font-family font-size font-weight text-anchor textLength lengthAdjust fill fill-opacity " +
    "stroke stroke-width stroke-opacity x y cx cy r d"
  ).split(" ");
  var MAX_SVG_CHARS = 20000;

  /*
   * Each bubble of a reading gets its pictures after its first paragraph (the verdict), each
   * an inline SVG with role="img" and the sentence as its accessible name.
   */
  function addRangePictures(root) {
    var bubbles = root.querySelectorAll(".rw-response." + PICTURE_CLASS);
    var missing = Array.prototype.filter.call(bubbles, function (bubble) {
      return !bubble.querySelector(".wbc-range-pictures");
    });
    if (!missing.length) return;
    var stored = storedPictures();
    Array.prototype.forEach.call(bubbles, function (bubble, index) {
      if (missing.indexOf(bubble) === -1 || !stored[index]) return;
      var box = document.createElement("div");
      box.className = "wbc-range-pictures";
      stored[index].forEach(function (picture) {
        var svg = safeSvg(picture && picture.svg);
        if (svg) box.appendChild(svg);
      });
      if (!box.childNodes.length) return;
      var text =
        bubble.querySelector(".rw-markdown") || bubble.querySelector(".rw-message-text") || bubble;
      var first = text.querySelector("p");
      text.insertBefore(box, first ? first.nextSibling : null);
    });
  }

  /* The pictures of each reading with pictures in the stored conversation, in order. */
  function storedPictures() {
    try {
      var stored = JSON.parse(window[storage + "Storage"].getItem(STORAGE_KEY) || "null");
      var found = [];
      (stored && stored.conversation ? stored.conversation : []).forEach(function (message) {
        var style = message && message.customCss;
        var classes = style && typeof style.css === "string" ? style.css.split(" ") : [];
        if (classes.indexOf(PICTURE_CLASS) !== -1) {
          found.push(Array.isArray(style.pictures) ? style.pictures : []);
        }
      });
      return found;
    } catch (error) {
      return [];
    }
  }

  /* The bot's SVG as an element of this page, or null when it is not made only of our parts. */
  function safeSvg(markup) {
    if (typeof markup !== "string" || markup.length > MAX_SVG_CHARS) return null;
    var parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    var svg = parsed.documentElement;
    if (!svg || svg.namespaceURI !== SVG_NS || svg.localName !== "svg") return null;
    var clean = true;
    (function check(element) {
      if (element.namespaceURI !== SVG_NS || SVG_TAGS.indexOf(element.localName) === -1) {
        clean = false;
      }
      Array.prototype.forEach.call(element.attributes, function (attribute) {
        if (SVG_ATTRIBUTES.indexOf(attribute.name) === -1) clean = false;
      });
      Array.prototype.forEach.call(element.children, check);
    })(svg);
    if (!clean || svg.getAttribute("role") !== "img" || !svg.getAttribute("aria-label")) {
      return null;
    }
    return document.importNode(svg, true);
  }

  /* ---- Emergency advice ----------------------------------------------------------------- */

  // The class the bot's Socket.IO channel gives emergency advice (channels/socketio.py).
  var EMERGENCY_CLASS = "wbc-emergency";
  // Where 112 answers as well as the local numbers: the EU, the rest of the EEA, Switzerland.
  var EUROPE_112 = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK " +
    "IS LI NO CH"
  ).split(" ");

  /*
   * Each bubble of emergency advice gets a label with a warning icon (not colour alone) and,
   * after its first paragraph, one call link for the number of the visitor's region, with the
   * other numbers listed below it.
   */
  function decorateEmergencies(root) {
    each(root, ".rw-response." + EMERGENCY_CLASS + ":not([data-decorated])", function (bubble) {
      bubble.setAttribute("data-decorated", "");
      var label = document.createElement("p");
      label.className = "wbc-emergency-label";
      label.appendChild(icon(WARNING_ICON));
      label.appendChild(document.createTextNode(LABELS.emergency));
      bubble.insertBefore(label, bubble.firstChild);
      var numbers = (emergencyNumbers || storedEmergencyNumbers()).filter(function (entry) {
        return entry && /^\+?\d{1,15}$/.test(String(entry.dial)); // only digits go into tel:
      });
      if (!numbers.length) return;
      var text = bubble.querySelector(".rw-markdown") || bubble.querySelector(".rw-message-text");
      var first = text.querySelector("p");
      text.insertBefore(callBox(numbers), first ? first.nextSibling : null);
    });
  }

  /* The numbers of the latest emergency advice in the stored conversation (after a reload). */
  function storedEmergencyNumbers() {
    try {
      var stored = JSON.parse(window[storage + "Storage"].getItem(STORAGE_KEY) || "null");
      var found = [];
      (stored && stored.conversation ? stored.conversation : []).forEach(function (message) {
        var style = message && message.customCss;
        if (style && hasClass(style.css, EMERGENCY_CLASS) && Array.isArray(style.numbers)) {
          found = style.numbers;
        }
      });
      return found;
    } catch (error) {
      return [];
    }
  }

  function callBox(numbers) {
    var chosen = numberForRegion(numbers, browserRegion());
    var box = document.createElement("div");
    box.className = "wbc-call";
    var link = document.createElement("a");
    link.className = "wbc-call-link";
    link.href = "tel:" + chosen.dial;
    link.appendChild(icon(PHONE_ICON));
    var name = LABELS.call.replace("{number}", chosen.number);
    link.appendChild(document.createTextNode(withRegion(name, chosen)));
    ownLinks.add(link);
    box.appendChild(link);
    var others = numbers.filter(function (entry) {
      return entry !== chosen;
    });
    if (others.length) {
      var list = document.createElement("p");
      list.className = "wbc-call-others";
      list.textContent =
        LABELS.otherNumbers +
        " " +
        others
          .map(function (entry) {
            return withRegion(entry.number, entry);
          })
          .join(", ");
      box.appendChild(list);
    }
    return box;
  }

  /* "999 (UK)", or "112" for a number without a region. */
  function withRegion(text, entry) {
    return entry.region ? text + " (" + entry.region + ")" : text;
  }

  /* The region of the visitor's first language tag that names one ("en-GB" -> "GB"), or "". */
  function browserRegion() {
    var tags = navigator.languages && navigator.languages.length ? navigator.languages : [];
    tags = tags.concat([navigator.language || ""]);
    for (var index = 0; index < tags.length; index++) {
      var match = /^[a-z]{2,3}(?:-[a-z]{4})?-([a-z]{2})\b/i.exec(tags[index]);
      if (match) return match[1].toUpperCase();
    }
    return "";
  }

  /*
   * The number whose region (as EMERGENCY_NUMBERS writes it: "999 (UK)") is the visitor's:
   * by its code ("US"), its usual name ("UK" for GB, "EU" or "Europe" where 112 answers) or its
   * English name ("Australia"). Otherwise the first number.
   */
  function numberForRegion(numbers, code) {
    var names = code ? [code] : [];
    if (code === "GB") names.push("UK");
    if (EUROPE_112.indexOf(code) !== -1) names.push("EU", "Europe");
    try {
      if (code) names.push(new Intl.DisplayNames(["en"], { type: "region" }).of(code));
    } catch (error) {
      // an old browser: codes only
    }
    names = names.map(function (name) {
      return String(name).toLowerCase();
    });
    for (var index = 0; index < numbers.length; index++) {
      var region = String(numbers[index].region || "").toLowerCase();
      var words = region.split(/[^a-z]+/);
      var matches = names.some(function (name) {
        return name === region || words.indexOf(name) !== -1;
      });
      if (matches) return numbers[index];
    }
    return numbers[0];
  }

  var WARNING_ICON = "M12 3 2 21h20L12 3Zm0 6v5m0 3v.5";
  // A thumb up, and the same turned upside down.
  var THUMB_UP_ICON =
    "M7 11v9H3v-9h4Zm0 0 4-8a2 2 0 0 1 2 2v4h6a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.7 20H7";
  var THUMB_DOWN_ICON =
    "M7 13V4H3v9h4Zm0 0 4 8a2 2 0 0 0 2-2v-4h6a2 2 0 0 0 2-2.3l-1.3-7A2 2 0 0 0 17.7 4H7";
  var PHONE_ICON =
    "M6.6 3.5 9 3l1.6 4.2-2 1.5a11 11 0 0 0 6.7 6.7l1.5-2L21 15l-.5 2.4A2 2 0 0 1 18.6 19 " +
    "15.6 15.6 0 0 1 5 5.4a2 2 0 0 1 1.6-1.9Z";

  /* A line icon (decorative: the text next to it says the same). */
  function icon(path) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "wbc-icon");
    var shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  addStylesheet();
  loadWidget(startWidget);
})();
