import { format, inLanguage } from "/static/capture/text.js";
import { assert, test } from "./harness.js";

test("format fills named values and leaves missing ones empty", () => {
  assert.equal(format("%(answered)s / %(total)s answered", { answered: 3, total: 274 }), "3 / 274 answered");
  assert.equal(format("Last visit (%(ref)s)", {}), "Last visit ()");
});

test("a missing translation falls back to English marked as English", () => {
  assert.deepEqual(inLanguage({ en: "Fire exits", km: "ច្រកចេញ" }, "km"), { text: "ច្រកចេញ", lang: "km" });
  assert.deepEqual(inLanguage({ en: "Fire exits", km: "" }, "km"), { text: "Fire exits", lang: "en" });
  assert.deepEqual(inLanguage(null, "km"), { text: "", lang: "en" });
});
