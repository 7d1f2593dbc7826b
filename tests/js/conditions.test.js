import { CONDITION_NOT_MET, conditionQuestions, isConditionNotMet, notMetChanges } from "/static/capture/conditions.js";
import { applyEdit, newRecord } from "/static/capture/answers.js";
import { assert, test } from "./harness.js";
import { CHECKLIST } from "./checklist.js";

test("a condition governs its questions across clusters", () => {
  assert.deepEqual(conditionQuestions(CHECKLIST), new Map([["young-workers", ["CL.1.2", "OS.1.2"]]]));
});

test("marking a condition not met changes every question not already so and names the answered ones", () => {
  const records = new Map([
    ["CL.1.2", { answer: "compliant" }],
    ["OS.1.2", { answer: "not_applicable", condition_not_met: true }],
  ]);
  assert.deepEqual(notMetChanges(["CL.1.2", "OS.1.2"], records), { change: ["CL.1.2"], overwrites: ["CL.1.2"] });
  assert.deepEqual(notMetChanges(["CL.1.2", "OS.1.2"], new Map()), { change: ["CL.1.2", "OS.1.2"], overwrites: [] });
});

test("a plain not applicable is not the condition's", () => {
  assert.equal(isConditionNotMet({ answer: "not_applicable", condition_not_met: false }), false);
  assert.equal(isConditionNotMet({ answer: "compliant", condition_not_met: true }), false);
  assert.equal(isConditionNotMet(undefined), false);
});

test("the condition's edit queues a not applicable answer saying so", () => {
  const record = newRecord("A-1", "OS.1.2", "en");
  const queued = applyEdit(record, { ...CONDITION_NOT_MET }, { newUuid: () => "u-1", now: "now" });
  assert.deepEqual([queued, record.answer, record.condition_not_met, isConditionNotMet(record)], [
    true,
    "not_applicable",
    true,
    true,
  ]);
});
