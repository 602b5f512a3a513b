// organizer_pm: the project Gantt (dhtmlx-gantt 10 Community, docs/specs/scheduling.md §4).
//
// The server computes every date, float and critical flag; this file only paints the payload and turns
// gestures into POSTs. Every answer carries the whole schedule, which replaces the chart (server truth).
// Loaded after dhtmlxgantt.js; no inline script (the CSP forbids it). Never call gantt's export/import API.
(function () {
  "use strict";

  const host = document.getElementById("gantt");
  const source = document.getElementById("gantt-data");
  if (!host || !source || typeof window.gantt === "undefined") {
    return;
  }
  const gantt = window.gantt;
  const message = document.getElementById("gantt-message");
  const noticeBox = document.getElementById("gantt-notice");
  const LINK_KINDS = { "0": "FS", "1": "SS", "2": "FF", "3": "SF" };
  const LINK_WORDS = {
    "0": "finish-to-start", "1": "start-to-start", "2": "finish-to-finish", "3": "start-to-finish",
  };
  const PHONE_MAX = 575.98; // Bootstrap's xs breakpoint

  // --- small helpers -----------------------------------------------------------------------------------

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  // For text that dhtmlx also copies into aria-label attributes (tooltip_text, drag_link): it strips tags
  // but not entities there, so "&" stays "&" (harmless in HTML unless it starts an entity) and only the
  // characters that could open markup or an entity are escaped.
  function escapeLight(value) {
    return String(value == null ? "" : value)
      .replace(/&(?=#?[a-zA-Z0-9]+;)/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;");
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // Dates are calendar days; they are built at local midnight so that dhtmlx (which works in local time) and
  // our strings agree. Never go through Date.parse("YYYY-MM-DD"), which means UTC midnight.
  function parseDay(text) {
    const parts = String(text).split("-").map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2]);
  }

  function dayString(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function addDays(date, days) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
  }

  // A dragged date snapped by dhtmlx, to the nearest midnight (robust to a DST hour).
  function roundDay(date) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate() + (date.getHours() >= 12 ? 1 : 0));
  }

  const showDay = gantt.date.date_to_str("%D %M %j");
  const showLongDay = gantt.date.date_to_str("%D %M %j, %Y");

  const csrfToken = window.organizerPm.csrfToken;  // static/js/app.js

  // "…/tasks/0/" -> "…/tasks/42/": the template renders 0 as the id placeholder.
  function withId(url, id) {
    return url.replace(/\/0\/(?!.*\/0\/)/, "/" + encodeURIComponent(id) + "/");
  }

  // --- state -------------------------------------------------------------------------------------------

  const state = {
    payload: JSON.parse(source.textContent),
    zoom: "day",
    renders: 0,
    busy: false,
    collapsed: new Set(), // phases the user closed: kept closed across repaints
    calendar: null,
    phone: null,
    // Why the last drag did not land where it was dropped: { task, text } from the server, shown by the bar.
    notice: null,
  };

  function calendarFor(project) {
    const workdays = new Set((project.workdays || []).map(Number)); // date.weekday(): 0 = Monday
    const holidays = new Set(project.holidays || []);
    return {
      isWorking: function (date) {
        return workdays.has((date.getDay() + 6) % 7) && !holidays.has(dayString(date));
      },
      isHoliday: function (date) {
        return holidays.has(dayString(date));
      },
    };
  }

  // Working days in [start, end): only to turn a resize gesture into a duration; the server schedules.
  function workingDaysBetween(start, end) {
    let count = 0;
    for (let day = start; day < end; day = addDays(day, 1)) {
      if (state.calendar.isWorking(day)) {
        count += 1;
      }
    }
    return count;
  }

  // --- payload -> dhtmlx data ----------------------------------------------------------------------------

  // A milestone's payload start_date is its displayed day. It is drawn at the end of that day, where the
  // predecessor that drives it finishes, so the grid and tooltips keep the payload's day (start_day).
  function toGanttTask(row) {
    const task = Object.assign({}, row);
    const milestone = row.type === "milestone";
    task.start_day = row.start_date;
    task.finish_day = milestone ? row.start_date : dayString(addDays(parseDay(row.end_date), -1));
    if (milestone) {
      task.start_date = dayString(addDays(parseDay(row.start_date), 1));
      task.end_date = task.start_date;
      task.duration = 0;
    }
    task.open = !state.collapsed.has(row.id);
    if (row.baseline_start && row.baseline_end) {
      let bStart = parseDay(row.baseline_start);
      let bEnd = parseDay(row.baseline_end);
      if (milestone && bEnd <= bStart) {
        bStart = addDays(bStart, 1);
        bEnd = bStart;
      }
      task.baseline_start_day = row.baseline_start;
      task.baseline_finish_day = milestone ? row.baseline_start : dayString(addDays(parseDay(row.baseline_end), -1));
      task.baseline_start_date = bStart;
      task.baseline_end_date = bEnd;
    }
    return task;
  }

  function chartRange(payload) {
    let first = parseDay(payload.project.start);
    let last = payload.project.finish ? addDays(parseDay(payload.project.finish), 1) : addDays(first, 7);
    const consider = function (text) {
      if (!text) {
        return;
      }
      const day = parseDay(text);
      if (day < first) {
        first = day;
      }
      if (day > last) {
        last = day;
      }
    };
    payload.data.forEach(function (row) {
      consider(row.start_date);
      consider(row.end_date);
      consider(row.baseline_start);
      consider(row.baseline_end);
    });
    if (payload.project.deadline) {
      consider(dayString(addDays(parseDay(payload.project.deadline), 1)));
    }
    const today = payload.project.today ? parseDay(payload.project.today) : null;
    if (today && today >= addDays(first, -14) && today <= addDays(last, 14)) {
      consider(payload.project.today);
      consider(dayString(addDays(today, 1)));
    }
    // Room on both sides, and more on the right to drag a bar later.
    return { start: addDays(first, -2), end: addDays(last, 10) };
  }

  // --- rendering ---------------------------------------------------------------------------------------

  function setReady(ready) {
    host.setAttribute("data-ready", ready ? "1" : "0");
    host.setAttribute("aria-busy", ready ? "false" : "true");
    window.organizerGantt.ready = ready;
  }

  function render(payload) {
    state.payload = payload;
    state.calendar = calendarFor(payload.project);
    const editable = Boolean(payload.project.editable);
    gantt.config.readonly = !editable;
    gantt.config.drag_move = editable;
    gantt.config.drag_resize = editable;
    gantt.config.drag_progress = editable;
    gantt.config.drag_links = editable;
    host.classList.toggle("gantt-readonly", !editable);
    const range = chartRange(payload);
    gantt.config.start_date = range.start;
    gantt.config.end_date = range.end;
    const scroll = state.renders ? gantt.getScrollState() : null;
    gantt.clearAll();
    gantt.parse({ data: payload.data.map(toGanttTask), links: payload.links.map(function (l) {
      return Object.assign({}, l, { type: String(l.type) });
    }) });
    if (scroll) {
      gantt.scrollTo(scroll.x, scroll.y);
    }
    fitHeight();
    state.renders += 1;
    host.setAttribute("data-renders", String(state.renders));
    window.organizerGantt.renders = state.renders;
    setReady(true);
  }

  // The chart is as tall as its rows (no scrolling inside a mostly empty box), up to most of the viewport.
  function fitHeight() {
    const rows = gantt.getVisibleTaskCount ? gantt.getVisibleTaskCount() : state.payload.data.length;
    const wanted = gantt.config.scale_height + Math.max(rows, 3) * gantt.config.row_height + 20;
    const most = Math.max(320, window.innerHeight - 96);
    const height = Math.min(wanted, most) + "px";
    if (host.style.height !== height) {
      host.style.height = height;
      gantt.setSizes();
    }
  }

  function showError(text) {
    if (!message) {
      return;
    }
    message.textContent = text;
    message.classList.remove("d-none");
  }

  function clearError() {
    if (message) {
      message.textContent = "";
      message.classList.add("d-none");
    }
  }

  // The server's reason is painted next to the bar (rightside_text) and repeated above the chart, where a
  // screen reader announces it.
  function showNotice(notice) {
    state.notice = notice && notice.text ? notice : null;
    if (noticeBox) {
      noticeBox.textContent = state.notice ? state.notice.text : "";
      noticeBox.classList.toggle("d-none", !state.notice);
    }
  }

  // --- talking to the server ---------------------------------------------------------------------------

  function reload() {
    setReady(false);
    return fetch(host.getAttribute("data-data-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(render)
      .catch(function () {
        render(state.payload);
        showError("The chart could not be reloaded. Please reload the page.");
      });
  }

  // POST a form-encoded change; whatever the answer, repaint from the schedule it returns.
  function post(url, fields) {
    state.busy = true;
    setReady(false);
    const body = new URLSearchParams();
    Object.keys(fields).forEach(function (key) {
      body.append(key, String(fields[key]));
    });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        Accept: "application/json",
      },
      body: body,
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // A 403/404/500 page, or the login page after the session expired.
          const error = new Error("not json");
          error.userMessage = response.status === 403
            ? "You are not allowed to change this plan."
            : "The change was not saved (the server answered " + response.status + "). Please reload the page.";
          throw error;
        }
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (result) {
        state.busy = false;
        const answer = result.answer;
        showNotice(result.ok && answer ? answer.notice : null);
        if (answer && answer.project && Array.isArray(answer.data)) {
          render(answer);
        } else {
          render(state.payload);
        }
        if (result.ok) {
          clearError();
        } else {
          showError((answer && answer.error) || "The server refused the change.");
        }
      })
      .catch(function (error) {
        state.busy = false;
        showNotice(null);
        const text = (error && error.userMessage)
          || "The change could not be sent. Check the connection and try again.";
        reload().then(function () {
          showError(text);
        });
      });
  }

  // --- templates (critical, shading, labels) -----------------------------------------------------------

  function linkLabel(link) {
    const kind = LINK_KINDS[link.type] || "FS";
    const lag = Number(link.lag) || 0;
    return kind + (lag > 0 ? " +" + lag : lag < 0 ? " \u2212" + Math.abs(lag) : "");
  }

  function linkSentence(link) {
    const from = gantt.isTaskExists(link.source) ? gantt.getTask(link.source).text : "?";
    const to = gantt.isTaskExists(link.target) ? gantt.getTask(link.target).text : "?";
    const lag = Number(link.lag) || 0;
    const lagText = lag === 0 ? "no lag" : lag > 0 ? "lag " + lag + " working day" + (lag === 1 ? "" : "s")
      : "lead " + Math.abs(lag) + " working day" + (lag === -1 ? "" : "s");
    return "“" + from + "” → “" + to + "”: " + LINK_WORDS[link.type] + ", " + lagText
      + (link.is_critical ? " (critical)" : "");
  }

  function floatText(task) {
    if (task.tf === null || task.tf === undefined) {
      return "";
    }
    const tf = Number(task.tf);
    if (tf < 0) {
      return tf + " working days late (negative float)";
    }
    return tf + " working day" + (tf === 1 ? "" : "s") + " of total float"
      + (task.ff === null || task.ff === undefined ? "" : ", " + task.ff + " free");
  }

  function configureTemplates() {
    gantt.templates.task_class = function (start, end, task) {
      const classes = ["gantt-type-" + task.type];
      if (task.is_critical && task.type !== "project") {
        classes.push("gantt-critical");
      }
      if (task.baseline_start_date) {
        classes.push("gantt-has-baseline");
      }
      if (task.status === "done") {
        classes.push("gantt-done");
      }
      return classes.join(" ");
    };
    gantt.templates.grid_row_class = function (start, end, task) {
      const classes = [];
      if (task.type === "project") {
        classes.push("gantt-phase-row");
      }
      if (task.is_critical && task.type !== "project") {
        classes.push("gantt-critical-row");
      }
      return classes.join(" ");
    };
    gantt.templates.task_row_class = gantt.templates.grid_row_class;
    gantt.templates.link_class = function (link) {
      return (link.is_critical ? "gantt-critical-link " : "") + "gantt-link-" + (LINK_KINDS[link.type] || "FS");
    };
    gantt.templates.timeline_cell_class = function (task, date) {
      if (state.zoom !== "day") {
        return "";
      }
      const classes = [];
      if (!state.calendar.isWorking(date)) {
        classes.push("gantt-nonworking");
        if (state.calendar.isHoliday(date)) {
          classes.push("gantt-holiday");
        }
      }
      if (state.payload.project.today === dayString(date)) {
        classes.push("gantt-today-cell");
      }
      return classes.join(" ");
    };
    gantt.templates.scale_cell_class = function (date) {
      if (state.zoom !== "day") {
        return "";
      }
      if (state.payload.project.today === dayString(date)) {
        return "gantt-today-scale";
      }
      return state.calendar.isWorking(date) ? "" : "gantt-nonworking-scale";
    };
    gantt.templates.task_text = function (start, end, task) {
      return task.type === "project" ? escapeHtml(task.text) : "";
    };
    gantt.templates.rightside_text = function (start, end, task) {
      if (task.type === "project") {
        return "";
      }
      if (task.type === "milestone") {
        return escapeHtml(task.text) + " <span class=\"gantt-side-date\">" + escapeHtml(showDay(parseDay(task.start_day))) + "</span>";
      }
      if (state.notice && String(state.notice.task) === String(task.id)) {
        return escapeHtml(task.text) + " <span class=\"gantt-drive-note\">" + escapeHtml(state.notice.text) + "</span>";
      }
      return escapeHtml(task.text);
    };
    gantt.templates.progress_text = function () {
      return "";
    };
    gantt.templates.tooltip_text = function (start, end, task) {
      const lines = ["<strong>" + escapeLight(task.wbs + " " + task.text) + "</strong>"];
      if (task.type === "milestone") {
        lines.push("Milestone: " + escapeLight(showLongDay(parseDay(task.start_day))));
      } else {
        lines.push(escapeLight(showDay(parseDay(task.start_day)) + " – " + showLongDay(parseDay(task.finish_day))));
        lines.push(escapeLight(task.duration_wd + " working day" + (task.duration_wd === 1 ? "" : "s")
          + (task.type === "project" ? "" : " · " + Math.round((task.progress || 0) * 100) + " % done")));
      }
      if (task.hours) {
        lines.push(escapeLight("Hours P | Bk | Lg | U: " + task.hours));
      }
      if (task.flags && task.flags.length) {
        lines.push(escapeLight("Status: " + task.flags.join(", ")));
      }
      const float = floatText(task);
      if (float) {
        lines.push(escapeLight((task.is_critical ? "Critical · " : "") + float));
      }
      if (task.baseline_start_date) {
        lines.push(escapeLight(task.type === "milestone"
          ? "Baseline: " + showDay(parseDay(task.baseline_start_day))
          : "Baseline: " + showDay(parseDay(task.baseline_start_day)) + " – " + showDay(parseDay(task.baseline_finish_day))));
      }
      const preds = state.payload.links.filter(function (l) {
        return l.target === task.id;
      });
      if (preds.length) {
        lines.push("After: " + preds.map(function (l) {
          const from = gantt.isTaskExists(l.source) ? gantt.getTask(l.source).text : "?";
          return escapeLight(from + " (" + linkLabel(l) + ")");
        }).join(", "));
      }
      return lines.map(function (line) { return "<div>" + line + "</div>"; }).join("");
    };
    gantt.templates.link_description = function (link) {
      return escapeLight(linkSentence(link));
    };
    gantt.templates.drag_link = function (from, fromStart, to, toStart) {
      const a = gantt.isTaskExists(from) ? gantt.getTask(from).text : "";
      let text = "<b>" + escapeLight(a) + "</b> (" + (fromStart ? "start" : "finish") + ")";
      if (to && gantt.isTaskExists(to)) {
        text += " → <b>" + escapeLight(gantt.getTask(to).text) + "</b> (" + (toStart ? "start" : "finish") + ")";
      }
      return text;
    };
  }

  // --- grid and zoom -----------------------------------------------------------------------------------

  function columnsFor(phone) {
    const name = {
      name: "text", label: "Task", tree: true, width: "*", min_width: 120,
      template: function (task) { return escapeHtml(task.text); },
    };
    if (phone) {
      // Phones: the names only; dates, working days and float are in the bars and their tooltips.
      return [name];
    }
    return [
      {
        name: "wbs", label: "WBS", width: 40, align: "left",
        template: function (task) { return escapeHtml(task.wbs); },
      },
      Object.assign(name, { min_width: 170 }),
      {
        name: "start_day", label: "Start", width: 94, align: "left",
        template: function (task) { return escapeHtml(showDay(parseDay(task.start_day))); },
      },
      {
        name: "duration_wd", label: "<span title=\"Working days\">Days</span>", width: 46, align: "center",
        template: function (task) {
          return task.type === "milestone" ? "<span class=\"gantt-milestone-mark\" title=\"Milestone\">◆</span>"
            : escapeHtml(task.duration_wd);
        },
      },
    ];
  }

  function applyLayout() {
    const phone = window.innerWidth <= PHONE_MAX;
    if (phone === state.phone) {
      return false;
    }
    state.phone = phone;
    gantt.config.columns = columnsFor(phone);
    gantt.config.grid_width = phone ? 136 : 436;
    gantt.config.row_height = phone ? 34 : 36;
    gantt.config.bar_height = phone ? 18 : 20;
    return true;
  }

  const ZOOM_LEVELS = [
    {
      name: "day", scale_height: 50, min_column_width: 32,
      scales: [
        { unit: "week", step: 1, format: function (date) { return "Week of " + gantt.date.date_to_str("%M %j")(date); } },
        { unit: "day", step: 1, format: function (date) { return "SMTWTFS".charAt(date.getDay()) + " " + date.getDate(); } },
      ],
    },
    {
      name: "week", scale_height: 50, min_column_width: 64,
      scales: [
        { unit: "month", step: 1, format: "%F %Y" },
        { unit: "week", step: 1, format: "%M %j" },
      ],
    },
    {
      name: "month", scale_height: 50, min_column_width: 90,
      scales: [
        { unit: "year", step: 1, format: "%Y" },
        { unit: "month", step: 1, format: "%F" },
      ],
    },
  ];

  function setZoom(level) {
    state.zoom = level;
    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      const active = button.getAttribute("data-zoom") === level;
      button.classList.toggle("active", active);
      button.setAttribute("aria-pressed", active ? "true" : "false");
    });
    gantt.ext.zoom.setLevel(level);
  }

  // --- overlays: baselines and link labels -------------------------------------------------------------
  //
  // dhtmlx-gantt 10.0.3 MIT removes addTaskLayer/addLinkLayer from the public object (they are PRO), so the
  // baseline bars and the link labels are drawn in our own overlay inside the timeline's data area, positioned
  // with the public posFromDate/getTaskPosition, and redrawn after every render of the chart.

  let overlay = null;

  function overlayArea() {
    const area = gantt.$task_data;
    if (!area) {
      return null;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "gantt-overlay";
    }
    if (overlay.parentNode !== area) {
      area.appendChild(overlay);
    }
    return overlay;
  }

  function baselineElement(task) {
    const size = gantt.getTaskPosition(task, task.baseline_start_date, task.baseline_end_date);
    const el = document.createElement("div");
    el.className = "gantt-baseline" + (task.type === "milestone" ? " gantt-baseline-milestone" : "");
    el.setAttribute("data-task-id", String(task.id));
    el.setAttribute("title", "Baseline of “" + task.text + "”: " + showDay(parseDay(task.baseline_start_day))
      + (task.type === "milestone" ? "" : " – " + showDay(parseDay(task.baseline_finish_day))));
    el.style.left = size.left + "px";
    el.style.width = Math.max(size.width, 0) + "px";
    el.style.top = (size.top + size.rowHeight - 9) + "px";
    return el;
  }

  // "SS +1", "FS −1", "FF +1", "SF": the type and lag, just above where the link arrives. Labels that
  // arrive at the same end of the same bar are put side by side (`shift` is in px, growing leftwards).
  function linkLabelElement(link, shift) {
    const target = gantt.getTask(link.target);
    const pos = gantt.getTaskPosition(target, target.start_date, target.end_date);
    const toStart = String(link.type) === "0" || String(link.type) === "1";
    const el = document.createElement("div");
    el.className = "gantt-link-label" + (link.is_critical ? " gantt-critical-label" : "");
    el.setAttribute("data-link-id", String(link.id));
    el.textContent = linkLabel(link);
    el.setAttribute("title", linkSentence(link));
    const barTop = pos.top + Math.round((pos.rowHeight - gantt.config.bar_height) / 2);
    el.style.top = (barTop - 13) + "px";
    const half = target.type === "milestone" ? gantt.config.bar_height / 2 + 2 : 0;
    const anchor = toStart ? pos.left - half - 2 : pos.left + pos.width + half;
    el.style.left = (anchor - shift) + "px";
    return el;
  }

  function labelWidth(text) {
    return text.length * 6 + 10;
  }

  function drawOverlay() {
    const area = overlayArea();
    if (!area) {
      return;
    }
    const fragment = document.createDocumentFragment();
    gantt.eachTask(function (task) {
      if (task.baseline_start_date && task.baseline_end_date && gantt.isTaskVisible(task.id)) {
        fragment.appendChild(baselineElement(task));
      }
    });
    const used = {};
    gantt.getLinks().forEach(function (link) {
      const plain = String(link.type) === "0" && !(Number(link.lag) || 0);
      if (!plain && state.zoom === "day" && gantt.isTaskExists(link.target) && gantt.isTaskVisible(link.target)
          && gantt.isTaskExists(link.source) && gantt.isTaskVisible(link.source)) {
        const key = link.target + (String(link.type) === "0" || String(link.type) === "1" ? ":start" : ":end");
        const shift = used[key] || 0;
        fragment.appendChild(linkLabelElement(link, shift));
        used[key] = shift + labelWidth(linkLabel(link)) + 2;
      }
    });
    area.replaceChildren(fragment);
  }

  const markers = {};

  function placeMarker(name, day, title) {
    let el = markers[name];
    if (!el) {
      el = markers[name] = document.createElement("div");
      el.className = "gantt-marker gantt-marker-" + name;
      el.setAttribute("aria-hidden", "true");
      const label = document.createElement("span");
      label.className = "gantt-marker-label";
      el.appendChild(label);
    }
    const area = gantt.$task_data;
    if (!area) {
      return;
    }
    const inRange = day && day >= gantt.config.start_date && day < gantt.config.end_date;
    if (!inRange) {
      el.remove();
      return;
    }
    if (el.parentNode !== area) {
      area.appendChild(el);
    }
    el.firstChild.textContent = title;
    el.setAttribute("title", title + " " + showLongDay(day));
    el.style.left = gantt.posFromDate(day) + "px";
    el.style.height = Math.max(area.scrollHeight, area.offsetHeight, gantt.getVisibleTaskCount() * gantt.config.row_height) + "px";
  }

  function placeMarkers() {
    const project = state.payload.project;
    if (project.today) {
      // Today's marker sits in the middle of today's column.
      const today = parseDay(project.today);
      const mid = new Date(today.getFullYear(), today.getMonth(), today.getDate(), 12);
      placeMarker("today", mid, "Today");
    }
    // The deadline: the end of the deadline day.
    placeMarker("deadline", project.deadline ? addDays(parseDay(project.deadline), 1) : null, "Deadline");
  }

  function paintExtras() {
    drawOverlay();
    placeMarkers();
  }

  // --- editing: drags become POSTs ---------------------------------------------------------------------

  function attachEditing() {
    const modes = gantt.config.drag_mode;
    let before = null;

    gantt.attachEvent("onBeforeTaskDrag", function (id, mode) {
      if (state.busy || !state.payload.project.editable || !gantt.isTaskExists(id)) {
        return false;
      }
      const task = gantt.getTask(id);
      if (task.type === "project") {
        return false; // phases follow their tasks
      }
      if (task.type === "milestone" && mode !== modes.move) {
        return false;
      }
      before = { id: id, start: new Date(task.start_date), end: new Date(task.end_date), progress: task.progress };
      return true;
    });

    gantt.attachEvent("onAfterTaskDrag", function (id, mode) {
      if (!before || String(before.id) !== String(id) || !gantt.isTaskExists(id)) {
        return;
      }
      const task = gantt.getTask(id);
      const start = roundDay(task.start_date);
      const end = roundDay(task.end_date);
      const url = withId(host.getAttribute("data-task-url"), id);
      const fields = {};
      if (mode === modes.move) {
        if (start.getTime() === roundDay(before.start).getTime()) {
          render(state.payload);
          return;
        }
        // A milestone is drawn at the end of its day: its day is the one before the drawn point.
        fields.start_on = dayString(task.type === "milestone" ? addDays(start, -1) : start);
      } else if (mode === modes.resize) {
        const movedStart = start.getTime() !== roundDay(before.start).getTime();
        const duration = Math.max(1, workingDaysBetween(start, end));
        if (!movedStart && duration === task.duration_wd) {
          render(state.payload);
          return;
        }
        fields.duration_wd = duration;
        if (movedStart) {
          fields.start_on = dayString(start);
        }
      } else if (mode === modes.progress) {
        fields.progress_pct = Math.max(0, Math.min(100, Math.round((task.progress || 0) * 100)));
      } else {
        return;
      }
      before = null;
      post(url, fields);
    });

    // Drawing a link: the server validates (cycles, summary rules) and answers with the new schedule.
    gantt.attachEvent("onBeforeLinkAdd", function (id, link) {
      if (!state.busy && state.payload.project.editable) {
        post(host.getAttribute("data-link-url"), {
          source: link.source, target: link.target, type: String(link.type), lag: 0,
        });
      }
      return false;
    });

    gantt.attachEvent("onLinkDblClick", function (id) {
      if (state.busy || !state.payload.project.editable || !gantt.isLinkExists(id)) {
        return false;
      }
      const link = gantt.getLink(id);
      if (window.confirm("Remove the link " + linkSentence(link) + "? The schedule will be recalculated.")) {
        post(withId(host.getAttribute("data-link-delete-url"), id), {});
      }
      return false;
    });

    // Nothing is edited inside the chart except by the gestures above.
    ["onBeforeLightbox", "onTaskDblClick", "onBeforeTaskAdd", "onBeforeTaskDelete", "onBeforeLinkDelete",
      "onBeforeLinkUpdate", "onBeforeRowDragEnd", "onBeforeTaskMove"].forEach(function (name) {
      gantt.attachEvent(name, function () { return false; });
    });
    gantt.attachEvent("onTaskClosed", function (id) { state.collapsed.add(id); fitHeight(); });
    gantt.attachEvent("onTaskOpened", function (id) { state.collapsed.delete(id); fitHeight(); });
  }

  // --- set-up ------------------------------------------------------------------------------------------

  function configure() {
    const c = gantt.config;
    c.date_format = "%Y-%m-%d";
    c.duration_unit = "day";
    c.work_time = false; // the server's calendar is the only calendar
    c.skip_off_time = false;
    c.auto_scheduling = false; // PRO, and the server schedules anyway
    c.auto_types = false;
    c.open_tree_initially = true;
    c.drag_project = false;
    c.drag_multiple = false;
    c.order_branch = false;
    c.details_on_dblclick = false;
    c.details_on_create = false;
    c.show_errors = false;
    c.show_progress = true;
    c.round_dnd_dates = true;
    c.time_step = 24 * 60; // drags snap to whole days
    c.min_duration = 24 * 60 * 60 * 1000;
    c.fit_tasks = false;
    c.smart_rendering = false; // organizer plans are small; every bar stays in the DOM
    c.show_unscheduled = false;
    c.link_line_width = 2;
    c.link_arrow_size = 10;
    c.scroll_on_click = false;
    c.touch = true;
    c.touch_drag = 500;
    c.tooltip_timeout = 250;
    c.tooltip_hide_timeout = 100;
    c.keyboard_navigation = true;
    c.keyboard_navigation_cells = false;
    c.wai_aria_attributes = true;
    applyLayout();
    gantt.plugins({ tooltip: true, keyboard_navigation: true });
    configureTemplates();
    gantt.ext.zoom.init({ levels: ZOOM_LEVELS, activeLevelIndex: 0 });
    attachEditing();
    gantt.attachEvent("onGanttRender", paintExtras);
    gantt.attachEvent("onDataRender", paintExtras);
  }

  window.organizerGantt = {
    ready: false,
    renders: 0,
    payload: function () { return state.payload; },
    reload: reload,
    zoom: function (level) { setZoom(level); },
    workingDaysBetween: function (a, b) { return workingDaysBetween(parseDay(a), parseDay(b)); },
  };

  configure();
  state.calendar = calendarFor(state.payload.project);
  gantt.init(host);

  // Keyboard navigation moves between rows and opens/closes phases; its editing keys (delete, lightbox,
  // new task, indent/outdent) would only change the client's copy, so they are switched off.
  const keyboard = gantt.ext.keyboardNavigation;
  if (keyboard && keyboard.removeShortcut) {
    ["delete", "enter", "ctrl+enter", "shift+left", "shift+right"].forEach(function (key) {
      keyboard.removeShortcut(key, "taskRow");
    });
  }
  setZoom("day");
  render(state.payload);

  // The tooltip plugin also describes links.
  if (gantt.ext.tooltips && gantt.ext.tooltips.tooltipFor) {
    gantt.ext.tooltips.tooltipFor({
      selector: ".gantt_task_link",
      html: function (event, node) {
        const id = node.getAttribute("data-link-id");
        return id && gantt.isLinkExists(id) ? escapeHtml(linkSentence(gantt.getLink(id))) : "";
      },
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-zoom]");
    if (button) {
      setZoom(button.getAttribute("data-zoom"));
    }
  });

  let resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      if (applyLayout()) {
        gantt.render();
      }
      fitHeight();
    }, 150);
  });
})();
