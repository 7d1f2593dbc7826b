// Photos taken on the tablet: shrunk, hashed, kept, then sent in resumable pieces.

import { api, ApiError } from "./api.js";

// Chosen with benchmarks/photo_legibility.py: the smallest photo (about 100 KB) in which every line of a label,
// its small print included, reads as well as in the camera's own file (1280 px lost some small print).
export const PHOTO_LONGEST_SIDE = 1440;
export const THUMBNAIL_LONGEST_SIDE = 240;
const PHOTO_QUALITY = 0.6;
const NO_UUID = "00000000-0000-0000-0000-000000000000";

export async function resize(file, longestSide) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, longestSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
}

export async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Sends a photo, resuming where the server is after a broken piece; resolves with the server's evidence id.
export async function upload(photo, urls, chunkBytes) {
  let state = await api("POST", urls.uploads, {
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
        urls.upload.replace(NO_UUID, photo.uuid),
        photo.blob.slice(offset, offset + chunkBytes, "application/octet-stream"),
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
  return state.evidence;
}
