// The outpaint editor: how far to extend each side of an image. The image sits in the
// middle of a frame; dragging a side's handle (or its arrow keys, or its number box)
// pulls that edge out, and the added area shows as a dashed band.

import { h, iconButton, showDialog } from "./ui.js";

export const SIDES = ["left", "top", "right", "bottom"];
const MAX_EXTEND = 4096; // the server's limit per side

/** Number inputs for the four sides, bound to `extend` ({left, top, right, bottom}). */
export function sideInputs(extend, onChange, prefix = "extend") {
  const inputs = {};
  const node = h(
    "div",
    { class: "sides" },
    SIDES.map((side) => {
      const input = h("input", { type: "number", class: "input", id: `${prefix}-${side}`, min: 0, max: MAX_EXTEND, step: 8, value: extend[side] || 0, inputmode: "numeric" });
      input.addEventListener("input", () => {
        extend[side] = Math.min(MAX_EXTEND, Math.max(0, Math.round(Number(input.value) || 0)));
        onChange(side);
      });
      inputs[side] = input;
      return h("label", { class: "side", for: input.id }, side[0].toUpperCase() + side.slice(1), input, h("span", { class: "muted" }, "px"));
    }),
  );
  return { node, update: () => SIDES.forEach((side) => (inputs[side].value = String(extend[side] || 0))) };
}

/** Open the editor over `image` ({url, width, height}); resolves with the extension, or
 * null when canceled. */
export async function editExtend(image, initial = {}) {
  const extend = Object.fromEntries(SIDES.map((side) => [side, initial[side] || 0]));
  // The frame leaves room for up to half the image's size on each side at this scale.
  const room = { x: image.width / 2, y: image.height / 2 };
  const pictured = h("img", { src: image.url, alt: "The image to extend", draggable: "false" });
  const band = h("div", { class: "outpaint-band", "aria-hidden": "true" });
  const handles = {};
  const frame = h("div", { class: "outpaint-frame", id: "outpaint-frame" }, band, pictured);
  frame.style.aspectRatio = `${image.width + 2 * room.x} / ${image.height + 2 * room.y}`;
  frame.style.setProperty("--ratio", String(image.width / image.height));
  const numbers = sideInputs(extend, () => render(), "outpaint");
  const size = h("p", { class: "hint", id: "outpaint-size", "aria-live": "polite" });

  const pct = (value, total) => `${(value / total) * 100}%`;
  function render() {
    const totalX = image.width + 2 * room.x;
    const totalY = image.height + 2 * room.y;
    Object.assign(pictured.style, { left: pct(room.x, totalX), top: pct(room.y, totalY), width: pct(image.width, totalX), height: pct(image.height, totalY) });
    const shown = Object.fromEntries(SIDES.map((side) => [side, Math.min(extend[side], side === "left" || side === "right" ? room.x : room.y)]));
    Object.assign(band.style, {
      left: pct(room.x - shown.left, totalX),
      top: pct(room.y - shown.top, totalY),
      width: pct(image.width + shown.left + shown.right, totalX),
      height: pct(image.height + shown.top + shown.bottom, totalY),
    });
    for (const side of SIDES) {
      const handle = handles[side];
      handle.setAttribute("aria-valuenow", String(extend[side]));
      handle.setAttribute("aria-valuetext", `${extend[side]} px`);
      const horizontal = side === "left" || side === "right";
      const at = side === "left" || side === "top" ? -shown[side] : (horizontal ? image.width : image.height) + shown[side];
      if (horizontal) Object.assign(handle.style, { left: pct(room.x + at, totalX), top: "50%" });
      else Object.assign(handle.style, { top: pct(room.y + at, totalY), left: "50%" });
    }
    numbers.update();
    size.textContent = `The result will be ${image.width + extend.left + extend.right} × ${image.height + extend.top + extend.bottom} px.`;
  }

  for (const side of SIDES) {
    const horizontal = side === "left" || side === "right";
    const outward = side === "left" || side === "top" ? -1 : 1;
    const handle = h("div", {
      class: `outpaint-handle ${side}`,
      role: "slider",
      tabindex: 0,
      id: `outpaint-handle-${side}`,
      "aria-label": `Extend the ${side} side`,
      "aria-valuemin": "0",
      "aria-valuemax": String(MAX_EXTEND),
    });
    const set = (value) => {
      extend[side] = Math.min(MAX_EXTEND, Math.max(0, Math.round(value)));
      render();
    };
    handle.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      const rect = frame.getBoundingClientRect();
      const scale = horizontal ? (image.width + 2 * room.x) / rect.width : (image.height + 2 * room.y) / rect.height;
      const start = horizontal ? event.clientX : event.clientY;
      const base = extend[side];
      const move = (e) => set(base + outward * ((horizontal ? e.clientX : e.clientY) - start) * scale);
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", () => handle.removeEventListener("pointermove", move), { once: true });
    });
    handle.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 64 : 8;
      const delta = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 }[event.key];
      if (delta === undefined) return;
      event.preventDefault();
      set(extend[side] + delta * step);
    });
    handles[side] = handle;
    frame.append(handle);
  }

  let result = null;
  const form = h(
    "form",
    { method: "dialog", class: "outpaint-editor" },
    h("h2", { id: "outpaint-title" }, "Extend the canvas"),
    h("p", { class: "muted" }, "Drag an edge outwards, or type how many pixels to add on each side."),
    frame,
    numbers.node,
    size,
    h(
      "div",
      { class: "row" },
      h("button", { class: "button", value: "cancel", formnovalidate: true }, "Cancel"),
      h("button", { class: "button primary", value: "apply", id: "outpaint-apply" }, "Use these edges"),
    ),
  );
  form.addEventListener("submit", (event) => {
    if (!event.submitter || event.submitter.value !== "apply") return;
    result = { ...extend };
  });
  const dialog = h(
    "dialog",
    { class: "sheet outpaint-sheet", "aria-labelledby": "outpaint-title", id: "outpaint-editor" },
    iconButton("x", "Close", () => dialog.close(), { class: "icon-button sheet-close" }),
    form,
  );
  render();
  const closed = showDialog(dialog);
  return (await closed) === "apply" ? result : null;
}
