// One question's card: its text and badges, the last visit's answer, the answer buttons, note, photos, state.
// The card calls back (`actions`) on each change; the screen keeps the records and asks the card to show them.

import { answerChoices, answerText, findingState } from "./answers.js";
import { isConditionNotMet } from "./conditions.js";
import { element } from "./dom.js";
import { format, inLanguage } from "./text.js";

const NOTE_DELAY_MS = 400;

// `screen`: { strings, pkg, language, conditions (code -> question codes), evidenceUrl(id), actions }
export function buildCard(question, editable, screen) {
  const { strings, pkg, actions } = screen;
  const code = question.code;
  const id = code.replace(/\W/g, "-");
  const text = element("span", { class: "question-text" });
  const guidance = element("p");
  const legal = element("p");
  const condition = element("span", { class: "badge badge-condition" });
  const badges = element("div", { class: "question-badges" }, [
    question.publicly_reported ? element("span", { class: "badge badge-public", text: strings.publiclyReported }) : null,
    question.applies_if ? condition : null,
    element("span", {
      class: "badge badge-noncompliant-if",
      text: format(strings.nonCompliantIf, { answer: question.noncompliant_answer === "yes" ? strings.yes : strings.no }),
    }),
  ]);
  const answers = answerChoices(question, pkg.answers, strings).map((choice) =>
    element(
      "button",
      {
        type: "button",
        class: `answer answer-${choice.value}`,
        "data-answer": choice.value,
        "aria-pressed": "false",
        text: choice.label,
      },
      choice.marked ? [" ", element("small", { class: "answer-mark", text: strings.nonCompliantMark })] : [],
    ),
  );
  const note = element("textarea", { id: `note-${id}`, rows: "2" });
  const noteLanguage = element(
    "select",
    { id: `note-language-${id}`, class: "language-names" },
    pkg.languages.map((language) => element("option", { value: language.code, lang: language.code, text: language.name })),
  );
  const photoInput = element("input", { type: "file", accept: "image/*", capture: "environment" });
  const photoList = element("ul", { class: "photo-list" });
  const state = element("p", { class: "save-state", role: "status", "aria-live": "polite" });
  const conflict = element("div", { class: "conflict", role: "alert" });
  conflict.hidden = true;
  const governed = question.applies_if ? screen.conditions.get(question.applies_if) : null;
  const notMet =
    governed && editable
      ? element("button", {
          type: "button",
          class: "secondary condition-not-met",
          "data-condition": question.applies_if,
          text: format(strings.conditionNotMetAction, { count: governed.length }),
        })
      : null;
  const previous = pkg.previous && pkg.previous.findings[code];
  const fields = element("fieldset", { class: "capture-fields" }, [
    element("legend", { class: "visually-hidden", text: code }),
    element("div", { class: "answers" }, answers),
    element("div", { class: "note-row" }, [
      element("div", { class: "note" }, [element("label", { for: note.id, text: strings.note }), note]),
      element("div", { class: "note-language" }, [
        element("label", { for: noteLanguage.id, text: strings.noteLanguage }),
        noteLanguage,
      ]),
    ]),
    element("label", { class: "button secondary photo-input" }, [strings.addPhoto, photoInput]),
  ]);
  fields.disabled = !editable;
  const card = element("article", { class: "question capture-card", id: `q-${code}`, "data-question": code }, [
    element("h4", {}, [element("span", { class: "question-code", text: `${code} ` }), text]),
    badges,
    notMet,
    previous
      ? element("p", { class: `previous previous-${previous.answer}` }, [
          `${format(strings.previous, { ref: pkg.previous.ref })}: ${answerText(question, previous.answer, pkg.answers, strings)}`,
          previous.note ? " · " : null,
          previous.note ? element("span", { lang: previous.note_language, text: previous.note }) : null,
        ])
      : null,
    element("details", { class: "guidance" }, [element("summary", { text: strings.guidance }), guidance, legal]),
    fields,
    photoList,
    state,
    conflict,
  ]);
  const parts = { question, card, text, guidance, legal, condition, answers, note, noteLanguage, photoList, state, conflict };

  answers.forEach((button) => button.addEventListener("click", () => actions.edit(code, { answer: button.dataset.answer })));
  notMet?.addEventListener("click", () => actions.conditionNotMet(question.applies_if));
  let noteTimer = null;
  const saveNote = () => {
    clearTimeout(noteTimer);
    noteTimer = null;
    actions.note(code, note.value);
  };
  note.addEventListener("input", () => {
    clearTimeout(noteTimer);
    noteTimer = setTimeout(saveNote, NOTE_DELAY_MS);
  });
  note.addEventListener("change", saveNote);
  window.addEventListener("pagehide", () => noteTimer && saveNote());
  noteLanguage.addEventListener("change", () => actions.edit(code, { note_language: noteLanguage.value }));
  photoInput.addEventListener("change", () => {
    const file = photoInput.files[0];
    photoInput.value = "";
    if (file) {
      actions.addPhoto(code, file);
    }
  });
  return parts;
}

