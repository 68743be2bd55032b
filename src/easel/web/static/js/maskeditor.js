// The mask editor: paint over an image where it should change. The paint lives on a
// canvas the size of a preview (the long side at most MAX_SIDE; the server scales a mask
// of the image's shape to it), shown over the image. Mouse, pen or touch paints; the
// keyboard moves a brush with the arrows and paints with Space ([ and ] size it).
// The mask is exported opaque: white where to change, black where to keep.

import { button, h, iconButton, showDialog } from "./ui.js";

const MAX_SIDE = 1024;
const STEP = 8; // px of the preview an arrow key moves the keyboard brush
// The paint's colour on screen; only its alpha counts for the mask.
const PAINT = [236, 72, 153];

/** The preview size of a mask for a width x height image. */
export function maskSize(width, height) {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A PNG Blob of the painted mask (opaque black and white), and the share it covers. */
export async function exportMask(paint) {
  const { width, height } = paint;
  const pixels = paint.getContext("2d").getImageData(0, 0, width, height);
  const data = pixels.data;
  let covered = 0;
  for (let i = 0; i < data.length; i += 4) {
    const value = data[i + 3];
    if (value) covered += 1;
    data[i] = data[i + 1] = data[i + 2] = value;
    data[i + 3] = 255;
  }
  const out = h("canvas", { width, height });
  out.getContext("2d").putImageData(pixels, 0, 0);
  const blob = await new Promise((resolve) => out.toBlob(resolve, "image/png"));
  return { blob, coverage: covered / (width * height) };
}

/**
 * Open the editor over `image` ({url, width, height}); resolves with {blob, coverage,
 * preview} once the user applies it, or null when they cancel.
 */
export async function paintMask(image) {
  const size = maskSize(image.width, image.height);
  const paint = h("canvas", { class: "mask-paint", width: size.width, height: size.height, "aria-hidden": "true" });
  const ctx = paint.getContext("2d");
  const cursor = h("div", { class: "brush-cursor", hidden: true, "aria-hidden": "true" });
  const surface = h(
    "div",
    {
      class: "mask-surface",
      id: "mask-surface",
      tabindex: 0,
      role: "application",
      "aria-label": "Mask canvas: arrow keys move the brush, Space paints, Shift with arrows paints as it moves, [ and ] change the brush size",
    },
    h("img", { src: image.url, alt: "The image to paint the mask on", draggable: "false" }),
    paint,
    cursor,
  );
  surface.style.aspectRatio = `${image.width} / ${image.height}`;
  surface.style.setProperty("--ratio", String(image.width / image.height));
  const brush = h("input", { type: "range", id: "mask-brush", min: 2, max: 200, value: 40, class: "range" });
  const brushValue = h("output", { for: "mask-brush" }, "40 px");
  const modeGroup = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Tool" });
  const status = h("p", { class: "hint", id: "mask-status", "aria-live": "polite" });
  const problem = h("div", { class: "alert", role: "alert", hidden: true });
  let erasing = false;
  let last = null;
  const keyBrush = { x: size.width / 2, y: size.height / 2 };

  for (const [value, label] of [[false, "Brush"], [true, "Eraser"]]) {
    modeGroup.append(
      h("button", {
        type: "button",
        class: "button small",
        role: "radio",
        id: value ? "mask-eraser" : "mask-brush-tool",
        "aria-checked": String(erasing === value),
        onclick: (event) => {
          erasing = value;
          for (const b of modeGroup.children) b.setAttribute("aria-checked", String(b === event.currentTarget));
        },
      }, label),
    );
  }

  const radius = () => Number(brush.value) / 2;
  function dab(from, to) {
    ctx.save();
    ctx.globalCompositeOperation = erasing ? "destination-out" : "source-over";
    ctx.strokeStyle = ctx.fillStyle = `rgb(${PAINT.join(" ")})`;
    ctx.lineCap = "round";
    ctx.lineWidth = radius() * 2;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    // A line of no length draws nothing: a click (or Space) is a round dab.
    ctx.beginPath();
    ctx.arc(to.x, to.y, radius(), 0, 2 * Math.PI);
    ctx.fill();
    ctx.restore();
  }

  function toCanvas(event) {
    const rect = paint.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) * size.width) / rect.width, y: ((event.clientY - rect.top) * size.height) / rect.height };
  }

  function showCursor(point) {
    const rect = paint.getBoundingClientRect();
    const scale = rect.width / size.width;
    cursor.hidden = false;
    cursor.style.width = cursor.style.height = `${radius() * 2 * scale}px`;
    cursor.style.left = `${point.x * scale}px`;
    cursor.style.top = `${point.y * scale}px`;
  }

  surface.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    surface.setPointerCapture(event.pointerId);
    last = toCanvas(event);
    dab(last, last);
  });
  surface.addEventListener("pointermove", (event) => {
    const point = toCanvas(event);
    showCursor(point);
    if (!last) return;
    dab(last, point);
    last = point;
  });
  const lift = () => {
    if (last) status.textContent = "";
    last = null;
  };
  surface.addEventListener("pointerup", lift);
  surface.addEventListener("pointercancel", lift);
  surface.addEventListener("pointerleave", () => {
    if (!last) cursor.hidden = true;
  });

  surface.addEventListener("keydown", (event) => {
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (move) {
      event.preventDefault();
      const from = { ...keyBrush };
      keyBrush.x = Math.min(size.width, Math.max(0, keyBrush.x + move[0] * STEP));
      keyBrush.y = Math.min(size.height, Math.max(0, keyBrush.y + move[1] * STEP));
      if (event.shiftKey) dab(from, keyBrush);
    } else if (event.key === " ") {
      event.preventDefault();
      dab(keyBrush, keyBrush);
    } else if (event.key === "[" || event.key === "]") {
      brush.value = String(Number(brush.value) + (event.key === "]" ? 4 : -4));
      brush.dispatchEvent(new Event("input"));
    } else {
      return;
    }
    showCursor(keyBrush);
  });
  surface.addEventListener("focus", () => showCursor(keyBrush));
  surface.addEventListener("blur", () => {
    cursor.hidden = true;
  });
  brush.addEventListener("input", () => {
    brushValue.textContent = `${brush.value} px`;
  });

  function invert() {
    const pixels = ctx.getImageData(0, 0, size.width, size.height);
    const data = pixels.data;
    for (let i = 0; i < data.length; i += 4) {
      [data[i], data[i + 1], data[i + 2]] = PAINT;
      data[i + 3] = 255 - data[i + 3];
    }
    ctx.putImageData(pixels, 0, 0);
  }

  let result = null;
  const form = h(
    "form",
    { method: "dialog", class: "mask-editor" },
    h("h2", { id: "mask-title" }, "Paint the area to change"),
    h("p", { class: "muted" }, "Painted areas are repainted; the rest of the image is kept."),
    surface,
    h(
      "div",
      { class: "row wrap mask-tools" },
      modeGroup,
      h("label", { class: "brush-size", for: "mask-brush" }, "Brush", brush, brushValue),
      button("Invert", { kind: "small", id: "mask-invert", onclick: invert }),
      button("Clear", { kind: "small ghost", id: "mask-clear", onclick: () => ctx.clearRect(0, 0, size.width, size.height) }),
    ),
    status,
    problem,
    h(
      "div",
      { class: "row" },
      h("button", { class: "button", value: "cancel", formnovalidate: true }, "Cancel"),
      h("button", { class: "button primary", value: "apply", id: "mask-apply" }, "Use this mask"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    if (!event.submitter || event.submitter.value !== "apply") return;
    event.preventDefault();
    const exported = await exportMask(paint);
    if (exported.coverage === 0) {
      problem.textContent = "Nothing is painted yet: paint over the area to change (or Invert to change everything).";
      problem.hidden = false;
      return;
    }
    result = { ...exported, preview: paint.toDataURL("image/png") };
    dialog.close("apply");
  });
  const dialog = h(
    "dialog",
    { class: "sheet mask-sheet", "aria-labelledby": "mask-title", id: "mask-editor" },
    iconButton("x", "Close", () => dialog.close(), { class: "icon-button sheet-close" }),
    form,
  );
  const closed = showDialog(dialog);
  surface.focus();
  return (await closed) === "apply" ? result : null;
}
