/// The pages' style sheet and script, served from the binary at `/ui/assets/`.
public enum Assets {
    /// The body and content type at `path`, if an asset is there.
    public static func asset(at path: String) -> (body: String, contentType: String)? {
        switch path {
        case "/ui/assets/mreg.css": (css, "text/css; charset=utf-8")
        case "/ui/assets/mreg.js": (script, "text/javascript; charset=utf-8")
        // Browsers ask for /favicon.ico on their own (a JSON twin has no <link rel=icon>).
        case "/ui/assets/icon.svg", "/favicon.ico": (icon, "image/svg+xml")
        default: nil
        }
    }

    /// Readable contrast (text at least 4.5:1 on its background, WCAG AA; body text and the red and
    /// green verdicts 7:1), a visible focus ring, and one
    /// column on a phone-width screen (wide tables scroll inside their box).
    static let css = """
        :root { --ink: #1b1f24; --muted: #4a5360; --line: #c9d1d9; --accent: #0b5cad; --bg: #ffffff; --band: #f3f5f8; --bad: #a4141b; --good: #17602a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus { outline: 3px solid #f0a30a; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; }
        header.top { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 8px 16px; background: var(--ink); color: #fff; }
        header.top a { color: #fff; }
        .brand { font-weight: 700; font-size: 1.2em; text-decoration: none; }
        .who { margin-left: auto; display: flex; gap: 8px; align-items: center; }
        .role { font-size: .85em; padding: 0 6px; border: 1px solid #fff; border-radius: 4px; }
        main { padding: 16px; max-width: 1200px; margin: 0 auto; }
        footer { padding: 16px; color: var(--muted); font-size: .9em; text-align: center; }
        h1 { margin: .2em 0; word-break: break-all; }
        .crumbs { font-size: .9em; color: var(--muted); }
        .summary { color: var(--muted); }
        table.data { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
        table.data th, table.data td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        table.data thead th { background: var(--band); }
        .num { text-align: right; }
        th button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; cursor: pointer; color: var(--ink); }
        th[aria-sort="ascending"] button::after { content: " ▲"; }
        th[aria-sort="descending"] button::after { content: " ▼"; }
        .alias, .label { display: inline-block; padding: 0 6px; border-radius: 4px; background: #dbe9f7; color: #0a3d73; font-size: .9em; }
        .status.deprecated, .status.rolled_back, .status.deleted, .verdict.invalid, .forced, .error { color: var(--bad); font-weight: 600; }
        .verdict.valid { color: var(--good); font-weight: 600; }
        .note { border-left: 4px solid var(--bad); padding-left: 8px; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
        .digest { word-break: break-all; white-space: normal; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        figure { margin: 0; width: 360px; max-width: 100%; }
        figcaption { text-align: center; color: var(--muted); }
        svg.chart { width: 100%; height: auto; }
        svg .axis { stroke: var(--muted); stroke-width: 1; }
        svg .line { fill: none; stroke: var(--accent); stroke-width: 1.5; }
        svg .point { fill: var(--accent); }
        svg .interval { stroke: var(--accent); stroke-width: 3; stroke-opacity: .35; }
        svg .production, .legend-production { fill: #b35900; color: #b35900; }
        svg .tick { font-size: 10px; fill: var(--muted); }
        ol.timeline { list-style: none; padding: 0; }
        ol.timeline li { padding: 6px 8px; border-left: 4px solid var(--line); margin-bottom: 4px; }
        ol.timeline li.rollback, ol.timeline li.forced { border-left-color: var(--bad); background: #fbeaea; }
        ol.timeline li.promote { border-left-color: var(--good); }
        .pages { display: flex; gap: 16px; margin: 8px 0; }
        .params dl { margin: 0 0 0 1em; }
        .params dt { font-weight: 600; }
        .params dd { margin-left: 1em; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0 0 8px 0; }
        form.action { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; padding: 8px; background: var(--band); border-radius: 6px; }
        .verdict.passed { color: var(--good); font-weight: 600; }
        .verdict.failed, .verdict.missing { color: var(--bad); font-weight: 600; }
        .up { color: var(--good); } .down { color: var(--bad); }
        table.data tr.flagged td { background: #fbeaea; }
        .graph { overflow-x: auto; }
        svg.lineage rect { fill: var(--band); stroke: var(--muted); }
        svg.lineage .root rect { fill: #dbe9f7; stroke: var(--accent); stroke-width: 2; }
        svg.lineage .dataset rect { fill: #eef6e9; } svg.lineage .commit rect { fill: #f6f0e4; }
        svg.lineage text { font-size: 12px; fill: var(--ink); }
        svg.lineage a text { fill: var(--accent); text-decoration: underline; }
        svg.lineage .edge { fill: none; stroke: var(--muted); stroke-width: 1.2; }
        details.choose { margin: 8px 0; } details.choose label { white-space: nowrap; margin-right: 8px; }
        .then { border-left: 4px solid var(--accent); padding-left: 8px; }
        form.search, form.sign-in { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0 16px; }
        input, button { font: inherit; padding: 4px 8px; }
        @media (max-width: 640px) { main { padding: 8px; } .who { margin-left: 0; } }

        """

    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1b1f24"/>\
        <text x="16" y="23" font-family="sans-serif" font-size="20" font-weight="700" fill="#fff" text-anchor="middle">m</text></svg>

        """

    /// Sorting a table by a column's header (click or keyboard); the page works without it.
    static let script = """
        "use strict";
        document.querySelectorAll("table.sortable").forEach(function (table) {
          var headers = table.tHead ? table.tHead.rows[0].cells : [];
          Array.prototype.forEach.call(headers, function (header, column) {
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = header.textContent;
            header.textContent = "";
            header.appendChild(button);
            button.addEventListener("click", function () {
              var ascending = header.getAttribute("aria-sort") !== "ascending";
              Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
              header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
              var body = table.tBodies[0];
              var rows = Array.prototype.slice.call(body.rows);
              function key(row) {
                var cell = row.cells[column];
                var text = cell.getAttribute("data-sort") || cell.textContent.trim();
                var number = parseFloat(text);
                return isNaN(number) || !/^[-+0-9.eE]+$/.test(text) ? text : number;
              }
              rows.sort(function (a, b) {
                var x = key(a), y = key(b);
                var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
                return ascending ? order : -order;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
        });

        """
}