// The checklist's texts in the language chosen for them.
export function showTexts(parts, language, screen) {
  const { question } = parts;
  for (const [node, texts, prefix] of [
    [parts.text, question.text, ""],
    [parts.guidance, question.guidance, ""],
    [parts.legal, question.legal_basis, `${screen.strings.legalBasis}: `],
  ]) {
    const chosen = inLanguage(texts, language);
    node.textContent = prefix + chosen.text;
    node.lang = chosen.lang;
  }
  if (question.applies_if) {
    const label = inLanguage(screen.conditionLabels[question.applies_if], language);
    parts.condition.textContent = format(screen.strings.appliesIf, { condition: label.text });
    parts.condition.lang = label.lang;
  }
}

// The record's answer, note and state on the card, and its photos (on the server and on the tablet).
export function showRecord(parts, record, photos, screen) {
  const { strings, pkg } = screen;
  parts.answers.forEach((button) => {
    button.setAttribute("aria-pressed", record && record.answer === button.dataset.answer ? "true" : "false");
  });
  if (document.activeElement !== parts.note) {
    parts.note.value = record ? record.note : "";
  }
  parts.noteLanguage.value = (record && record.note_language) || screen.language;
  parts.note.lang = parts.noteLanguage.value;
  const state = findingState(record);
  const labels = {
    empty: strings.notAnswered,
    conflict: strings.conflict,
    error: format(strings.error, { message: record && record.error }),
    local: strings.savedLocally,
    synced: strings.synced,
  };
  parts.state.dataset.state = state;
  parts.card.dataset.state = state;
  parts.state.textContent = isConditionNotMet(record) ? `${strings.conditionNotMet} · ${labels[state]}` : labels[state];
  parts.card.dataset.conditionNotMet = String(isConditionNotMet(record));
  showConflict(parts, record, screen);
  const serverPhotos = ((pkg.findings[parts.question.code] || {}).photos || []).filter(
    (evidence) => !photos.some((photo) => photo.evidence === evidence),
  );
  parts.photoList.replaceChildren(
    ...serverPhotos.map((evidence, index) => serverPhoto(parts.question.code, evidence, index, screen)),
    ...photos.map((photo) => tabletPhoto(parts.question.code, photo, screen)),
  );
}

function serverPhoto(code, evidence, index, screen) {
  const url = screen.evidenceUrl(evidence);
  const image = element("img", {
    src: url,
    alt: format(screen.strings.photoNumberAlt, { code, number: index + 1 }),
    width: "120",
    loading: "lazy",
  });
  return element("li", { class: "photo", "data-state": "synced" }, [
    element("a", { href: url, target: "_blank", rel: "noopener" }, [image]),
  ]);
}

function tabletPhoto(code, photo, screen) {
  const { strings } = screen;
  const image = element("img", { src: screen.thumbnailUrl(photo), alt: format(strings.photoAlt, { code }), width: "120" });
  const label = photo.complete ? strings.photoSent : photo.error || strings.photoWaiting;
  return element("li", { class: "photo", "data-state": photo.complete ? "synced" : "local" }, [
    image,
    element("span", { text: label }),
  ]);
}

function showConflict(parts, record, screen) {
  const { strings, pkg, actions } = screen;
  const conflict = record && record.conflict;
  parts.conflict.hidden = !conflict;
  if (!conflict) {
    parts.conflict.replaceChildren();
    return;
  }
  const server = conflict.server || {};
  const words = (value) => answerText(parts.question, value, pkg.answers, strings);
  const mine = element("button", { type: "button", class: "secondary", text: strings.keepMine });
  const theirs = element("button", { type: "button", class: "primary", text: strings.takeTheirs });
  mine.addEventListener("click", () => actions.keepMine(parts.question.code));
  theirs.addEventListener("click", () => actions.takeTheirs(parts.question.code));
  parts.conflict.replaceChildren(
    element("p", { text: conflict.message }),
    element("dl", {}, [
      element("dt", { text: format(strings.theirAnswer, { user: server.updated_by || "" }) }),
      element("dd", { text: [words(server.answer), server.note].filter(Boolean).join(" · ") }),
      element("dt", { text: strings.yourAnswer }),
      element("dd", { text: [words(conflict.client.answer), conflict.client.note].filter(Boolean).join(" · ") }),
    ]),
    element("div", { class: "button-row" }, [mine, theirs]),
  );
}
