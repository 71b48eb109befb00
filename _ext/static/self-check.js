/* Self-check questions (_ext/self_check.py): answer, get feedback on the option chosen, or ask for the answer.
   Feedback goes into the question's role="status" (aria-live) region, so screen readers announce it.
   No request leaves the page. */
(function () {
  "use strict";

  function say(question, verdict, kind, blocks) {
    var region = question.querySelector(".sc-feedback");
    region.textContent = "";
    region.className = "sc-feedback sc-" + kind;
    var head = document.createElement("p");
    head.className = "sc-verdict";
    head.textContent = verdict;
    region.appendChild(head);
    (blocks || []).forEach(function (block) {
      Array.prototype.forEach.call(block.childNodes, function (child) {
        region.appendChild(child.cloneNode(true));
      });
    });
  }

  function explain(question, show) {
    var explanation = question.querySelector(".sc-explanation");
    if (explanation) explanation.hidden = !show;
  }

  function setUpChoice(question) {
    var radios = Array.prototype.slice.call(question.querySelectorAll('input[type="radio"]'));
    function feedbackOf(radio) {
      return radio.closest(".sc-option").querySelector(".sc-option-feedback");
    }
    function mark(radio, right) {
      radios.forEach(function (other) {
        other.closest(".sc-option").classList.remove("sc-chosen-right", "sc-chosen-wrong");
      });
      radio.closest(".sc-option").classList.add(right ? "sc-chosen-right" : "sc-chosen-wrong");
    }
    question.querySelector(".sc-check").addEventListener("click", function () {
      var chosen = radios.filter(function (radio) { return radio.checked; })[0];
      if (!chosen) {
        say(question, "Choose an option first.", "none");
        return;
      }
      var right = chosen.hasAttribute("data-correct");
      mark(chosen, right);
      say(question, right ? "Correct." : "Not quite.", right ? "right" : "wrong", [feedbackOf(chosen)]);
      explain(question, right);
    });
    question.querySelector(".sc-reveal").addEventListener("click", function () {
      var right = radios.filter(function (radio) { return radio.hasAttribute("data-correct"); })[0];
      right.checked = true;
      mark(right, true);
      var text = right.closest(".sc-option").querySelector("label").textContent.trim();
      say(question, "The answer: " + text, "shown", [feedbackOf(right)]);
      explain(question, true);
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        radios.forEach(function (other) {
          other.closest(".sc-option").classList.remove("sc-chosen-right", "sc-chosen-wrong");
        });
      });
    });
  }

  function parseNumber(text) {
    var clean = text.trim().replace(/\u2212/g, "-").replace(/\s+/g, "").replace(",", ".");
    var fraction = /^([-+]?\d*\.?\d+)\/(\d*\.?\d+)$/.exec(clean);
    if (fraction) return Number(fraction[1]) / Number(fraction[2]);
    if (clean.slice(-1) === "%") return Number(clean.slice(0, -1)) / 100;
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(clean)) return NaN;
    return Number(clean);
  }

  function setUpNumeric(question) {
    var input = question.querySelector(".sc-input");
    var answer = Number(question.getAttribute("data-answer"));
    var tolerance = Number(question.getAttribute("data-tolerance"));
    var answerText = question.getAttribute("data-answer-text");
    function check() {
      var value = parseNumber(input.value);
      if (input.value.trim() === "" || isNaN(value)) {
        say(question, "Type a number (for example 0.25 or 1/4).", "none");
        return;
      }
      // a hair over the tolerance, so that an answer typed exactly at its edge is not refused by rounding
      var right = Math.abs(value - answer) <= tolerance * (1 + 1e-9);
      input.setAttribute("aria-invalid", right ? "false" : "true");
      if (right) {
        say(question, "Correct: " + answerText + " (within " + tolerance + ").", "right");
      } else {
        say(question, "Not quite: " + input.value.trim() + " is too " + (value > answer ? "high" : "low") +
          ". Try again, or show the answer.", "wrong");
      }
      explain(question, right);
    }
    question.querySelector(".sc-check").addEventListener("click", check);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        check();
      }
    });
    question.querySelector(".sc-reveal").addEventListener("click", function () {
      say(question, "The answer: " + answerText + " (within " + tolerance + ").", "shown");
      explain(question, true);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".self-check[data-kind]"), function (question) {
      if (question.hasAttribute("data-sc-ready")) return;
      question.setAttribute("data-sc-ready", "");
      if (question.getAttribute("data-kind") === "choice") setUpChoice(question);
      else setUpNumeric(question);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
