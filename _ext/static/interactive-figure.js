/* Interactive figures made by bookkit.interactive_figure (bookkit/figure.py): the page holds every frame,
   precomputed in pixels, as JSON; moving a control redraws the SVG marks, the legend and the readout.
   Frame index: controls in order, the first one slowest (row-major). No request leaves the page. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function svg(name, attrs) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { element.setAttribute(key, attrs[key]); });
    return element;
  }

  function pathData(xs, ys) {
    var out = [], down = false;
    for (var i = 0; i < xs.length; i++) {
      if (xs[i] === null) { down = false; continue; }
      out.push((down ? "L" : "M") + xs[i] + " " + ys[i]);
      down = true;
    }
    return out.join("");
  }

  function round(value) { return Math.round(value * 10) / 10; }

  function marker(kind, x, y, size) {
    if (kind === "o") return svg("circle", { cx: x, cy: y, r: size });
    if (kind === "s") return svg("rect", { x: round(x - size), y: round(y - size), width: 2 * size, height: 2 * size });
    var l = round(x - size), r = round(x + size), t = round(y - size), b = round(y + size);
    if (kind === "^") return svg("path", { d: "M" + x + " " + t + "L" + r + " " + b + "L" + l + " " + b + "Z" });
    return svg("path", { d: "M" + x + " " + t + "L" + r + " " + y + "L" + x + " " + b + "L" + l + " " + y + "Z" });
  }

  function draw(group, marks, data) {
    while (group.firstChild) group.removeChild(group.firstChild);
    marks.forEach(function (mark) {
      var style = data.styles[mark[0]];
      var arrays = mark.slice(1).map(function (index) { return data.arrays[index]; });
      var g;
      if (style.k === "line") {
        var attrs = { d: pathData(arrays[0], arrays[1]), fill: "none", stroke: style.c, "stroke-width": style.w,
          "stroke-linejoin": "round" };
        if (style.d) attrs["stroke-dasharray"] = "6 4";
        group.appendChild(svg("path", attrs));
      } else if (style.k === "points") {
        g = svg("g", { fill: style.c, stroke: "#ffffff", "stroke-width": 0.75 });
        for (var i = 0; i < arrays[0].length; i++) g.appendChild(marker(style.m, arrays[0][i], arrays[1][i], style.s));
        group.appendChild(g);
      } else {
        g = svg("g", { fill: style.c });
        for (var j = 0; j < arrays[0].length; j++) {
          g.appendChild(svg("rect", { x: arrays[0][j], y: arrays[1][j], width: arrays[2][j], height: arrays[3][j] }));
        }
        group.appendChild(g);
      }
    });
  }

  function legend(list, marks, data) {
    while (list.firstChild) list.removeChild(list.firstChild);
    marks.forEach(function (mark) {
      var style = data.styles[mark[0]];
      if (!style.l) return;
      var item = document.createElement("li");
      var swatch = svg("svg", { width: 24, height: 12, "aria-hidden": "true" });
      if (style.k === "line") {
        var attrs = { x1: 0, y1: 6, x2: 24, y2: 6, stroke: style.c, "stroke-width": style.w };
        if (style.d) attrs["stroke-dasharray"] = "6 4";
        swatch.appendChild(svg("line", attrs));
      } else if (style.k === "points") {
        var shape = marker(style.m, 12, 6, Math.min(style.s, 5));
        shape.setAttribute("fill", style.c);
        swatch.appendChild(shape);
      } else {
        swatch.appendChild(svg("rect", { x: 4, y: 1, width: 16, height: 10, fill: style.c }));
      }
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(style.l));
      list.appendChild(item);
    });
  }

  function setUp(figure) {
    var data = JSON.parse(figure.querySelector("script.bk-data").textContent);
    var marks = figure.querySelector(".bk-marks");
    var list = figure.querySelector(".bk-legend");
    var readout = figure.querySelector(".bk-readout");
    var inputs = data.controls.map(function (control) {
      return figure.querySelector('[name="' + control.n + '"]');
    });
    var shown = null;

    function update() {
      var index = 0;
      data.controls.forEach(function (control, k) {
        var position = Number(inputs[k].value);
        index = index * control.t.length + position;
        var text = data.strings[control.t[position]];
        if (inputs[k].type === "range") {
          inputs[k].setAttribute("aria-valuetext", text);
          var output = inputs[k].parentNode.querySelector(".bk-value");
          if (output) output.textContent = text;
        }
      });
      if (index === shown) return;
      shown = index;
      var frame = data.frames[index];
      draw(marks, frame.slice(1), data);
      legend(list, data.static.concat(frame.slice(1)), data);
      var lines = data.strings[frame[0]].split("\n");
      var current = Array.prototype.map.call(readout.childNodes, function (node) { return node.textContent; })
        .filter(function (text) { return text !== ""; }).join("\n");
      if (current !== lines.join("\n")) {  // rewrite (and so announce) only what changed
        while (readout.firstChild) readout.removeChild(readout.firstChild);
        lines.forEach(function (line, n) {
          if (n > 0) readout.appendChild(document.createElement("br"));
          readout.appendChild(document.createTextNode(line));
        });
      }
    }

    // an <output> is a live region of its own: the slider already announces its value (aria-valuetext)
    Array.prototype.forEach.call(figure.querySelectorAll("output.bk-value"), function (output) {
      output.setAttribute("aria-live", "off");
    });
    inputs.forEach(function (input) {
      input.disabled = false;
      input.addEventListener("input", update);
      input.addEventListener("change", update);
    });
    update();
    figure.classList.add("bk-ready");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".interactive-figure[data-bookkit]"), function (figure) {
      if (figure.hasAttribute("data-bk-ready")) return;
      figure.setAttribute("data-bk-ready", "");
      try {
        setUp(figure);
      } catch (error) {
        if (window.console) console.error("interactive figure " + figure.id + ":", error);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
