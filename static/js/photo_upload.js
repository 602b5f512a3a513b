// Photo uploads from My day (photos/partials/my_day_upload.html). Each chosen file goes in its own POST, one after
// another, so each shows its own progress and a refused file (too big, not a photo) does not stop the others.
// The server answers 201 with the photo or 400 with the reason; when all are done the visit's pairs reload.
(function () {
  "use strict";

  function row(list, name) {
    var li = document.createElement("li");
    li.className = "d-flex align-items-center gap-2 mb-1";
    li.setAttribute("data-photo-file", name);
    var label = document.createElement("span");
    label.className = "text-truncate flex-grow-1";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + name);
    var state = document.createElement("span");
    state.setAttribute("data-state", "");
    state.textContent = "0%";
    li.append(label, bar, state);
    list.append(li);
    return { li: li, bar: bar, state: state };
  }

  function send(form, file, ui) {
    return new Promise(function (resolve) {
      var data = new FormData();
      form.querySelectorAll("input[name], select[name]").forEach(function (field) {
        if (field.type !== "file") data.append(field.name, field.value);
      });
      data.append("photo", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var pct = Math.min(99, Math.round((event.loaded / event.total) * 100));
        ui.bar.value = pct;
        ui.state.textContent = pct + "%";
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201) {
          ui.bar.value = 100;
          ui.state.textContent = "Saved";
          ui.li.setAttribute("data-done", "ok");
        } else {
          ui.state.textContent = body.error || "Not saved (" + xhr.status + ")";
          ui.state.className = "text-danger";
          ui.li.setAttribute("data-done", "error");
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        ui.state.textContent = "Network error: try again";
        ui.state.className = "text-danger";
        ui.li.setAttribute("data-done", "error");
        resolve();
      });
      xhr.send(data);
    });
  }

  async function upload(form, files) {
    var list = form.querySelector("[data-photo-progress]");
    list.replaceChildren();
    var rows = Array.prototype.map.call(files, function (file) { return row(list, file.name); });
    for (var i = 0; i < files.length; i++) {
      await send(form, files[i], rows[i]);
    }
    var target = document.querySelector(form.getAttribute("data-panel-target"));
    if (target && window.htmx) {
      window.htmx.ajax("GET", form.getAttribute("data-panel-url"), { target: target, swap: "innerHTML" });
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-photo-input]") || !input.files.length) return;
    var form = input.closest("form[data-photo-upload]");
    var files = Array.prototype.slice.call(input.files);
    upload(form, files).then(function () { input.value = ""; });
  });
})();
