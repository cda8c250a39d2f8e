// tikpost's own small scripts; every page works without them.
"use strict";

// <button data-copy="#id"> copies that element's text (a key or secret shown once).
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  await navigator.clipboard.writeText(source.textContent.trim());
  button.textContent = "Copied";
});

// An avatar that cannot load (offline, or TikTok's CDN refusing) becomes a plain circle.
function replaceBrokenAvatar(image) {
  if (image instanceof HTMLImageElement && image.classList.contains("avatar")) {
    const circle = document.createElement("span");
    circle.className = "avatar";
    circle.setAttribute("aria-hidden", "true");
    image.replaceWith(circle);
  }
}
document.addEventListener("error", (event) => replaceBrokenAvatar(event.target), true);
// Those that failed before this script ran.
for (const image of document.querySelectorAll("img.avatar")) {
  if (image.complete && image.naturalWidth === 0) replaceBrokenAvatar(image);
}
