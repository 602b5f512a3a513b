// organizer_pm: the visit calendar (FullCalendar 7 standard packages, docs/specs/booking.md, docs/specs/recurrence.md).
//
// The server owns every visit: this file asks operations:calendar_events for the visible range (filtered by
// the organizer checkboxes), paints what it gets, and turns a drag or resize into one POST to the event's
// moveUrl. A refusal (409 double booked, 400 outside hours or bad input) puts the event back and shows the
// server's own sentence in #calendar-message. Loaded after temporal-polyfill, all/global.js and the classic
// theme plugin; no inline script or style attribute (the CSP forbids them).
//
// Hooks for tests: #calendar gets data-ready="1" once the first events are on screen, data-loads counts
// finished loads, aria-busy="true" marks a load in progress, data-moving="1" a move waiting for the server's
// answer, and data-moves counts answered moves. window.organizerCalendar is the Calendar instance.
(function () {
  "use strict";

  const host = document.getElementById("calendar");
  if (!host || typeof window.FullCalendar === "undefined") {
    return;
  }
  const message = document.getElementById("calendar-message");
  const eventsUrl = host.dataset.eventsUrl;
  const canEdit = host.dataset.editable === "1";
  const phoneQuery = window.matchMedia("(max-width: 575.98px)"); // Bootstrap's xs breakpoint
  const FALLBACK_COLOUR = "#6c757d";
  const TIME_FORMAT = { hour: "2-digit", minute: "2-digit", hour12: false };

  // --- small helpers -------------------------------------------------------------------------------------

  const csrfToken = window.organizerPm.csrfToken;  // static/js/app.js

  function showMessage(text) {
    if (!message) {
      return;
    }
    message.textContent = text;
    message.classList.remove("d-none");
  }

  function hideMessage() {
    if (!message) {
      return;
    }
    message.textContent = "";
    message.classList.add("d-none");
  }

  function bump(name) {
    host.dataset[name] = String(Number(host.dataset[name] || 0) + 1);
  }

  // Dark text on light organizer colours, white on dark ones (WCAG relative luminance).
  function contrastFor(hex) {
    const match = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!match) {
      return "#fff";
    }
    const value = parseInt(match[1], 16);
    const channel = function (shift) {
      const c = ((value >> shift) & 255) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
    return luminance > 0.4 ? "#1f2937" : "#fff";
  }

  // --- organizer filter --------------------------------------------------------------------------------

  const filterBoxes = Array.prototype.slice.call(document.querySelectorAll("[data-organizer]"));

  // null: no filter (no boxes on the page, as for an organizer, who sees their own visits; or every box
  // ticked, which also keeps the visits of organizers who have left); []: every box unticked.
  function chosenOrganizers() {
    const ticked = filterBoxes.filter(function (box) { return box.checked; });
    if (ticked.length === filterBoxes.length) {
      return null;
    }
    return ticked.map(function (box) { return box.value; });
  }

  // --- events ------------------------------------------------------------------------------------------

  // A function source rather than a JSON-feed URL: the server wants the organizer parameter repeated
  // (?organizer=1&organizer=2), and FullCalendar's extraParams go through an object, which cannot repeat a key.
  function fetchEvents(info, success, failure) {
    const organizers = chosenOrganizers();
    if (organizers !== null && organizers.length === 0) {
      success([]); // nobody ticked: show nothing (the server would read "no filter" as everyone)
      return;
    }
    const params = new URLSearchParams();
    params.append("start", info.startStr);
    params.append("end", info.endStr);
    (organizers || []).forEach(function (id) { params.append("organizer", id); });
    fetch(eventsUrl + (eventsUrl.indexOf("?") === -1 ? "?" : "&") + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (events) {
        if (!Array.isArray(events)) {
          throw new Error("unexpected answer");
        }
        success(events);
      })
      .catch(function (error) {
        showMessage("The visits could not be loaded. Reload the page to try again.");
        failure(error);
      });
  }

  // The server sends v6-style backgroundColor/borderColor; FullCalendar 7 paints from `color` and
  // `contrastColor`. Dragging is only offered where the page and the event both allow it.
  function toCalendarEvent(raw) {
    const event = Object.assign({}, raw);
    const colour = raw.backgroundColor || raw.borderColor || FALLBACK_COLOUR;
    delete event.backgroundColor;
    delete event.borderColor;
    event.color = colour;
    event.contrastColor = contrastFor(colour);
    event.editable = canEdit && raw.editable === true;
    return event;
  }

  // --- the site's own time (T19) ----------------------------------------------------------------------

  // "2027-03-02T09:00" for a Date in the browser's zone, to compare with the site's wall time from the server.
  function localWall(date) {
    const pad = function (n) { return String(n).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // "PT" for America/Los_Angeles (the generic name, right in summer and winter); the server's "PST" otherwise.
  function zoneName(date, zone, fallback) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "shortGeneric" })
        .formatToParts(date);
      const part = parts.find(function (p) { return p.type === "timeZoneName"; });
      return (part && part.value) || fallback;
    } catch (error) {
      return fallback;
    }
  }

  // The visit's time at its site ("09:00 PT (site)") when the browser's wall time differs from it, else "".
  // The calendar shows every visit in the viewer's zone; a Seattle 09:00 is 12:00 in New York.
  function siteTimeText(event) {
    const props = event.extendedProps || {};
    if (!event.start || !props.siteStart || localWall(event.start) === props.siteStart.slice(0, 16)) {
      return "";
    }
    return props.siteStart.slice(11, 16) + " " + zoneName(event.start, props.siteTimeZone, props.siteZoneAbbr) +
      " (site)";
  }

  function addSiteTime(arg) {
    const text = siteTimeText(arg.event);
    if (!text || arg.el.querySelector(".oc-site-time")) {
      return;
    }
    const label = document.createElement("span");
    label.className = "oc-site-time";
    label.textContent = text;
    // Inside the title (it wraps, and in list view it is the link); the element itself where there is none.
    (arg.el.querySelector(".oc-event-title") || arg.el).appendChild(label);
  }

  // --- moves -------------------------------------------------------------------------------------------

  function sendMove(info) {
    const event = info.event;
    const moveUrl = event.extendedProps.moveUrl;
    if (!canEdit || !moveUrl || !event.start) {
      info.revert();
      return;
    }
    const end = event.end || new Date(event.start.getTime() + 60 * 60 * 1000);
    const body = new URLSearchParams();
    body.append("start", event.start.toISOString());
    body.append("end", end.toISOString());
    host.dataset.moving = "1";
    fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrfToken(),
      },
      body: body,
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { response: response, data: data || {} }; },
          function () { return { response: response, data: {} }; },
        );
      })
      .then(function (answer) {
        if (answer.response.ok && answer.data.ok) {
          hideMessage();
          calendar.refetchEvents(); // server truth: the moved visit may have changed in other ways
        } else {
          info.revert();
          showMessage(answer.data.error || "The visit could not be moved (error " + answer.response.status + ").");
        }
      })
      .catch(function () {
        info.revert();
        showMessage("The visit could not be moved: no answer from the server. Check the connection and try again.");
      })
      .then(function () {
        delete host.dataset.moving;
        bump("moves");
      });
  }

  // --- layout --------------------------------------------------------------------------------------------

  function toolbarFor(isPhone) {
    if (isPhone) {
      return { start: "title", end: "prev,next today timeGridDay,listWeek" };
    }
    return { start: "prev,next today", center: "title", end: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" };
  }

  // Phones get a compact title ("Dec 28 – Jan 3" rather than "Dec 28, 2026 – Jan 3, 2027"): the full one
  // makes a year-end week wider than a 390 px screen. Desktops keep FullCalendar's default per view.
  function titleFormatFor(isPhone) {
    return isPhone ? { month: "short", day: "numeric" } : undefined;
  }

  // The time grid scrolls inside a fixed height (it opens at scrollTime); lists and months grow with their
  // content. Set per view from datesSet: a view-specific `height` option leaves FullCalendar 7.1's time grid
  // with no height at all.
  function heightFor(viewType) {
    if (viewType.indexOf("timeGrid") === 0) {
      return phoneQuery.matches ? 600 : 760;
    }
    return "auto";
  }

  const initialView = phoneQuery.matches ? "listWeek" : "timeGridWeek";
  let currentHeight = heightFor(initialView);
  function fitHeight(viewType) {
    const height = heightFor(viewType);
    if (height !== currentHeight) {
      currentHeight = height;
      calendar.setOption("height", height);
    }
  }

  const calendar = new window.FullCalendar.Calendar(host, {
    timeZone: "local", // visits are stored in UTC; everyone sees them in their browser's zone
    initialView: initialView,
    initialDate: /^\d{4}-\d{2}-\d{2}$/.test(host.dataset.initialDate || "") ? host.dataset.initialDate : undefined,
    headerToolbar: toolbarFor(phoneQuery.matches),
    titleFormat: titleFormatFor(phoneQuery.matches),
    buttons: {
      today: { text: "Today" },
      dayGridMonth: { text: "Month" },
      timeGridWeek: { text: "Week" },
      timeGridDay: { text: "Day" },
      listWeek: { text: "List" },
    },
    firstDay: 1,
    nowIndicator: true,
    navLinks: true,
    dayMaxEvents: 4, // a number: with height "auto", `true` would fold every event into "+n more"
    allDaySlot: false, // visits always have times
    scrollTime: "07:30:00",
    slotDuration: "00:30:00",
    snapDuration: "00:15:00",
    slotHeaderFormat: TIME_FORMAT,
    eventTimeFormat: TIME_FORMAT,
    height: heightFor(initialView),
    noEventsText: "No visits in this period.",
    // Our own class names next to FullCalendar's hashed ones, for static/css/calendar.css.
    eventClass: "oc-event",
    columnEventTitleClass: "oc-wrap",
    eventTitleClass: "oc-event-title",
    views: {
      list: { listItemEventTimeClass: "oc-list-time", listItemEventTitleClass: "oc-wrap" },
    },
    headerToolbarClass: "oc-toolbar",
    toolbarTitleClass: "oc-title",
    editable: canEdit,
    eventResizableFromStart: false,
    events: fetchEvents,
    eventDataTransform: toCalendarEvent,
    eventDrop: sendMove,
    eventResize: sendMove,
    eventDidMount: function (arg) {
      const props = arg.event.extendedProps || {};
      const who = (props.organizers || []).join(", ");
      const siteTime = siteTimeText(arg.event);
      arg.el.setAttribute(
        "title", arg.event.title + (who ? " (" + who + ")" : "") + (siteTime ? ", " + siteTime : ""),
      );
      addSiteTime(arg);
      arg.el.dataset.eventId = arg.event.id;
      if (props.status) {
        arg.el.dataset.status = props.status;
      }
    },
    datesSet: function (info) {
      fitHeight(info.view.type);
    },
    loading: function (isLoading) {
      if (isLoading) {
        host.setAttribute("aria-busy", "true");
        return;
      }
      // FullCalendar renders on the next frame: mark the calendar once the events are painted.
      window.requestAnimationFrame(function () {
        window.setTimeout(function () {
          host.removeAttribute("aria-busy");
          host.dataset.ready = "1";
          bump("loads");
        }, 0);
      });
    },
  });
  calendar.render();
  window.organizerCalendar = calendar;

  filterBoxes.forEach(function (box) {
    box.addEventListener("change", function () { calendar.refetchEvents(); });
  });

  phoneQuery.addEventListener("change", function (query) {
    calendar.setOption("headerToolbar", toolbarFor(query.matches));
    calendar.setOption("titleFormat", titleFormatFor(query.matches));
    if (query.matches && calendar.view.type !== "timeGridDay" && calendar.view.type !== "listWeek") {
      calendar.changeView("listWeek");
      fitHeight("listWeek");
    } else {
      fitHeight(calendar.view.type);
    }
  });
})();
