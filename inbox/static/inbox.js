// MyGov inbox: live updates over server-sent events, canned replies, SMS segment count.
// Plain JavaScript served as a file; the Content-Security-Policy allows no inline script.
"use strict";
(function () {
  var live = document.getElementById("live");

  function refresh(url, id) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        // The fragment is rendered by html/template on the server: citizen text is escaped.
        var el = document.getElementById(id);
        if (el) { el.innerHTML = html; }
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {});
  }

  if (live && window.EventSource) {
    var kind = live.getAttribute("data-live");
    var caseID = live.getAttribute("data-case");
    var es = new EventSource("/inbox/events");
    var reload = function () {
      if (kind === "queue") { refresh("/inbox/queue", "queue"); }
      if (kind === "case") { refresh("/inbox/c/" + caseID + "/messages", "transcript"); }
    };
    // The stream's first state is taken as it opens: reload once, so nothing that
    // happened between the page and the stream is missed.
    es.addEventListener("open", function () { live.hidden = false; reload(); });
    es.addEventListener("error", function () { live.hidden = true; });
    es.addEventListener("queue", function () {
      if (kind === "queue") { refresh("/inbox/queue", "queue"); }
    });
    es.addEventListener("case", function (ev) {
      if (kind === "case" && ev.data === caseID) {
        refresh("/inbox/c/" + caseID + "/messages", "transcript");
      }
    });
    if (kind === "queue") {
      // Waiting times move on even when nothing happens.
      setInterval(function () { refresh("/inbox/queue", "queue"); }, 60000);
    }
  }

  var reply = document.getElementById("reply");
  document.querySelectorAll(".use-canned").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!reply) { return; }
      reply.value = b.getAttribute("data-text");
      reply.dispatchEvent(new Event("input"));
      reply.focus();
    });
  });

  // GSM-7 basic set and its extension table (which counts two). One character outside
  // makes the whole message UCS-2.
  var gsm = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var ext = "^{}\\[~]|€";
  function segments(s) {
    var units = 0, ucs = false;
    for (var ch of s) {
      if (gsm.indexOf(ch) >= 0) { units += 1; }
      else if (ext.indexOf(ch) >= 0) { units += 2; }
      else { ucs = true; break; }
    }
    if (ucs) {
      units = 0;
      for (var c of s) { units += c.codePointAt(0) > 0xffff ? 2 : 1; }
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
    return units <= 160 ? 1 : Math.ceil(units / 153);
  }
  var out = document.getElementById("segcount");
  if (reply && out && reply.getAttribute("data-sms")) {
    var count = function () { out.value = String(reply.value ? segments(reply.value) : 0); };
    reply.addEventListener("input", count);
    count();
  }
})();
