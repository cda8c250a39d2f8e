/* The composer's behaviour: TikTok's Direct Post rules (R1-R5) on the page, upload progress,
   photo order, preview. Plain JS, no build. Every rule is enforced again by the server
   (POST /v1/posts's intake); this file only keeps a person from choosing what it would refuse. */
(function () {
  "use strict";

  var form = document.getElementById("composer");
  if (!form) return;

  var DISCLOSURE_HOVER =
    "You need to indicate if your content promotes yourself, a third party, or both.";
  var BRANDED_PRIVATE = "Branded content visibility cannot be set to private.";
  var PROMPT_ORGANIC = "Your photo/video will be labeled as 'Promotional content'";
  var PROMPT_BRANDED = "Your photo/video will be labeled as 'Paid partnership'";
  var LIMITS = { videoTitle: 2200, photoTitle: 90, description: 4000 };

  function $(selector) { return form.querySelector(selector); }
  function $$(selector) { return Array.prototype.slice.call(form.querySelectorAll(selector)); }

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = form.dataset.csrf || (csrfMeta ? csrfMeta.content : "");
  var maxDurationSec = Number(form.dataset.maxDurationSec || 0);
  var reviewing = form.dataset.review === "1";

  var state = {
    kind: form.dataset.kind || "video",
    mode: form.dataset.mode || "direct",
    video: null, // {id, durationMs, previewUrl}
    photos: [], // [{id, previewUrl, name}]
    coverId: null,
    privacy: form.dataset.privacy || null,
    uploading: 0,
    mediaError: null,
    published: false,
    coverTouched: false,
  };

  /* ---------- what shows for which kind of post ---------- */

  function combo() { return state.kind + "-" + state.mode; }

  function applyVisibility() {
    $$("[data-show]").forEach(function (el) {
      el.hidden = el.dataset.show.split(" ").indexOf(combo()) < 0;
    });
  }

  /* ---------- caption counters (TikTok counts UTF-16 units: a JS string's length) ---------- */

  function titleLimit() { return state.kind === "photo" ? LIMITS.photoTitle : LIMITS.videoTitle; }

  function updateCounter(input, counter, limit) {
    var used = input.value.length;
    counter.textContent = used + " / " + limit;
    var over = used > limit;
    counter.classList.toggle("over", over);
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return !over;
  }

  function countersOk() {
    var ok = updateCounter($("#title"), $("#title-count"), titleLimit());
    if (state.kind === "photo") {
      ok = updateCounter($("#description"), $("#description-count"), LIMITS.description) && ok;
    }
    return ok;
  }

  /* ---------- privacy: a listbox, so a disabled option can say why on hover ---------- */

  var privacyButton = $("#privacy-button");
  var privacyList = $("#privacy-list");
  var privacyOptions = $$("#privacy-list [role=option]");

  function optionFor(value) {
    return privacyOptions.filter(function (o) { return o.dataset.value === value; })[0] || null;
  }

  function choosePrivacy(value) {
    var option = optionFor(value);
    if (!option || option.getAttribute("aria-disabled") === "true") return false;
    state.privacy = value;
    privacyOptions.forEach(function (o) { o.setAttribute("aria-selected", String(o === option)); });
    privacyButton.textContent = option.textContent.trim();
    privacyButton.dataset.value = value;
    refresh();
    return true;
  }

  function openPrivacy() {
    privacyList.hidden = false;
    privacyButton.setAttribute("aria-expanded", "true");
    var current = optionFor(state.privacy) || privacyOptions[0];
    setActive(current);
    privacyList.focus();
  }

  function closePrivacy(focusButton) {
    privacyList.hidden = true;
    privacyButton.setAttribute("aria-expanded", "false");
    if (focusButton) privacyButton.focus();
  }

  function setActive(option) {
    privacyOptions.forEach(function (o) { o.classList.toggle("active", o === option); });
    if (option) privacyList.setAttribute("aria-activedescendant", option.id);
  }

  function activeIndex() {
    return privacyOptions.findIndex(function (o) { return o.classList.contains("active"); });
  }

  if (privacyButton) {
    privacyButton.addEventListener("click", function () {
      if (privacyList.hidden) openPrivacy(); else closePrivacy(true);
    });
    privacyButton.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        openPrivacy();
      }
    });
    privacyList.addEventListener("keydown", function (event) {
      var index = activeIndex();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = Math.min(privacyOptions.length - 1, Math.max(0, index + step));
        setActive(privacyOptions[next]);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        if (index >= 0 && choosePrivacy(privacyOptions[index].dataset.value)) closePrivacy(true);
      } else if (event.key === "Escape" || event.key === "Tab") {
        closePrivacy(event.key === "Escape");
      }
    });
    privacyOptions.forEach(function (option) {
      option.addEventListener("click", function () {
        if (choosePrivacy(option.dataset.value)) closePrivacy(true);
      });
    });
    document.addEventListener("click", function (event) {
      if (!privacyList.hidden && !privacyList.contains(event.target) &&
          event.target !== privacyButton) {
        closePrivacy(false);
      }
    });
  }

  /* ---------- commercial content disclosure (R3, R4) ---------- */

  var disclose = $("#disclose");
  var brandOrganic = $("#brand-organic");
  var brandContent = $("#brand-content");

  function disclosureState() {
    var on = state.mode === "direct" && disclose.checked;
    return {
      on: on,
      organic: on && brandOrganic.checked,
      branded: on && brandContent.checked,
    };
  }

  function applyDisclosure() {
    var d = disclosureState();
    $("#disclosure-options").hidden = !disclose.checked;
    var prompt = $("#disclosure-prompt");
    prompt.textContent = d.branded ? PROMPT_BRANDED : d.organic ? PROMPT_ORGANIC : "";
    prompt.hidden = !prompt.textContent;
    // Branded content is never private, whichever was chosen first.
    var onlyMe = optionFor("SELF_ONLY");
    if (onlyMe) {
      onlyMe.setAttribute("aria-disabled", String(d.branded));
      onlyMe.title = d.branded ? BRANDED_PRIVATE : "";
    }
    var privateChosen = state.privacy === "SELF_ONLY";
    brandContent.disabled = privateChosen;
    brandContent.closest("label").title = privateChosen ? BRANDED_PRIVATE : "";
    $("#branded-private-note").hidden = !privateChosen || !disclose.checked;
    // The declaration follows the disclosure.
    $("#declaration-music").hidden = d.branded;
    $("#declaration-branded").hidden = !d.branded;
  }

  disclose.addEventListener("change", function () {
    if (!disclose.checked) {
      brandOrganic.checked = false;
      brandContent.checked = false;
    }
    refresh();
  });
  brandOrganic.addEventListener("change", refresh);
  brandContent.addEventListener("change", refresh);

  /* ---------- the publish button: disabled, saying why ---------- */

  function blocker() {
    if (state.published) return "This post was sent.";
    if (state.uploading) return "Wait for the upload to finish.";
    if (state.mediaError) return state.mediaError;
    var hasMedia = state.kind === "video" ? !!state.video : state.photos.length > 0;
    if (!hasMedia) {
      return state.kind === "video" ? "Add a video first." : "Add at least one photo first.";
    }
    if (state.mode === "direct") {
      var d = disclosureState();
      if (d.on && !d.organic && !d.branded) return DISCLOSURE_HOVER;
      if (!state.privacy) return "Choose who can view this post first.";
    }
    if (!countersOk()) return "Shorten the text to TikTok's limit first.";
    var when = scheduledAt();
    if (when === "invalid") return "Pick a date and time in the future, or post now.";
    return "";
  }

  function applyPublish() {
    var reason = blocker();
    var button = $("#publish");
    button.disabled = !!reason;
    button.title = reason;
    $("#publish-wrap").title = reason;
    $("#publish-reason").textContent = reason;
  }

  /* ---------- schedule, in the person's own time zone ---------- */

  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  $("#time-zone").textContent = zone;

  function scheduledAt() {
    if (!$("#when-later").checked) return null;
    var value = $("#schedule-at").value;
    if (!value) return "invalid";
    var moment = new Date(value); // datetime-local is read in the browser's own zone
    if (isNaN(moment.getTime()) || moment.getTime() <= Date.now()) return "invalid";
    return moment.toISOString();
  }

  function applySchedule() {
    var later = $("#when-later").checked;
    $("#schedule-fields").hidden = !later;
    var when = scheduledAt();
    $("#schedule-utc").textContent =
      when && when !== "invalid" ? "Posts at " + when.replace(".000Z", "Z") + " (UTC)" : "";
    $("#publish").textContent = reviewing
      ? "Approve"
      : state.mode === "draft" ? (later ? "Schedule draft" : "Send to inbox")
      : later ? "Schedule" : "Post";
  }

  /* ---------- uploads: the File itself goes to the server, streamed, with progress ---------- */

  var progress = $("#upload-progress");
  var progressText = $("#upload-progress-text");

  function setProgress(loaded, total) {
    if (!progress) return;
    var percent = total ? Math.floor((loaded / total) * 100) : 0;
    progress.value = percent;
    progressText.textContent = percent + "%";
  }

  /* Resolves with the stored media. */
  function sendFile(file, onProgress) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      data.append("file", file, file.name); // a File: the browser streams it from disk
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.uploadUrl);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 201 && body) resolve(body);
        else reject(new Error(errorText(body, xhr.status)));
      });
      xhr.addEventListener("error", function () { reject(new Error("The upload failed.")); });
      xhr.addEventListener("abort", function () { reject(new Error("The upload was stopped.")); });
      xhr.send(data);
    });
  }

  function importUrl(url) {
    return fetch(form.dataset.importUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ url: url }),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status !== 201) throw new Error(errorText(body, response.status));
        return body;
      });
    });
  }

  function errorText(body, status) {
    if (body && body.error && body.error.message) return body.error.message;
    return "The server answered " + status + ".";
  }

  function showMediaError(message) {
    state.mediaError = message;
    var box = $("#media-error");
    if (box) {
      box.textContent = message || "";
      box.hidden = !message;
    }
    refresh();
  }

  /* R1: a video longer than the creator may post is refused before its upload starts. */
  function readDuration(file) {
    return new Promise(function (resolve) {
      var probe = document.createElement("video");
      probe.preload = "metadata";
      probe.muted = true;
      var url = URL.createObjectURL(file);
      function done(seconds) {
        URL.revokeObjectURL(url);
        probe.removeAttribute("src");
        resolve(seconds);
      }
      probe.addEventListener("loadedmetadata", function () { done(probe.duration); });
      probe.addEventListener("error", function () { done(null); }); // unreadable here: the server probes
      probe.src = url;
    });
  }

  function tooLong(seconds) {
    return maxDurationSec > 0 && seconds !== null && isFinite(seconds) && seconds > maxDurationSec;
  }

  function tooLongMessage(seconds) {
    return "This video lasts " + seconds.toFixed(1) + " s; this account may post videos of at most " +
      maxDurationSec + " s. Choose a shorter one.";
  }

  function acceptVideo(media) {
    if (media.kind !== "video") {
      showMediaError("This file is not a video.");
      return;
    }
    var seconds = media.duration_ms !== null ? media.duration_ms / 1000 : null;
    if (tooLong(seconds)) {
      showMediaError(tooLongMessage(seconds));
      return;
    }
    state.video = { id: media.id, durationMs: media.duration_ms, previewUrl: media.preview_url };
    showMediaError(null);
    renderVideoPreview();
  }

  function uploadVideo(file) {
    state.video = null;
    showMediaError(null);
    state.uploading += 1;
    setProgress(0, 1);
    refresh();
    // The length is read locally first (milliseconds, even for 2 GB): too long, nothing is sent.
    readDuration(file).then(function (seconds) {
      if (tooLong(seconds)) throw new Error(tooLongMessage(seconds));
      return sendFile(file, setProgress);
    }).then(acceptVideo).catch(function (error) {
      showMediaError(error.message);
    }).then(function () {
      state.uploading -= 1;
      refresh();
    });
  }

  function uploadPhotos(files) {
    var list = Array.prototype.slice.call(files);
    var total = list.reduce(function (sum, f) { return sum + f.size; }, 0);
    var done = 0;
    showMediaError(null);
    state.uploading += 1;
    refresh();
    var chain = Promise.resolve();
    list.forEach(function (file) {
      chain = chain.then(function () {
        return sendFile(file, function (loaded) { setProgress(done + loaded, total); })
          .then(function (media) {
            done += file.size;
            addPhoto(media, file.name);
          });
      });
    });
    chain.catch(function (error) { showMediaError(error.message); }).then(function () {
      state.uploading -= 1;
      setProgress(done, total || 1);
      refresh();
    });
  }

  function addPhoto(media, name) {
    if (media.kind !== "image") {
      showMediaError("This file is not a photo.");
      return;
    }
    if (state.photos.length >= 35) {
      showMediaError("TikTok takes at most 35 photos in one post.");
      return;
    }
    state.photos.push({ id: media.id, previewUrl: media.preview_url, name: name });
    if (!state.coverId) state.coverId = media.id;
    renderPhotos();
  }

  function on(selector, type, handler) {
    var el = $(selector);
    if (el) el.addEventListener(type, handler);
  }

  on("#video-file", "change", function (event) {
    var file = event.target.files[0];
    if (file) uploadVideo(file);
  });
  on("#photo-files", "change", function (event) {
    if (event.target.files.length) uploadPhotos(event.target.files);
    event.target.value = "";
  });
  on("#url-import", "click", function () {
    var input = $("#media-url");
    var url = input.value.trim();
    if (!url) return;
    showMediaError(null);
    state.uploading += 1;
    refresh();
    setProgress(0, 1);
    importUrl(url).then(function (media) {
      setProgress(1, 1);
      if (state.kind === "video") acceptVideo(media); else addPhoto(media, url);
      input.value = "";
    }).catch(function (error) { showMediaError(error.message); }).then(function () {
      state.uploading -= 1;
      refresh();
    });
  });

  /* ---------- photos: order by drag or by buttons; one is the cover ---------- */

  function movePhoto(index, step) {
    var target = index + step;
    if (target < 0 || target >= state.photos.length) return;
    var moved = state.photos.splice(index, 1)[0];
    state.photos.splice(target, 0, moved);
    renderPhotos();
    var button = form.querySelector(
      '#photo-list li[data-id="' + moved.id + '"] [data-move="' + step + '"]');
    if (button && !button.disabled) button.focus();
    else {
      var item = form.querySelector('#photo-list li[data-id="' + moved.id + '"] [data-move]');
      if (item) item.focus();
    }
  }

  function renderPhotos() {
    var list = $("#photo-list");
    list.textContent = "";
    state.photos.forEach(function (photo, index) {
      var n = index + 1;
      var item = document.createElement("li");
      item.dataset.id = photo.id;
      item.className = "photo-item";
      var img = document.createElement("img");
      img.src = photo.previewUrl;
      img.alt = "Photo " + n;
      img.className = "photo-thumb";
      var label = document.createElement("span");
      label.className = "photo-number";
      label.textContent = n;
      var cover = document.createElement("label");
      cover.className = "photo-cover";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "cover";
      radio.value = photo.id;
      radio.checked = photo.id === state.coverId;
      radio.addEventListener("change", function () {
        state.coverId = photo.id;
        renderPhotos();
      });
      cover.appendChild(radio);
      cover.appendChild(document.createTextNode(" Cover"));
      var actions = document.createElement("span");
      actions.className = "photo-actions";
      if (!reviewing) [["-1", "Up", "Move photo " + n + " up"], ["1", "Down", "Move photo " + n + " down"]]
        .forEach(function (spec) {
          var b = document.createElement("button");
          b.type = "button";
          b.dataset.move = spec[0];
          b.textContent = spec[1];
          b.setAttribute("aria-label", spec[2]);
          b.disabled = (spec[0] === "-1" && index === 0) ||
            (spec[0] === "1" && index === state.photos.length - 1);
          b.addEventListener("click", function () { movePhoto(index, Number(spec[0])); });
          actions.appendChild(b);
        });
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove photo " + n);
      remove.addEventListener("click", function () {
        state.photos.splice(index, 1);
        if (state.coverId === photo.id) state.coverId = state.photos.length ? state.photos[0].id : null;
        renderPhotos();
      });
      if (!reviewing) actions.appendChild(remove);
      item.appendChild(label);
      item.appendChild(img);
      item.appendChild(cover);
      item.appendChild(actions);
      list.appendChild(item);
    });
    renderPhotoPreview();
    refresh();
  }

  if (window.Sortable && !reviewing) {
    window.Sortable.create($("#photo-list"), {
      animation: 150,
      forceFallback: true, // mouse and touch alike, not the HTML5 drag API
      filter: "button, input, label",
      preventOnFilter: false,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var moved = state.photos.splice(event.oldIndex, 1)[0];
        state.photos.splice(event.newIndex, 0, moved);
        renderPhotos();
      },
    });
  }

  /* ---------- preview (R5): exactly what will be posted ---------- */

  function renderVideoPreview() {
    var player = $("#preview-video");
    if (!state.video) {
      player.removeAttribute("src");
      player.hidden = true;
      return;
    }
    player.src = state.video.previewUrl;
    player.hidden = false;
    var cover = $("#cover-frame");
    cover.max = String(state.video.durationMs || 0);
    cover.value = "0";
    state.coverTouched = false;
    $("#cover-frame-value").textContent = "0.0 s";
  }

  // The slider's end is the video's (known once the player has read it, for a held post).
  $("#preview-video").addEventListener("loadedmetadata", function (event) {
    var cover = $("#cover-frame");
    if (Number(cover.max) === 0 && isFinite(event.target.duration)) {
      cover.max = String(Math.floor(event.target.duration * 1000));
    }
  });

  function renderPhotoPreview() {
    var strip = $("#preview-photos");
    strip.textContent = "";
    state.photos.forEach(function (photo, index) {
      var figure = document.createElement("li");
      figure.className = "preview-photo" + (photo.id === state.coverId ? " is-cover" : "");
      var img = document.createElement("img");
      img.src = photo.previewUrl;
      img.alt = "Photo " + (index + 1) + (photo.id === state.coverId ? " (cover)" : "");
      figure.appendChild(img);
      if (photo.id === state.coverId) {
        var badge = document.createElement("span");
        badge.className = "cover-badge";
        badge.textContent = "Cover";
        figure.appendChild(badge);
      }
      strip.appendChild(figure);
    });
  }

  $("#cover-frame").addEventListener("input", function (event) {
    var ms = Number(event.target.value);
    state.coverTouched = true;
    $("#cover-frame-value").textContent = (ms / 1000).toFixed(1) + " s";
    var player = $("#preview-video");
    if (player.src) {
      player.pause();
      player.currentTime = ms / 1000;
    }
  });

  /* ---------- kind, mode, everything else ---------- */

  $$("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      state.kind = radio.value;
      showMediaError(null);
      refresh();
    });
  });
  $$("input[name=mode]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      state.mode = radio.value;
      refresh();
    });
  });
  $$("input[name=when]").forEach(function (radio) { radio.addEventListener("change", refresh); });
  $("#schedule-at").addEventListener("input", refresh);
  $("#title").addEventListener("input", refresh);
  $("#description").addEventListener("input", refresh);

  function applyPreview() {
    var empty = state.kind === "video" ? !state.video : state.photos.length === 0;
    $("#preview-empty").hidden = !empty;
  }

  function refresh() {
    applyVisibility();
    applyPreview();
    countersOk();
    applyDisclosure();
    applySchedule();
    applyPublish();
  }

  /* ---------- publish (R5: nothing goes to TikTok before this press) ---------- */

  function checked(id) { var box = $(id); return !box.disabled && box.checked; }

  function requestBody() {
    var body = { account_id: form.dataset.account, mode: state.mode };
    if (!reviewing) body.review = "none"; // this person, pressing publish, is the review
    var direct = state.mode === "direct";
    var text = $("#title").value;
    if (state.kind === "video") {
      if (!reviewing) body.video = state.video.id;
    } else {
      var ids = state.photos.map(function (p) { return p.id; });
      if (!reviewing) body.photos = ids;
      body.photo_cover_index = Math.max(0, ids.indexOf(state.coverId));
      var description = $("#description").value;
      if (description) body.description = description;
    }
    if (text && (direct || state.kind === "photo")) body.title = text;
    if (direct) {
      var d = disclosureState();
      body.privacy_level = state.privacy;
      // Unticked, or greyed out by the creator's settings: the interaction is off.
      body.disable_comment = !checked("#allow-comment");
      body.brand_organic_toggle = d.organic;
      body.brand_content_toggle = d.branded;
      if (state.kind === "video") {
        body.disable_duet = !checked("#allow-duet");
        body.disable_stitch = !checked("#allow-stitch");
        body.is_aigc = $("#is-aigc").checked;
        if (state.coverTouched) body.video_cover_timestamp_ms = Number($("#cover-frame").value);
        // A business account's sound (composer_sound.js); absent for every other account.
        var sound = window.tikpostSound ? window.tikpostSound() : null;
        if (sound) body.sound = sound;
      } else {
        body.auto_add_music = $("#auto-add-music").checked;
      }
    }
    var when = scheduledAt();
    if (when) body.scheduled_at = when;
    return body;
  }

  function showFieldError(message, field) {
    var box = $("#publish-error");
    box.textContent = message + (field ? " (" + field + ")" : "");
    box.hidden = false;
    box.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (blocker()) return;
    var button = $("#publish");
    button.disabled = true;
    $("#publish-error").hidden = true;
    fetch(form.dataset.publishUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "text/html" },
      body: JSON.stringify(requestBody()),
      credentials: "same-origin",
    }).then(function (response) {
      return response.text().then(function (html) {
        if (!response.ok) {
          var body = null;
          try { body = JSON.parse(html); } catch (e) { body = null; }
          var error = body && body.error ? body.error : { message: errorText(body, response.status) };
          showFieldError(error.message, error.field);
          applyPublish();
          return;
        }
        state.published = true;
        var result = document.getElementById("publish-result");
        result.innerHTML = html;
        if (window.htmx) window.htmx.process(result);
        form.querySelectorAll("fieldset, textarea, input, button").forEach(function (el) {
          el.disabled = true;
        });
        applyPublish();
        var notice = result.querySelector("[data-focus]");
        if (notice) notice.focus();
      });
    }).catch(function (error) {
      showFieldError(error.message, null);
      applyPublish();
    });
  });

  var reject = document.getElementById("reject");
  if (reject) {
    reject.addEventListener("click", function () {
      var reason = document.getElementById("reject-reason").value.trim();
      if (!reason) {
        showFieldError("Say why the post is rejected.", "reason");
        return;
      }
      fetch(reject.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ reason: reason }),
        credentials: "same-origin",
      }).then(function (response) {
        return response.text().then(function (html) {
          if (!response.ok) { showFieldError("Rejecting failed: " + response.status, null); return; }
          state.published = true;
          document.getElementById("publish-result").innerHTML = html;
          applyPublish();
        });
      });
    });
  }

  /* A post opened from the review queue arrives with its media and choices. */
  function loadInitial() {
    var initial = document.getElementById("composer-initial");
    if (!initial) return;
    var data = JSON.parse(initial.textContent);
    if (data.video) state.video = data.video;
    (data.photos || []).forEach(function (p) { state.photos.push(p); });
    state.coverId = data.cover_id || (state.photos[0] && state.photos[0].id) || null;
    if (state.video) renderVideoPreview();
    if (data.video_cover_timestamp_ms !== null && data.video_cover_timestamp_ms !== undefined) {
      $("#cover-frame").value = String(data.video_cover_timestamp_ms);
      state.coverTouched = true;
    }
    renderPhotos();
    if (state.privacy) choosePrivacy(state.privacy);
    var at = form.dataset.scheduledAt;
    if (at) $("#schedule-at").value = localInputValue(new Date(at));
  }

  /* A moment as <input type=datetime-local> shows it: the browser's own zone. */
  function localInputValue(moment) {
    function two(n) { return String(n).padStart(2, "0"); }
    return moment.getFullYear() + "-" + two(moment.getMonth() + 1) + "-" + two(moment.getDate()) +
      "T" + two(moment.getHours()) + ":" + two(moment.getMinutes());
  }

  loadInitial();
  refresh();
})();
