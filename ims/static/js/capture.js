// Capture screen: every answer, note and photo is saved as soon as it changes.
// Without this script each question card is a plain form that posts and comes back.
"use strict";

(function () {
  const root = document.getElementById("capture");
  if (!root || !window.fetch) {
    return;
  }
  root.classList.add("js");
  const strings = JSON.parse(document.getElementById("capture-strings").textContent);
  const NOTE_DELAY_MS = 800;
  const unsaved = new Set();

  function readJson(response) {
    return response
      .json()
      .catch(() => ({}))
      .then((body) => ({ response, body }));
  }

  function updateProgress(progress) {
    const set = (name, text) => {
      const element = root.querySelector(`[data-progress="${name}"]`);
      if (element) {
        element.textContent = text;
      }
    };
    set("cluster-answered", progress.cluster_answered);
    set("answered", progress.answered);
    set("cluster-tab", `${progress.cluster_answered}/${progress.cluster_total}`);
  }

  function setUpCard(card) {
    const form = card.querySelector("form");
    const fields = card.querySelector(".capture-fields");
    if (!form || fields.disabled) {
      return;
    }
    const question = card.dataset.question;
    const csrf = form.elements.csrfmiddlewaretoken.value;
    const note = form.elements.note;
    const language = form.elements.note_language;
    const photo = form.elements.photo;
    const status = card.querySelector(".save-state");
    const conflictBox = card.querySelector(".conflict");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "secondary retry";
    retry.textContent = strings.retry;
    retry.hidden = true;
    status.after(retry);

    const state = {
      answer: card.dataset.answer,
      rowVersion: card.dataset.rowVersion ? Number(card.dataset.rowVersion) : null,
      saved: { answer: card.dataset.answer, note: note.value.trim(), note_language: language.value },
      inFlight: false,
      again: false,
      blocked: false,
      timer: null,
    };

    function setStatus(kind, text) {
      status.dataset.state = kind;
      status.textContent = text;
      card.dataset.state = kind;
      retry.hidden = kind !== "offline";
      if (kind === "saving" || kind === "unsaved") {
        unsaved.add(card);
      } else {
        unsaved.delete(card);
      }
    }

    function showPressed(answer) {
      for (const button of card.querySelectorAll("button.answer")) {
        button.setAttribute("aria-pressed", String(button.value === answer));
      }
    }

    function answerLabel(value) {
      const button = card.querySelector(`button.answer[value="${value}"]`);
      return button ? button.textContent.trim() : value;
    }

    function remember(saved, rowVersion) {
      state.saved = saved;
      state.rowVersion = rowVersion;
      card.dataset.answer = saved.answer;
      card.dataset.rowVersion = String(rowVersion);
      form.elements.row_version.value = String(rowVersion);
    }

    function currentPayload() {
      return {
        question,
        answer: state.answer,
        note: note.value,
        note_language: language.value,
        row_version: state.rowVersion,
      };
    }

    function unchanged(payload) {
      return (
        payload.answer === state.saved.answer &&
        payload.note.trim() === state.saved.note &&
        payload.note_language === state.saved.note_language
      );
    }

    function showConflict(body) {
      // Someone else changed this finding: show theirs and let the monitor take it; never overwrite it.
      state.blocked = true;
      setStatus("conflict", body.message);
      conflictBox.replaceChildren();
      const current = body.details.current;
      for (const [label, value] of [
        [strings.conflictAnswer, answerLabel(current.answer)],
        [strings.conflictNote, current.note || "—"],
      ]) {
        const line = document.createElement("p");
        const strong = document.createElement("strong");
        strong.textContent = `${label}: `;
        line.append(strong, document.createTextNode(value));
        conflictBox.append(line);
      }
      const load = document.createElement("button");
      load.type = "button";
      load.className = "button";
      load.textContent = strings.loadTheirs;
      load.addEventListener("click", () => {
        note.value = current.note;
        const theirs = { answer: current.answer, note: current.note.trim(), note_language: language.value };
        remember(theirs, current.row_version);
        state.answer = current.answer;
        showPressed(current.answer);
        conflictBox.hidden = true;
        state.blocked = false;
        setStatus("saved", strings.saved);
      });
      conflictBox.append(load);
      conflictBox.hidden = false;
    }

    function save() {
      clearTimeout(state.timer);
      if (state.blocked) {
        return;
      }
      if (!state.answer) {
        if (note.value.trim()) {
          setStatus("unsaved", strings.needsAnswer);
        }
        return;
      }
      if (state.inFlight) {
        state.again = true;
        return;
      }
      const payload = currentPayload();
      if (unchanged(payload)) {
        setStatus("saved", strings.saved);
        return;
      }
      state.inFlight = true;
      setStatus("saving", strings.saving);
      fetch(root.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(payload),
      })
        .then(readJson)
        .then(({ response, body }) => {
          state.inFlight = false;
          if (response.ok && body.row_version !== undefined) {
            remember({ answer: body.answer, note: body.note, note_language: body.note_language }, body.row_version);
            updateProgress(body.progress);
            // A change made while this save travelled goes out now, on the new row version.
            if (state.again) {
              state.again = false;
              save();
            } else if (unchanged(currentPayload())) {
              setStatus("saved", strings.saved);
            } else {
              setStatus("unsaved", strings.unsaved); // a note still being typed is saved when its timer fires
            }
            return;
          }
          state.again = false;
          if (response.status === 409 && body.details && body.details.current) {
            showConflict(body);
            return;
          }
          // Refused (nothing was stored): show the stored answer again, with the reason.
          state.answer = state.saved.answer;
          showPressed(state.answer);
          setStatus("error", body.message || strings.failed);
        })
        .catch(() => {
          state.inFlight = false;
          state.again = false;
          setStatus("offline", strings.offline);
        });
    }

    form.addEventListener("submit", (event) => event.preventDefault());
    for (const button of card.querySelectorAll("button.answer")) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        if (state.blocked) {
          return;
        }
        state.answer = button.value;
        showPressed(button.value);
        save();
      });
    }
    note.addEventListener("input", () => {
      if (state.blocked) {
        return;
      }
      clearTimeout(state.timer);
      setStatus("unsaved", state.answer ? strings.unsaved : strings.needsAnswer);
      state.timer = setTimeout(save, NOTE_DELAY_MS);
    });
    note.addEventListener("change", save);
    language.addEventListener("change", () => {
      note.lang = language.value;
      save();
    });
    retry.addEventListener("click", save);

    if (photo) {
      photo.addEventListener("change", () => {
        const file = photo.files[0];
        if (!file) {
          return;
        }
        if (state.rowVersion === null) {
          photo.value = "";
          setStatus("error", strings.photoNeedsAnswer);
          return;
        }
        const data = new FormData();
        data.append("question", question);
        data.append("photo", file);
        setStatus("saving", strings.uploading);
        fetch(root.dataset.uploadUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
          body: data,
        })
          .then(readJson)
          .then(({ response, body }) => {
            photo.value = "";
            if (!response.ok || !body.url) {
              setStatus("error", body.message || strings.failed);
              return;
            }
            const item = document.createElement("li");
            const link = document.createElement("a");
            link.href = body.url;
            link.target = "_blank";
            link.rel = "noopener";
            const image = document.createElement("img");
            image.src = body.url;
            image.alt = strings.photoAlt;
            image.width = 96;
            image.height = 96;
            link.append(image);
            item.append(link);
            card.querySelector("[data-thumbnails]").append(item);
            setStatus("saved", strings.photoSaved);
          })
          .catch(() => setStatus("offline", strings.offline));
      });
    }
  }

  for (const card of root.querySelectorAll(".capture-card")) {
    setUpCard(card);
  }
  window.addEventListener("beforeunload", (event) => {
    if (unsaved.size) {
      event.preventDefault();
      event.returnValue = strings.leaveWarning;
    }
  });
})();
