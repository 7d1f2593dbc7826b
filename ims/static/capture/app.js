// Offline capture screen. Online, it downloads the assessment's package into IndexedDB and caches
// this page for the service worker; from then on every answer, note and photo is written to
// IndexedDB at once (surviving a reload or a closed tab) and sent to the server whenever it can be:
// automatically when the network returns, a moment after each change, and on "Sync now".
"use strict";

(function () {
  const root = document.getElementById("offline-capture");
  if (!root || !window.indexedDB || !window.CaptureStore) {
    return;
  }
  const config = JSON.parse(document.getElementById("capture-config").textContent);
  const strings = config.strings;
  const ref = config.ref;
  const CACHE_NAME = "ims-capture-v1";
  // Chosen with benchmarks/photo_legibility.py: the smallest photo (about 100 KB) in which every line of a label,
  // its small print included, reads as well as in the camera's own file (1280 px lost some small print).
  const PHOTO_LONGEST_SIDE = 1440;
  const PHOTO_QUALITY = 0.6;
  const CHUNK_BYTES = Number(root.dataset.chunkBytes) || 256 * 1024;
  const BATCH_SIZE = 500; // the server's limit: a whole checklist in one request
  const PHOTO_UPLOADS = 2; // at once, so one photo's round trips overlap another's bytes
  const SYNC_DELAY_MS = 1500;
  const NOTE_DELAY_MS = 400;

  let store;
  let pkg; // this assessment's package
  let checklist; // the checklist file it names
  let checklistUrl; // and that file's address
  const records = new Map(); // question code -> local finding record
  const photos = new Map(); // photo uuid -> local photo record
  const cards = new Map(); // question code -> card elements
  const thumbnailUrls = new Map(); // photo uuid -> object URL of its thumbnail, made once
  let textLanguage = config.language;
  let syncing = false;
  let syncAgain = false;
  let syncTimer = null;

  // --- helpers ------------------------------------------------------------------------------------------

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
  }

  function element(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (name === "text") {
        node.textContent = value;
      } else if (name in node && typeof value !== "string") {
        node[name] = value;
      } else {
        node.setAttribute(name, value === true ? "" : value);
      }
    }
    children.forEach((child) => child && node.append(child));
    return node;
  }

  function inLanguage(texts) {
    // The chosen language, else English marked as such: a missing translation is never hidden.
    const text = texts && texts[textLanguage];
    if (text) {
      return { text, lang: textLanguage };
    }
    return { text: (texts && texts.en) || "", lang: "en" };
  }

  function answerLabel(value) {
    const answer = pkg.answers.find((item) => item.value === value);
    return answer ? answer.label : value;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
    }
  }

  async function jsonBody(value) {
    // Compressed when the browser can (the server unpacks Content-Encoding: gzip): notes in Khmer and Chinese
    // take three bytes a character, and a whole checklist of answers shrinks several times.
    const text = JSON.stringify(value);
    if (!window.CompressionStream || text.length < 1024) {
      return { body: text, headers: { "Content-Type": "application/json" } };
    }
    const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return {
      body: await new Response(compressed).blob(),
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
    };
  }

  async function api(method, url, body, headers = {}) {
    const json = body !== undefined && !(body instanceof Blob) ? await jsonBody(body) : null;
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
        ...(json ? json.headers : {}),
        ...headers,
      },
      body: json ? json.body : body,
    });
    if (response.status === 304) {
      return null; // unchanged since the copy the caller named with If-None-Match
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status, data);
    }
    data.etag = response.headers.get("ETag");
    return data;
  }

  function describeError(error) {
    if (error instanceof ApiError) {
      return error.status === 401 || error.status === 403 ? strings.signedOut : error.message;
    }
    return strings.noConnection;
  }

  // --- package and local state --------------------------------------------------------------------------

  async function loadChecklist(known, { offline = false } = {}) {
    // From the tablet when it is there, else from the network (unless offline).
    if (known.checklist.clusters) {
      return known.checklist; // a package from before the checklist had an address of its own
    }
    const stored = await store.get("checklists", known.checklist.url);
    if (stored) {
      return stored.content;
    }
    return offline ? null : downloadChecklist(known.checklist.url);
  }

  async function downloadChecklist(url) {
    const content = await api("GET", url);
    delete content.etag;
    await store.put("checklists", { url, content });
    return content;
  }

  function mergeServerFindings(fresh) {
    // In memory first, in one go (no await in between), so an answer given meanwhile is never overwritten.
    const merged = [];
    for (const [question, server] of Object.entries(fresh.findings)) {
      const record = records.get(question);
      if (!record || (!record.dirty && !record.conflict)) {
        // Nothing unsent here: the server's answer (perhaps a colleague's) is the current one.
        const current = {
          ...(record || { ref, question }),
          uuid: null, // the next edit here is a new submission with its own identity
          answer: server.answer,
          note: server.note,
          note_language: server.note_language,
          base_version: server.row_version,
          server,
          dirty: false,
          dispatched: false,
          error: null,
        };
        records.set(question, current);
        merged.push(current);
      }
    }
    for (const conflict of fresh.open_conflicts) {
      const record = records.get(conflict.question);
      if (record && !record.conflict) {
        record.conflict = conflict;
        if (!merged.includes(record)) {
          merged.push(record);
        }
      }
    }
    return merged;
  }

  async function downloadPackage() {
    // The package asks If-None-Match with the copy on the tablet: unchanged, it costs a few hundred bytes.
    // A tablet without the checklist starts on it at once, from the address the page gave.
    const meta = (await store.get("meta", ref)) || { ref };
    const early = (await store.get("checklists", config.urls.checklist)) ? null : downloadChecklist(config.urls.checklist);
    early?.catch(() => undefined); // awaited below when needed, where a failure counts
    const conditional = pkg && meta.packageEtag ? { "If-None-Match": meta.packageEtag } : {};
    const fresh = await api("GET", config.urls.package, undefined, conditional);
    if (fresh) {
      fresh.ref = ref;
      meta.packageEtag = fresh.etag;
      delete fresh.etag;
      await store.putAll("findings", mergeServerFindings(fresh));
      await store.put("packages", fresh);
      pkg = fresh;
    }
    const wanted = pkg.checklist.url || null;
    const changes = { package: Boolean(fresh), checklist: !checklist || wanted !== checklistUrl };
    if (changes.checklist) {
      checklist = early && wanted === config.urls.checklist ? await early : await loadChecklist(pkg);
      checklistUrl = wanted;
    }
    await store.put("meta", { ...meta, downloadedAt: new Date().toISOString() });
    return changes;
  }

  async function cacheThisPage() {
    // The service worker answers from this cache when the network is gone: this page, its files and the font
    // slices it showed. Only what is missing is fetched, so reopening the screen costs nothing here.
    if (!window.caches) {
      return;
    }
    const assets = [
      ...document.querySelectorAll('link[rel="stylesheet"], link[rel="preload"], script[src], link[rel="icon"]'),
    ].map((node) => node.href || node.src);
    const fonts = performance
      .getEntriesByType("resource")
      .map((entry) => entry.name)
      .filter((url) => url.endsWith(".woff2"));
    const cache = await caches.open(CACHE_NAME);
    const missing = [];
    for (const url of new Set([location.pathname, config.urls.manifest, ...assets, ...fonts])) {
      if (!(await cache.match(url))) {
        missing.push(url);
      }
    }
    await cache.addAll(missing);
  }

  async function registerServiceWorker() {
    if (!navigator.serviceWorker) {
      return;
    }
    await navigator.serviceWorker.register(config.urls.serviceWorker, { scope: "/" });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
    }
    root.dataset.serviceWorker = "ready";
  }

  async function loadLocal() {
    for (const record of await store.byRef("findings", ref)) {
      records.set(record.question, record);
    }
    for (const photo of await store.byRef("photos", ref)) {
      photos.set(photo.uuid, photo);
    }
  }

  function editableCluster(code) {
    return pkg.assessment.editable_clusters.includes(code);
  }

  // --- rendering ----------------------------------------------------------------------------------------

  function renderProfile() {
    const factory = pkg.factory;
    const name = inLanguage(factory.names);
    root.querySelector('[data-bind="factory-name"]').textContent = name.text;
    const profile = root.querySelector(".factory-profile");
    const place = [inLanguage(factory.province).text, inLanguage(factory.district).text].filter(Boolean).join(", ");
    const list = profile.querySelector("dl") || profile.appendChild(element("dl"));
    list.replaceChildren();
    for (const value of [factory.ref, place, factory.address, factory.sector, factory.registration_no]) {
      if (value) {
        list.append(element("dd", { text: value }));
      }
    }
    if (factory.workforce) {
      list.append(
        element("dd", {
          text: format(strings.workforce, {
            total: factory.workforce.total,
            women: factory.workforce.women,
            date: factory.workforce.as_of,
          }),
        }),
      );
    }
    profile.hidden = false;
  }

  function renderLanguagePicker() {
    const picker = root.querySelector("#text-language");
    picker.classList.add("language-names");
    picker.replaceChildren(
      ...pkg.languages.map((language) =>
        element("option", { value: language.code, lang: language.code, text: language.name }),
      ),
    );
    picker.value = textLanguage;
  }

  function renderClusters() {
    const tabs = root.querySelector("#cluster-tabs");
    const container = root.querySelector("#questions");
    tabs.replaceChildren();
    container.replaceChildren();
    checklist.clusters.forEach((cluster, index) => {
      const section = element("section", { class: "capture-cluster", "data-cluster": cluster.code });
      section.hidden = index !== 0;
      section.append(element("h2", { "data-text": "cluster", "data-code": cluster.code }));
      if (!editableCluster(cluster.code)) {
        section.append(
          element("p", {
            class: "message",
            role: "note",
            text: pkg.assessment.editable_clusters.length ? strings.readOnly : strings.notEditable,
          }),
        );
      }
      for (const point of cluster.compliance_points) {
        section.append(element("h3", { "data-text": "point", "data-code": point.code }));
        for (const question of point.questions) {
          section.append(renderCard(question, editableCluster(cluster.code)));
        }
      }
      container.append(section);
      const tab = element("button", { type: "button", class: "cluster-tab", "data-cluster": cluster.code }, [
        element("strong", { text: cluster.code }),
        element("span", { "data-progress": cluster.code }),
      ]);
      tab.setAttribute("aria-pressed", index === 0 ? "true" : "false");
      tab.addEventListener("click", () => showCluster(cluster.code));
      tabs.append(element("li", {}, [tab]));
    });
    renderTexts();
  }

  function showCluster(code) {
    root.querySelectorAll(".capture-cluster").forEach((section) => {
      section.hidden = section.dataset.cluster !== code;
    });
    root.querySelectorAll(".cluster-tab").forEach((tab) => {
      tab.setAttribute("aria-pressed", tab.dataset.cluster === code ? "true" : "false");
    });
  }

  function questionsByCode() {
    const map = new Map();
    for (const cluster of checklist.clusters) {
      for (const point of cluster.compliance_points) {
        point.questions.forEach((question) => map.set(question.code, { question, point, cluster }));
      }
    }
    return map;
  }

  function renderTexts() {
    const lookup = questionsByCode();
    const clusters = new Map(checklist.clusters.map((cluster) => [cluster.code, cluster]));
    const points = new Map();
    checklist.clusters.forEach((cluster) => cluster.compliance_points.forEach((p) => points.set(p.code, p)));
    root.querySelectorAll('[data-text="cluster"]').forEach((node) => {
      const name = inLanguage(clusters.get(node.dataset.code).name);
      node.textContent = `${node.dataset.code} · ${name.text}`;
      node.lang = name.lang;
    });
    root.querySelectorAll('[data-text="point"]').forEach((node) => {
      const name = inLanguage(points.get(node.dataset.code).name);
      node.textContent = `${node.dataset.code} · ${name.text}`;
      node.lang = name.lang;
    });
    for (const [code, parts] of cards) {
      const { question } = lookup.get(code);
      const text = inLanguage(question.text);
      parts.text.textContent = text.text;
      parts.text.lang = text.lang;
      const guidance = inLanguage(question.guidance);
      parts.guidance.textContent = guidance.text;
      parts.guidance.lang = guidance.lang;
      const legal = inLanguage(question.legal_basis);
      parts.legal.textContent = `${strings.legalBasis}: ${legal.text}`;
      parts.legal.lang = legal.lang;
      if (question.applies_if) {
        parts.condition.textContent = format(strings.appliesIf, { condition: inLanguage(question.applies_if).text });
      }
    }
  }

  function renderCard(question, editable) {
    const code = question.code;
    const id = code.replace(/\W/g, "-");
    const text = element("span", { class: "question-text" });
    const guidance = element("p");
    const legal = element("p");
    const condition = element("p", { class: "muted" });
    // Worded as the question asks (Yes or No), the non-compliant answer marked, as on the online screen.
    const [compliantWord, noncompliantWord] =
      question.noncompliant_answer === "yes" ? [strings.no, strings.yes] : [strings.yes, strings.no];
    const words = { compliant: compliantWord, non_compliant: noncompliantWord };
    const answers = pkg.answers.map((answer) =>
      element(
        "button",
        {
          type: "button",
          class: `answer answer-${answer.value}`,
          "data-answer": answer.value,
          "aria-pressed": "false",
          text: words[answer.value] || answer.label,
        },
        answer.value === "non_compliant"
          ? [" ", element("small", { class: "answer-mark", text: strings.nonCompliantMark })]
          : [],
      ),
    );
    const note = element("textarea", { id: `note-${id}`, rows: "2" });
    const noteLanguage = element(
      "select",
      { id: `note-language-${id}`, class: "language-names" },
      pkg.languages.map((language) =>
        element("option", { value: language.code, lang: language.code, text: language.name }),
      ),
    );
    const photoInput = element("input", { type: "file", accept: "image/*", capture: "environment" });
    const photoList = element("ul", { class: "photo-list" });
    const state = element("p", { class: "save-state", role: "status", "aria-live": "polite" });
    const conflict = element("div", { class: "conflict", role: "alert" });
    conflict.hidden = true;
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
      condition,
      previous
        ? element("p", {
            class: `previous previous-${previous.answer}`,
            text: `${format(strings.previous, { ref: pkg.previous.ref })}: ${answerLabel(previous.answer)}${
              previous.note ? ` · ${previous.note}` : ""
            }`,
          })
        : null,
      element("details", { class: "guidance" }, [element("summary", { text: strings.guidance }), guidance, legal]),
      fields,
      photoList,
      state,
      conflict,
    ]);
    const parts = { card, text, guidance, legal, condition, answers, note, noteLanguage, photoList, state, conflict };
    cards.set(code, parts);

    answers.forEach((button) =>
      button.addEventListener("click", () => edit(code, { answer: button.dataset.answer })),
    );
    let noteTimer = null;
    const saveNote = () => {
      clearTimeout(noteTimer);
      noteTimer = null;
      const record = records.get(code);
      if ((record ? record.note : "") !== note.value) {
        edit(code, { note: note.value });
      }
    };
    note.addEventListener("input", () => {
      clearTimeout(noteTimer);
      noteTimer = setTimeout(saveNote, NOTE_DELAY_MS);
    });
    note.addEventListener("change", saveNote);
    window.addEventListener("pagehide", () => noteTimer && saveNote());
    noteLanguage.addEventListener("change", () => edit(code, { note_language: noteLanguage.value }));
    photoInput.addEventListener("change", () => {
      const file = photoInput.files[0];
      photoInput.value = "";
      if (file) {
        addPhoto(code, file);
      }
    });
    updateCard(code);
    return card;
  }

  function updateCard(code) {
    const parts = cards.get(code);
    const record = records.get(code);
    parts.answers.forEach((button) => {
      button.setAttribute("aria-pressed", record && record.answer === button.dataset.answer ? "true" : "false");
    });
    if (document.activeElement !== parts.note) {
      parts.note.value = record ? record.note : "";
    }
    parts.noteLanguage.value = (record && record.note_language) || config.language;
    parts.note.lang = parts.noteLanguage.value;
    let state = "empty";
    let label = strings.notAnswered;
    if (record && record.conflict) {
      state = "conflict";
      label = strings.conflict;
    } else if (record && record.error) {
      state = "error";
      label = format(strings.error, { message: record.error });
    } else if (record && record.dirty) {
      state = "local";
      label = strings.savedLocally;
    } else if (record && record.answer) {
      state = "synced";
      label = strings.synced;
    }
    parts.state.dataset.state = state;
    parts.state.textContent = label;
    renderConflict(code, parts, record);
    renderPhotos(code, parts);
  }

  function renderConflict(code, parts, record) {
    const conflict = record && record.conflict;
    parts.conflict.hidden = !conflict;
    if (!conflict) {
      parts.conflict.replaceChildren();
      return;
    }
    const server = conflict.server || {};
    const mine = element("button", { type: "button", class: "secondary", text: strings.keepMine });
    const theirs = element("button", { type: "button", class: "primary", text: strings.takeTheirs });
    mine.addEventListener("click", () => keepMine(code));
    theirs.addEventListener("click", () => takeTheirs(code));
    parts.conflict.replaceChildren(
      element("p", { text: conflict.message }),
      element("dl", {}, [
        element("dt", { text: format(strings.theirAnswer, { user: server.updated_by || "" }) }),
        element("dd", { text: [answerLabel(server.answer), server.note].filter(Boolean).join(" · ") }),
        element("dt", { text: strings.yourAnswer }),
        element("dd", { text: [answerLabel(conflict.client.answer), conflict.client.note].filter(Boolean).join(" · ") }),
      ]),
      element("div", { class: "button-row" }, [mine, theirs]),
    );
  }

  function renderPhotos(code, parts) {
    const items = [...photos.values()].filter((photo) => photo.question === code);
    parts.photoList.replaceChildren(
      ...items.map((photo) => {
        if (!thumbnailUrls.has(photo.uuid)) {
          thumbnailUrls.set(photo.uuid, URL.createObjectURL(photo.thumbnail));
        }
        const image = element("img", {
          src: thumbnailUrls.get(photo.uuid),
          alt: format(strings.photoAlt, { code }),
          width: "120",
        });
        const label = photo.complete ? strings.photoSent : photo.error || strings.photoWaiting;
        return element("li", { class: "photo", "data-state": photo.complete ? "synced" : "local" }, [
          image,
          element("span", { text: label }),
        ]);
      }),
    );
  }

  function renderProgress() {
    let answered = 0;
    let total = 0;
    for (const cluster of checklist.clusters) {
      let clusterAnswered = 0;
      let clusterTotal = 0;
      for (const point of cluster.compliance_points) {
        for (const question of point.questions) {
          clusterTotal += 1;
          const record = records.get(question.code);
          clusterAnswered += record && record.answer ? 1 : 0;
        }
      }
      answered += clusterAnswered;
      total += clusterTotal;
      root.querySelector(`[data-progress="${cluster.code}"]`).textContent = ` ${clusterAnswered}/${clusterTotal}`;
    }
    const summary = root.querySelector('[data-progress="all"]');
    summary.textContent = format(strings.answered, { answered, total });
    summary.dataset.answered = answered;
  }

  // --- editing ------------------------------------------------------------------------------------------

  async function edit(code, changes) {
    const record = records.get(code) || {
      ref,
      question: code,
      answer: "",
      note: "",
      note_language: config.language,
      base_version: null,
      uuid: null,
      server: null,
      conflict: null,
    };
    Object.assign(record, changes);
    records.set(code, record);
    if (!record.answer) {
      // A note without an answer waits on the card: findings need an answer.
      updateCard(code);
      return;
    }
    if (!record.uuid || record.dispatched) {
      // A change after sending is a new submission; the one sent keeps its identity and content.
      record.uuid = crypto.randomUUID();
      record.dispatched = false;
    }
    record.dirty = true;
    record.error = null;
    record.changedAt = new Date().toISOString();
    await store.put("findings", record);
    updateCard(code);
    renderProgress();
    refreshStatus();
    scheduleSync();
  }

  async function keepMine(code) {
    const record = records.get(code);
    const server = record.conflict.server || {};
    record.base_version = server.row_version || null;
    record.conflict = null;
    record.uuid = crypto.randomUUID();
    record.dispatched = false;
    record.dirty = true;
    await store.put("findings", record);
    updateCard(code);
    refreshStatus();
    sync();
  }

  async function takeTheirs(code) {
    const record = records.get(code);
    const conflict = record.conflict;
    try {
      await api("POST", config.urls.resolve.replace("/0/", `/${conflict.id}/`), { resolution: "theirs" });
    } catch (error) {
      showError(describeError(error));
      return;
    }
    const server = conflict.server || {};
    Object.assign(record, {
      answer: server.answer || record.answer,
      note: server.note || "",
      note_language: server.note_language || record.note_language,
      base_version: server.row_version || record.base_version,
      server,
      conflict: null,
      dirty: false,
    });
    await store.put("findings", record);
    updateCard(code);
    renderProgress();
    refreshStatus();
  }

  // --- photos -------------------------------------------------------------------------------------------

  async function resize(file, longestSide) {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, longestSide / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
  }

  async function sha256(blob) {
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  async function addPhoto(code, file) {
    const record = records.get(code);
    const parts = cards.get(code);
    if (!record || !record.answer) {
      parts.state.textContent = strings.needsAnswer;
      parts.state.dataset.state = "error";
      return;
    }
    let blob;
    let thumbnail;
    try {
      blob = await resize(file, PHOTO_LONGEST_SIDE);
      thumbnail = await resize(file, 240);
    } catch {
      parts.state.textContent = strings.photoFailed;
      parts.state.dataset.state = "error";
      return;
    }
    const photo = {
      uuid: crypto.randomUUID(),
      ref,
      question: code,
      blob,
      thumbnail,
      size: blob.size,
      sha256: await sha256(blob),
      complete: false,
      error: null,
      addedAt: new Date().toISOString(),
    };
    await store.put("photos", photo);
    photos.set(photo.uuid, photo);
    updateCard(code);
    refreshStatus();
    scheduleSync();
  }

  async function uploadPhoto(photo) {
    let state = await api("POST", config.urls.uploads, {
      client_uuid: photo.uuid,
      question: photo.question,
      size: photo.size,
      sha256: photo.sha256,
    });
    let restarts = 0;
    while (!state.complete) {
      const offset = state.received;
      try {
        state = await api(
          "PUT",
          config.urls.upload.replace("00000000-0000-0000-0000-000000000000", photo.uuid),
          photo.blob.slice(offset, offset + CHUNK_BYTES, "application/octet-stream"),
          { "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
        );
      } catch (error) {
        const received = error instanceof ApiError && error.body.details && error.body.details.received;
        if (typeof received !== "number" || (received === 0 && ++restarts > 2)) {
          throw error;
        }
        state = { ...state, received }; // resume where the server is
      }
    }
    photo.complete = true;
    photo.evidence = state.evidence;
    delete photo.blob; // the server holds it now; the thumbnail stays for the card
    await store.put("photos", photo);
  }

  // --- sync ---------------------------------------------------------------------------------------------

  function scheduleSync() {
    clearTimeout(syncTimer);
    if (navigator.onLine) {
      syncTimer = setTimeout(sync, SYNC_DELAY_MS);
    }
  }

  async function sendFindings() {
    const due = [...records.values()].filter((record) => record.dirty && !record.conflict && !record.error);
    for (let start = 0; start < due.length; start += BATCH_SIZE) {
      const batch = due.slice(start, start + BATCH_SIZE);
      batch.forEach((record) => {
        record.dispatched = true;
      });
      await store.putAll("findings", batch);
      const sent = new Map(
        batch.map((record) => [
          record.uuid,
          {
            client_uuid: record.uuid,
            question: record.question,
            answer: record.answer,
            note: record.note.trim(),
            note_language: record.note_language,
            base_version: record.base_version,
          },
        ]),
      );
      // The tablet keeps what it sent: the server answers each with its status and new row_version only.
      const response = await api("POST", config.urls.findings, { findings: [...sent.values()] }, {
        Prefer: "return=minimal",
      });
      const changed = [];
      for (const result of response.results) {
        const record = records.get(result.question);
        const payload = sent.get(result.client_uuid);
        if (!record || !payload) {
          continue;
        }
        const stillCurrent = record.uuid === result.client_uuid;
        if (result.status === 200 || result.status === 201) {
          const { answer, note, note_language: noteLanguage } = payload;
          record.server = { answer, note, note_language: noteLanguage, row_version: result.row_version };
          record.base_version = result.row_version;
          if (stillCurrent) {
            record.dirty = false;
            record.sentUuid = result.client_uuid;
          }
        } else if (result.status === 409) {
          record.conflict = result.conflict;
          if (stillCurrent) {
            record.dirty = false;
          }
        } else if (stillCurrent) {
          record.error = result.message;
        }
        changed.push(record);
      }
      await store.putAll("findings", changed);
      changed.forEach((record) => updateCard(record.question));
    }
  }

  async function sendPhoto(photo) {
    try {
      await uploadPhoto(photo);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401 || error.status >= 500) {
        throw error; // no connection, signed out or the server's own trouble: the next sync tries again
      }
      photo.error = format(strings.error, { message: error.message });
      await store.put("photos", photo);
    }
    updateCard(photo.question);
  }

  async function sendPhotos() {
    const queue = [...photos.values()].filter((photo) => !photo.complete && !photo.error);
    const lane = async () => {
      while (queue.length) {
        await sendPhoto(queue.shift());
      }
    };
    // Every lane runs to its end before a failure is reported, so no upload is left running behind the sync.
    const lanes = await Promise.allSettled(Array.from({ length: PHOTO_UPLOADS }, lane));
    const failed = lanes.find((outcome) => outcome.status === "rejected");
    if (failed) {
      throw failed.reason;
    }
  }

  async function confirmWithServer() {
    const check = await api("POST", config.urls.syncCheck, {
      findings: [...records.values()].filter((record) => record.sentUuid).map((record) => record.sentUuid),
      photos: [...photos.values()].filter((photo) => photo.complete).map((photo) => photo.uuid),
    });
    if (!check.complete) {
      throw new Error(strings.serverIncomplete);
    }
  }

  async function sync() {
    clearTimeout(syncTimer);
    if (syncing) {
      syncAgain = true;
      return;
    }
    if (!navigator.onLine) {
      refreshStatus();
      return;
    }
    syncing = true;
    root.dataset.sync = "syncing";
    refreshStatus();
    const meta = (await store.get("meta", ref)) || { ref };
    try {
      await sendFindings();
      await sendPhotos();
      await confirmWithServer();
      meta.lastSync = new Date().toISOString();
      meta.lastError = null;
    } catch (error) {
      meta.lastError = error instanceof ApiError || error instanceof TypeError ? describeError(error) : error.message;
    }
    await store.put("meta", meta);
    syncing = false;
    root.dataset.sync = meta.lastError ? "failed" : "done";
    refreshStatus();
    renderProgress();
    if (syncAgain) {
      syncAgain = false;
      scheduleSync();
    }
  }

  // --- status -------------------------------------------------------------------------------------------

  function showError(message) {
    const box = root.querySelector('[data-sync="error"]');
    box.textContent = message || "";
    box.hidden = !message;
  }

  async function refreshStatus() {
    const unsent = [...records.values()].filter(CaptureStore.isUnsentFinding).length;
    const photosUnsent = [...photos.values()].filter(CaptureStore.isUnsentPhoto).length;
    const conflicts = [...records.values()].filter((record) => record.conflict).length;
    const pending = unsent + photosUnsent;
    const meta = (await store.get("meta", ref)) || {};
    const pendingNode = root.querySelector('[data-sync="pending"]');
    pendingNode.dataset.count = pending;
    pendingNode.textContent = format(strings.pending, { count: pending });
    root.querySelector('[data-sync="network"]').textContent = navigator.onLine ? strings.online : strings.offline;
    root.dataset.network = navigator.onLine ? "online" : "offline";
    const last = root.querySelector('[data-sync="last"]');
    last.textContent = format(strings.lastSync, {
      time: meta.lastSync ? new Date(meta.lastSync).toLocaleString(config.language) : strings.never,
    });
    last.dataset.time = meta.lastSync || "";
    const conflictNode = root.querySelector('[data-sync="conflicts"]');
    conflictNode.hidden = !conflicts;
    conflictNode.dataset.count = conflicts;
    conflictNode.textContent = format(strings.conflicts, { count: conflicts });
    if (syncing) {
      showError("");
      root.querySelector('[data-sync="progress"]').textContent = strings.syncing;
    } else {
      showError(meta.lastError ? format(strings.syncFailed, { message: meta.lastError }) : "");
      root.querySelector('[data-sync="progress"]').textContent =
        meta.lastSync && !pending && !meta.lastError ? strings.syncDone : "";
    }
    root.dataset.pending = pending;
  }

  // --- leaving safely -----------------------------------------------------------------------------------

  async function removeFromTablet() {
    const count = await CaptureStore.unsentCount(store, ref);
    if (count && !window.confirm(format(strings.removeWarning, { count }))) {
      return;
    }
    await store.removeAssessment(ref);
    records.clear();
    photos.clear();
    root.querySelector("#questions").replaceChildren(element("p", { class: "message", text: strings.removed }));
    root.dataset.state = "removed";
    refreshStatus();
  }

  // --- start --------------------------------------------------------------------------------------------

  async function show() {
    renderProfile();
    renderLanguagePicker();
    renderClusters();
    renderProgress();
    await refreshStatus();
    root.dataset.state = "ready";
  }

  async function showDownloadTime() {
    const meta = (await store.get("meta", ref)) || {};
    root.querySelector('[data-bind="loading"]').textContent = format(strings.downloaded, {
      time: new Date(meta.downloadedAt || pkg.downloaded_at).toLocaleString(config.language),
    });
  }

  async function refresh() {
    // Online: the package again (mostly a 304), and the checklist file if the tablet does not have it yet.
    if (root.dataset.state !== "ready") {
      root.querySelector('[data-bind="loading"]').textContent = strings.downloading;
    }
    try {
      const changes = await downloadPackage();
      if (root.dataset.state !== "ready" || changes.checklist) {
        await show();
      } else if (changes.package) {
        renderProfile();
        cards.forEach((_parts, code) => updateCard(code));
        renderProgress();
        await refreshStatus();
      }
      root.dataset.package = "current";
    } catch (error) {
      showError(describeError(error));
    }
  }

  function listen() {
    root.querySelector("#sync-now").addEventListener("click", () => sync());
    root.querySelector("#remove-from-tablet").addEventListener("click", removeFromTablet);
    const picker = root.querySelector("#text-language");
    picker.addEventListener("change", () => {
      textLanguage = picker.value;
      renderTexts();
    });
    window.addEventListener("online", () => {
      refreshStatus();
      sync();
    });
    window.addEventListener("offline", refreshStatus);
    setInterval(() => Number(root.dataset.pending) && sync(), 60_000);
  }

  async function start() {
    store = await CaptureStore.open(config.user);
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist(); // ask the browser never to evict captured work under storage pressure
    }
    [pkg] = await Promise.all([store.get("packages", ref), loadLocal()]);
    if (pkg) {
      checklist = await loadChecklist(pkg, { offline: true });
      checklistUrl = pkg.checklist.url || null;
    }
    listen();
    if (checklist) {
      await show(); // what the tablet holds, at once; the network only brings what changed
      await showDownloadTime();
    }
    if (navigator.onLine) {
      await refresh();
    }
    if (root.dataset.state !== "ready") {
      root.querySelector('[data-bind="loading"]').textContent = strings.downloadFailed;
      root.dataset.state = "unavailable";
      return;
    }
    await showDownloadTime();
    if (navigator.onLine) {
      await Promise.all([registerServiceWorker(), cacheThisPage()]).catch((error) => showError(error.message));
      root.dataset.offlineReady = "true";
      sync();
    }
  }

  start().catch((error) => {
    root.dataset.state = "failed";
    showError(error.message);
  });
})();
