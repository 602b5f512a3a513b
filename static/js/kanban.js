// organizer_pm: the project board. Cards move between status columns by HTML5 drag and drop, or with the
// per-card <select> (keyboard, screen readers and phones, where HTML5 drag and drop is unreliable).
// The server decides: the card moves for good only when the POST succeeds; otherwise it goes back.
(function () {
  "use strict";

  const board = document.querySelector("[data-kanban]");
  if (!board) {
    return;
  }
  const message = document.getElementById("kanban-message");
  const DRAG_TYPE = "application/x-organizer-task";

  const csrfToken = window.organizerPm.csrfToken;  // static/js/app.js

  function cardFor(taskId) {
    return board.querySelector("article.kanban-card[data-task=\"" + CSS.escape(String(taskId)) + "\"]");
  }

  function columnStatus(card) {
    const zone = card.closest("[data-drop]");
    return zone ? zone.getAttribute("data-drop") : null;
  }

  function showError(text) {
    if (message) {
      message.textContent = text;
      message.classList.remove("d-none");
    }
  }

  function clearError() {
    if (message) {
      message.textContent = "";
      message.classList.add("d-none");
    }
  }

  function setCounts(counts) {
    Object.keys(counts || {}).forEach(function (status) {
      const badge = board.querySelector("[data-count=\"" + CSS.escape(status) + "\"]");
      if (badge) {
        badge.textContent = String(counts[status]);
      }
    });
  }

  function setSelect(card, status) {
    const select = card.querySelector("select.kanban-select");
    if (select) {
      select.value = status;
    }
  }

  function setBusy(card, busy) {
    card.classList.toggle("is-saving", busy);
    card.setAttribute("aria-busy", busy ? "true" : "false");
    const select = card.querySelector("select.kanban-select");
    if (select) {
      select.disabled = busy;
    }
  }

  // Move the card at once (it feels instant), then let the server confirm or refuse.
  function move(card, status) {
    const from = columnStatus(card);
    const zone = board.querySelector("[data-drop=\"" + CSS.escape(status) + "\"]");
    if (!zone || !from || from === status || card.classList.contains("is-saving")) {
      setSelect(card, from);
      return;
    }
    const home = { parent: card.parentNode, next: card.nextElementSibling };
    zone.appendChild(card);
    setSelect(card, status);
    setBusy(card, true);

    function putBack(text) {
      if (home.next && home.next.parentNode === home.parent) {
        home.parent.insertBefore(card, home.next);
      } else {
        home.parent.appendChild(card);
      }
      setSelect(card, from);
      showError(text);
    }

    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        Accept: "application/json",
      },
      body: new URLSearchParams({ status: status }),
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          return { ok: false, answer: { error: response.status === 403
            ? "You can only move the cards of tasks assigned to you."
            : "The card could not be moved (the server answered " + response.status + ")." } };
        }
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (result) {
        setBusy(card, false);
        if (!result.ok) {
          putBack((result.answer && result.answer.error) || "The card could not be moved.");
          return;
        }
        const answer = result.answer;
        if (answer.status && answer.status !== status) {
          const actual = board.querySelector("[data-drop=\"" + CSS.escape(answer.status) + "\"]");
          if (actual) {
            actual.appendChild(card);
          }
          setSelect(card, answer.status);
        }
        setCounts(answer.counts);
        clearError();
        card.classList.add("is-moved");
        window.setTimeout(function () { card.classList.remove("is-moved"); }, 800);
      })
      .catch(function () {
        setBusy(card, false);
        putBack("The card could not be moved. Check the connection and try again.");
      });
  }

  // --- drag and drop -------------------------------------------------------------------------------------

  let dragged = null;

  board.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest("article.kanban-card[draggable=\"true\"]");
    if (!card || card.classList.contains("is-saving") || event.target.closest("select")) {
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData(DRAG_TYPE, card.getAttribute("data-task"));
    event.dataTransfer.setData("text/plain", card.getAttribute("data-task"));
    card.classList.add("is-dragging");
    board.classList.add("is-dragging");
  });

  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("is-dragging");
    }
    dragged = null;
    board.classList.remove("is-dragging");
    board.querySelectorAll("[data-drop].is-over").forEach(function (zone) {
      zone.classList.remove("is-over");
    });
  });

  function zoneOf(event) {
    return event.target.closest ? event.target.closest("[data-drop]") : null;
  }

  board.addEventListener("dragover", function (event) {
    const zone = zoneOf(event);
    if (!zone || !dragged) {
      return;
    }
    event.preventDefault(); // allow the drop
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-over");
  });

  board.addEventListener("dragleave", function (event) {
    const zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-over");
    }
  });

  board.addEventListener("drop", function (event) {
    const zone = zoneOf(event);
    if (!zone) {
      return;
    }
    event.preventDefault();
    zone.classList.remove("is-over");
    const taskId = event.dataTransfer.getData(DRAG_TYPE) || (dragged && dragged.getAttribute("data-task"));
    const card = taskId ? cardFor(taskId) : null;
    if (card) {
      move(card, zone.getAttribute("data-drop"));
    }
  });

  // --- the select: the accessible alternative --------------------------------------------------------------

  board.addEventListener("change", function (event) {
    const select = event.target.closest && event.target.closest("select.kanban-select");
    if (!select) {
      return;
    }
    const card = select.closest("article.kanban-card");
    if (card) {
      move(card, select.value);
    }
  });

  // The select lives inside a draggable card: don't start a drag from it.
  board.addEventListener("mousedown", function (event) {
    const select = event.target.closest && event.target.closest("select.kanban-select");
    const card = select && select.closest("article.kanban-card");
    if (card) {
      card.setAttribute("draggable", "false");
      const restore = function () {
        card.setAttribute("draggable", "true");
        document.removeEventListener("mouseup", restore, true);
        select.removeEventListener("focusout", restore);
      };
      document.addEventListener("mouseup", restore, true);
      select.addEventListener("focusout", restore);
    }
  });
})();
