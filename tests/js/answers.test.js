import { answerChoices, answerText, applyEdit, findingState, newRecord, progress } from "/static/capture/answers.js";
import { assert, test } from "./harness.js";
import { ANSWERS, CHECKLIST, STRINGS } from "./checklist.js";

let counter = 0;
const identity = () => ({ newUuid: () => `uuid-${++counter}`, now: "2026-12-07T10:00:00Z" });

test("a question non-compliant if yes shows No then Yes marked non-compliant", () => {
  const choices = answerChoices({ noncompliant_answer: "yes" }, ANSWERS, STRINGS);
  assert.deepEqual(
    choices.map((choice) => [choice.value, choice.label, choice.marked]),
    [
      ["compliant", "No", false],
      ["non_compliant", "Yes", true],
      ["not_applicable", "Not applicable", false],
      ["not_assessed", "Not assessed", false],
    ],
  );
});

test("a question non-compliant if no shows Yes then No marked non-compliant", () => {
  const [compliant, noncompliant] = answerChoices({ noncompliant_answer: "no" }, ANSWERS, STRINGS);
  assert.deepEqual([compliant.label, noncompliant.label, noncompliant.marked], ["Yes", "No", true]);
});

test("an answer outside its buttons says which is non-compliant", () => {
  const question = { noncompliant_answer: "no" };
  assert.equal(answerText(question, "non_compliant", ANSWERS, STRINGS), "No (non-compliant)");
  assert.equal(answerText(question, "compliant", ANSWERS, STRINGS), "Yes");
  assert.equal(answerText(question, "not_assessed", ANSWERS, STRINGS), "Not assessed");
});

test("a note without an answer stays on the card and is not queued", () => {
  const record = newRecord("A-1", "CL.1.1", "km");
  assert.equal(applyEdit(record, { note: "Seen" }, identity()), false);
  assert.deepEqual([record.note, record.dirty, record.uuid], ["Seen", undefined, null]);
  assert.equal(findingState(record), "empty");
});

test("an answer queues the record under a new identity kept until it is sent", () => {
  const record = newRecord("A-1", "CL.1.1", "en");
  assert.equal(applyEdit(record, { answer: "compliant" }, identity()), true);
  const first = record.uuid;
  assert.ok(first, "an identity");
  applyEdit(record, { note: "More" }, identity());
  assert.equal(record.uuid, first, "still unsent: same submission");
  record.dispatched = true;
  applyEdit(record, { note: "After sending" }, identity());
  assert.ok(record.uuid !== first, "a change after sending is a new submission");
  assert.deepEqual([record.dirty, record.dispatched, findingState(record)], [true, false, "local"]);
});

test("choosing an answer by hand clears condition not met but a note keeps it", () => {
  const record = newRecord("A-1", "CL.1.2", "en");
  applyEdit(record, { answer: "not_applicable", condition_not_met: true }, identity());
  applyEdit(record, { note: "No young workers on the payroll" }, identity());
  assert.equal(record.condition_not_met, true);
  applyEdit(record, { answer: "not_applicable" }, identity());
  assert.equal(record.condition_not_met, false);
});

test("a record's state puts a conflict before an error before unsent work", () => {
  const record = { answer: "compliant", dirty: true, error: "refused", conflict: { id: 1 } };
  assert.equal(findingState(record), "conflict");
  record.conflict = null;
  assert.equal(findingState(record), "error");
  record.error = null;
  assert.equal(findingState(record), "local");
  record.dirty = false;
  assert.equal(findingState(record), "synced");
  assert.equal(findingState(undefined), "empty");
});

test("progress counts answered questions per cluster and in all", () => {
  const records = new Map([
    ["CL.1.1", { answer: "compliant" }],
    ["CL.1.2", { answer: "", note: "waiting" }],
    ["OS.1.2", { answer: "not_applicable" }],
  ]);
  assert.deepEqual(progress(CHECKLIST, records), {
    answered: 2,
    total: 5,
    clusters: { CL: { answered: 1, total: 3 }, OS: { answered: 1, total: 2 } },
  });
});
