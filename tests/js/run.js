// Runs every test module and writes the results into the page for tests/test_capture_modules.py to read.
import { run } from "./harness.js";
import "./answers.test.js";
import "./navigation.test.js";
import "./conditions.test.js";
import "./sync-queue.test.js";
import "./text.test.js";

const output = document.getElementById("results");
run().then(
  (results) => {
    output.textContent = JSON.stringify(results);
    output.dataset.finished = "true";
  },
  (error) => {
    output.textContent = JSON.stringify([{ name: "(harness)", passed: false, message: String(error) }]);
    output.dataset.finished = "true";
  },
);
