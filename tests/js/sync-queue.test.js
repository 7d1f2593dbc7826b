import { applyResults, batches, dueFindings, mergeServerFindings, submission } from "/static/capture/sync-queue.js";
import { assert, test } from "./harness.js";

const record = (question, fields = {}) => ({
  ref: "A-1",
  question,
  answer: "compliant",
  note: "",
  note_language: "en",
  condition_not_met: false,
  base_version: null,
  uuid: `uuid-${question}`,
  dirty: true,
  conflict: null,
  error: null,
  ...fields,
});

test("due findings are the changed ones without a conflict or a refusal", () => {
  const records = new Map(
    [
      record("A"),
      record("B", { dirty: false }),
      record("C", { conflict: { id: 3 } }),
      record("D", { error: "refused" }),
      record("E"),
    ].map((item) => [item.question, item]),
  );
  assert.deepEqual(dueFindings(records).map((item) => item.question), ["A", "E"]);
});

test("a whole checklist goes in batches of at most the server's limit", () => {
  const items = Array.from({ length: 1001 }, (_value, index) => index);
  assert.deepEqual(batches(items, 500).map((batch) => batch.length), [500, 500, 1]);
  assert.deepEqual(batches([], 500), []);
});

test("a submission carries a trimmed note and always says whether the condition is not met", () => {
  assert.deepEqual(submission(record("A", { note: "  seen  ", base_version: 3 })), {
    client_uuid: "uuid-A",
    question: "A",
    answer: "compliant",
    note: "seen",
    note_language: "en",
    base_version: 3,
    condition_not_met: false,
  });
  const notMet = submission(record("B", { answer: "not_applicable", condition_not_met: true }));
  assert.equal(notMet.condition_not_met, true);
});

test("accepted results settle the records sent and keep one edited meanwhile due", () => {
  const a = record("A");
  const b = record("B");
  const records = new Map([["A", a], ["B", b]]);
  const sent = new Map([a, b].map((item) => [item.uuid, submission(item)]));
  b.uuid = "uuid-B-again"; // edited while the batch travelled
  const changed = applyResults(records, sent, [
    { client_uuid: "uuid-A", question: "A", status: 201, row_version: 1 },
    { client_uuid: "uuid-B", question: "B", status: 200, row_version: 4 },
  ]);
  assert.equal(changed.length, 2);
  assert.deepEqual([a.dirty, a.base_version, a.sentUuid], [false, 1, "uuid-A"]);
  assert.deepEqual([b.dirty, b.base_version], [true, 4], "the newer edit goes next, from the new version");
});

test("a conflict is kept for the monitor and a refusal names its reason", () => {
  const a = record("A");
  const b = record("B");
  const records = new Map([["A", a], ["B", b]]);
  const sent = new Map([a, b].map((item) => [item.uuid, submission(item)]));
  applyResults(records, sent, [
    { client_uuid: "uuid-A", question: "A", status: 409, conflict: { id: 7 } },
    { client_uuid: "uuid-B", question: "B", status: 400, message: "not an answer" },
  ]);
  assert.deepEqual([a.conflict, a.dirty], [{ id: 7 }, false]);
  assert.deepEqual([b.error, b.dirty], ["not an answer", true]);
});

test("the server's findings replace only records with nothing unsent", () => {
  const mine = record("A", { answer: "non_compliant" });
  const settled = record("B", { dirty: false });
  const records = new Map([["A", mine], ["B", settled]]);
  const fresh = {
    findings: {
      A: { answer: "compliant", note: "", note_language: "en", row_version: 2 },
      B: { answer: "not_applicable", note: "x", note_language: "km", condition_not_met: true, row_version: 5 },
      C: { answer: "compliant", note: "", note_language: "en", row_version: 1 },
    },
    open_conflicts: [{ id: 9, question: "A" }],
  };
  const merged = mergeServerFindings(records, fresh, "A-1");
  assert.deepEqual(merged.map((item) => item.question).sort(), ["A", "B", "C"]);
  assert.deepEqual([records.get("A").answer, records.get("A").conflict.id], ["non_compliant", 9]);
  const b = records.get("B");
  assert.deepEqual([b.answer, b.condition_not_met, b.base_version, b.uuid, b.dirty], ["not_applicable", true, 5, null, false]);
  assert.deepEqual([records.get("C").ref, records.get("C").base_version], ["A-1", 1]);
});
