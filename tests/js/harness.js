// A small test harness for the capture screen's modules, run in headless Chromium by tests/test_capture_modules.py
// (each JS test there is one pytest test). test() registers; run() runs every registered test and reports.

const registered = [];

export function test(name, body) {
  registered.push({ name, body });
}

function show(value) {
  return JSON.stringify(value, (_key, item) => (item instanceof Set || item instanceof Map ? [...item] : item));
}

export const assert = {
  equal(actual, expected, what = "") {
    if (!Object.is(actual, expected)) {
      throw new Error(`${what} expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  deepEqual(actual, expected, what = "") {
    if (show(actual) !== show(expected)) {
      throw new Error(`${what} expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  ok(value, what = "") {
    if (!value) {
      throw new Error(`${what} expected a true value, got ${show(value)}`);
    }
  },
};

export async function run() {
  const results = [];
  for (const { name, body } of registered) {
    try {
      await body();
      results.push({ name, passed: true });
    } catch (error) {
      results.push({ name, passed: false, message: String(error && error.stack ? error.stack : error) });
    }
  }
  return results;
}
