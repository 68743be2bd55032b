// "Work on this image": the operations offered on any image (a result card, the detail
// view). Picking one hands the image to the studio as its source image with that
// operation chosen; one-click operations (upscale, background removal, variations) run at
// once, the others open their editor or wait for a prompt.

import { modelsFor } from "./operations.js";
import { h, icon } from "./ui.js";

/** sessionStorage key of an image handed to the studio from another page. */
export const WORK_ON = "easel.workOn";

export const ACTIONS = [
  { id: "upscale-2", label: "Upscale ×2", operation: "upscale", factor: 2, run: true },
  { id: "upscale-4", label: "Upscale ×4", operation: "upscale", factor: 4, run: true },
  { id: "remove-background", label: "Remove background", operation: "remove_background", run: true },
  { id: "variations", label: "Variations", operation: "variations", run: true },
  { id: "edit", label: "Edit with a prompt…", operation: "edit" },
  { id: "inpaint", label: "Inpaint…", operation: "inpaint" },
  { id: "outpaint", label: "Outpaint…", operation: "outpaint" },
  { id: "style-transfer", label: "Style transfer…", operation: "style_transfer" },
];

/** Buttons for the actions some available model can do; `onPick(action)` on a click. */
export function actionButtons(models, onPick) {
  return ACTIONS.filter((a) => modelsFor(models, a.operation).length).map((action) =>
    h("button", { type: "button", class: "button small", dataset: { action: action.id }, onclick: () => onPick(action) }, action.label),
  );
}

/** A compact menu of the actions (for a result card). */
export function actionMenu(models, onPick, label) {
  const menu = h("details", { class: "work-menu" });
  const close = () => menu.removeAttribute("open");
  menu.append(
    h("summary", { class: "icon-button", "aria-label": label, title: label }, icon("wand")),
    h(
      "div",
      { class: "work-menu-list", role: "group", "aria-label": label },
      actionButtons(models, (action) => {
        close();
        onPick(action);
      }),
    ),
  );
  // Fixed to the viewport, so a short card's overflow never cuts the list off.
  menu.addEventListener("toggle", () => {
    if (!menu.open) return;
    const list = menu.querySelector(".work-menu-list");
    const anchor = menu.querySelector("summary").getBoundingClientRect();
    const { width, height } = list.getBoundingClientRect();
    const above = anchor.top - height - 6;
    list.style.left = `${Math.max(8, anchor.right - width)}px`;
    list.style.top = `${above >= 8 ? above : anchor.bottom + 6}px`;
  });
  menu.addEventListener("focusout", (event) => {
    if (menu.open && !menu.contains(event.relatedTarget)) close();
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      event.stopPropagation();
      close();
      menu.querySelector("summary").focus();
    }
  });
  return menu;
}

/** Hand `image` (an ImageOut) to the studio with `action`, from a page that is not it. */
export function handToStudio(image, action, navigate) {
  try {
    sessionStorage.setItem(WORK_ON, JSON.stringify({ image, action: action.id }));
  } catch {
    /* storage disabled: the studio opens without it */
  }
  navigate("/");
}

export const actionById = (id) => ACTIONS.find((a) => a.id === id) || null;
