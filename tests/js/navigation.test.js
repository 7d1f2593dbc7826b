import { nextUnanswered, questionOrder, visibleCodes } from "/static/capture/navigation.js";
import { assert, test } from "./harness.js";
import { CHECKLIST } from "./checklist.js";

const order = questionOrder(CHECKLIST);
const answeredOf = (...codes) => (code) => codes.includes(code);

test("the questions are in checklist order with their clusters", () => {
  assert.deepEqual(
    order.map((item) => `${item.cluster}:${item.code}`),
    ["CL:CL.1.1", "CL:CL.1.2", "CL:CL.2.1", "OS:OS.1.1", "OS:OS.1.2"],
  );
});

test("next unanswered skips answered questions and crosses into the next cluster", () => {
  assert.equal(nextUnanswered(order, answeredOf("CL.1.1", "CL.2.1"), null).code, "CL.1.2");
  const next = nextUnanswered(order, answeredOf("CL.1.2", "CL.2.1"), "CL.1.2");
  assert.deepEqual([next.code, next.cluster], ["OS.1.1", "OS"]);
});

test("next unanswered goes round to the start after the last question", () => {
  assert.equal(nextUnanswered(order, answeredOf("CL.1.2", "OS.1.1", "OS.1.2"), "OS.1.1").code, "CL.1.1");
});

test("next unanswered is null once every question has an answer", () => {
  assert.equal(nextUnanswered(order, () => true, "CL.1.1"), null);
});

test("only unanswered shows a cluster's unanswered questions and keeps those answered meanwhile", () => {
  const isAnswered = answeredOf("CL.1.1", "CL.2.1");
  assert.deepEqual(visibleCodes(order, "CL", { onlyUnanswered: false, isAnswered }), new Set(["CL.1.1", "CL.1.2", "CL.2.1"]));
  assert.deepEqual(visibleCodes(order, "CL", { onlyUnanswered: true, isAnswered }), new Set(["CL.1.2"]));
  const keep = new Set(["CL.2.1"]);
  assert.deepEqual(visibleCodes(order, "CL", { onlyUnanswered: true, isAnswered, keep }), new Set(["CL.1.2", "CL.2.1"]));
});
