// Tell the server the browser's time zone (a cookie the pages read); reload once when the
// page was drawn in another zone, so times and calendar days are the viewer's own.
"use strict";
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  var found = document.cookie.match(/(?:^|; )tikpost_tz=([^;]*)/);
  var stored = found ? decodeURIComponent(found[1]) : "";
  if (stored === zone) return;
  document.cookie =
    "tikpost_tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Lax; max-age=31536000";
  var marker = document.querySelector("[data-time-zone]");
  var shown = marker ? marker.dataset.timeZone : "";
  var pinned = new URLSearchParams(window.location.search).has("tz");
  if (shown && shown !== zone && !pinned) window.location.reload();
})();
