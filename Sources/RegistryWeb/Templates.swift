import Mustache

/// The pages' HTML, inside the binary (no file to install, nothing fetched). `{{x}}` is escaped
/// for HTML; `{{{x}}}` is only ever markup this module drew itself (the body, SVG charts).
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("layout", layout), ("models", models), ("model", model), ("version", version), ("sign-in", signIn), ("problem", problem), ("gates", gates), ("diff", diff), ("drift", drift)] {
            // The templates are constants of this file: one that does not parse is a bug caught by any test.
            try! library.register(text, named: name)
        }
        return library
    }()

    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · mreg</title>
        <link rel="stylesheet" href="/ui/assets/mreg.css">
        <link rel="icon" href="/ui/assets/icon.svg" type="image/svg+xml">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/">mreg</a>
        <nav aria-label="Main"><a href="/">Models</a></nav>
        {{#viewer}}
        <form class="who" method="post" action="/ui/sign-out">
        <span>{{name}} <span class="role">{{role}}</span></span>
        <input type="hidden" name="form_key" value="{{formKey}}">
        <button type="submit">Sign out</button>
        </form>
        {{/viewer}}
        </header>
        <main id="main">
        {{^empty(crumbs)}}<nav class="crumbs" aria-label="Breadcrumb">{{#crumbs}}<a href="{{href}}">{{label}}</a> / {{/crumbs}}</nav>{{/empty(crumbs)}}
        {{{body}}}
        </main>
        <footer>{{#twin}}The same as JSON: <a href="{{twin}}"><code>GET {{twin}}</code></a>{{/twin}}{{#postedTwin}}The same as JSON: <code>POST {{postedTwin}}</code>{{/postedTwin}}</footer>
        <script src="/ui/assets/mreg.js"></script>
        </body>
        </html>

        """

    static let signIn = """
        <h1>Sign in</h1>
        <p>Paste an API token (<code>mreg token create NAME --role reader</code> makes one). It is exchanged for a session; the browser never keeps the token.</p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form class="sign-in" method="post" action="/ui/sign-in">
        <input type="hidden" name="form_key" value="{{formKey}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" required>
        <button type="submit">Sign in</button>
        </form>

        """

    static let problem = """
        <h1>{{heading}}</h1>
        <p class="error" role="alert">{{message}}</p>
        {{#hint}}<p>{{hint}}</p>{{/hint}}

        """

    static let gates = """
        <h1>Promote {{reference}} to <span class="alias">{{alias}}</span>?</h1>
        <p class="verdict-line" role="status">{{verdict}}</p>
        {{#warnings}}<p class="note">{{.}}</p>{{/warnings}}
        {{^empty(gates)}}<table class="data" id="gates"><thead><tr><th scope="col">Gate</th><th scope="col">Metric</th><th scope="col">Outcome</th><th scope="col">Actual</th><th scope="col">Required</th><th scope="col">Detail</th></tr></thead><tbody>
        {{#gates}}<tr><td>{{gate}}</td><td>{{metric}}</td><td><span class="verdict {{outcome}}">{{outcome}}</span></td><td>{{actual}}</td><td>{{required}}</td><td>{{detail}}</td></tr>
        {{/gates}}</tbody></table>{{/empty(gates)}}
        {{^gates}}<p>No gate applies to {{alias}}.</p>{{/gates}}
        {{#canConfirm}}<form class="action" method="post" action="/ui/actions/promote">
        <input type="hidden" name="form_key" value="{{formKey}}"><input type="hidden" name="ref" value="{{reference}}"><input type="hidden" name="to" value="{{alias}}">
        <input type="hidden" name="reason" value="{{reason}}"><input type="hidden" name="step" value="confirm">
        <button type="submit" id="confirm">Promote</button>
        </form>{{/canConfirm}}
        {{#canForce}}<form class="action" method="post" action="/ui/actions/promote">
        <input type="hidden" name="form_key" value="{{formKey}}"><input type="hidden" name="ref" value="{{reference}}"><input type="hidden" name="to" value="{{alias}}">
        <input type="hidden" name="force" value="true"><input type="hidden" name="step" value="confirm">
        <label for="force-reason">Why force it past the failed gates</label><input id="force-reason" name="reason" required value="{{reason}}">
        <button type="submit" id="force">Force the promotion</button>
        </form>{{/canForce}}
        <p><a href="{{back}}">Back to {{reference}}</a></p>

        """

    static let drift = """
        <h1>Drift report #{{number}} of <a href="{{versionHref}}">{{reference}}</a></h1>
        <p class="summary">Recorded {{recorded}}</p>
        <p class="verdict-line" role="status"><span class="verdict {{#drifted}}failed{{/drifted}}{{^drifted}}passed{{/drifted}}">{{#drifted}}drift{{/drifted}}{{^drifted}}stable{{/drifted}}</span> {{verdict}}</p>
        <dl class="facts">
        <dt>New data</dt><dd><code>{{data}}</code>, {{rows}} rows · <code class="digest">{{dataDigest}}</code></dd>
        <dt>Compared with</dt><dd>{{against}}: <code>{{referenceFile}}</code>, {{referenceRows}} rows · <code class="digest">{{referenceDigest}}</code></dd>
        <dt>Thresholds</dt><dd>{{thresholds}}</dd>
        </dl>
        <table class="data sortable" id="drift-columns"><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Test</th><th scope="col" class="num">Statistic</th><th scope="col" class="num">p-value</th><th scope="col" class="num">PSI</th><th scope="col">Missing</th><th scope="col">Status</th></tr></thead><tbody>
        {{#columns}}<tr{{#flagged}} class="flagged"{{/flagged}}><td><code>{{name}}</code></td><td>{{type}}</td><td>{{test}}</td><td class="num">{{statistic}}</td><td class="num">{{pValue}}</td><td class="num">{{psi}}</td><td>{{missing}}</td><td>{{#flagged}}<span class="verdict failed">{{status}}</span> {{reasons}}{{/flagged}}{{^flagged}}<span class="verdict passed">ok</span>{{/flagged}}</td></tr>
        {{/columns}}</tbody></table>

        """

    static let diff = """
        <h1><a href="{{aHref}}">{{a}}</a> → <a href="{{bHref}}">{{b}}</a></h1>
        <form class="search" method="get" action="/ui/diff">
        <label for="diff-a">From</label><input id="diff-a" name="a" value="{{a}}" required>
        <label for="diff-b">to</label><input id="diff-b" name="b" value="{{b}}" required>
        <button type="submit">Compare</button>
        </form>
        <section aria-labelledby="diff-metrics-heading">
        <h2 id="diff-metrics-heading">Metrics</h2>
        {{^empty(metrics)}}<table class="data" id="diff-metrics"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">{{a}}</th><th scope="col" class="num">{{b}}</th><th scope="col" class="num">Change</th></tr></thead><tbody>
        {{#metrics}}<tr class="{{change}}"><td>{{name}}</td><td class="num">{{before}}</td><td class="num">{{after}}</td><td class="num {{direction}}">{{delta}}</td></tr>
        {{/metrics}}</tbody></table>{{/empty(metrics)}}
        {{^metrics}}<p>Neither version records a metric.</p>{{/metrics}}
        </section>
        {{#significance}}<section aria-labelledby="diff-significance-heading">
        <h2 id="diff-significance-heading">Significance on {{dataset}} ({{examples}} paired examples)</h2>
        <table class="data" id="diff-significance"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">A</th><th scope="col" class="num">B</th><th scope="col" class="num">B − A</th><th scope="col">{{level}} interval</th><th scope="col" class="num">p</th><th scope="col">Verdict</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{metric}}</td><td class="num">{{a}}</td><td class="num">{{b}}</td><td class="num">{{difference}}</td><td>{{interval}}</td><td class="num">{{p}}</td><td class="{{direction}}">{{verdict}}</td></tr>
        {{/rows}}</tbody></table>
        </section>{{/significance}}
        <section aria-labelledby="diff-params-heading">
        <h2 id="diff-params-heading">Parameters</h2>
        {{^empty(params)}}<table class="data" id="diff-params"><thead><tr><th scope="col">Parameter</th><th scope="col">Change</th><th scope="col">{{a}}</th><th scope="col">{{b}}</th></tr></thead><tbody>
        {{#params}}<tr class="{{change}}"><td><code>{{name}}</code></td><td>{{change}}</td><td><code>{{before}}</code></td><td><code>{{after}}</code></td></tr>
        {{/params}}</tbody></table>{{/empty(params)}}
        {{^params}}<p>The same parameters.</p>{{/params}}
        </section>
        <section aria-labelledby="diff-files-heading">
        <h2 id="diff-files-heading">Files</h2>
        <p>{{unchangedFiles}} file(s) unchanged.</p>
        {{^empty(files)}}<table class="data" id="diff-files"><thead><tr><th scope="col">Path</th><th scope="col">Change</th><th scope="col">{{a}}</th><th scope="col">{{b}}</th></tr></thead><tbody>
        {{#files}}<tr class="{{change}}"><td><code>{{name}}</code></td><td>{{change}}</td><td><code>{{before}}</code></td><td><code>{{after}}</code></td></tr>
        {{/files}}</tbody></table>{{/empty(files)}}
        </section>
        <section aria-labelledby="diff-datasets-heading">
        <h2 id="diff-datasets-heading">Datasets</h2>
        {{^empty(datasets)}}<table class="data"><thead><tr><th scope="col">Role</th><th scope="col">Change</th><th scope="col">{{a}}</th><th scope="col">{{b}}</th></tr></thead><tbody>
        {{#datasets}}<tr class="{{change}}"><td>{{name}}</td><td>{{change}}</td><td><code>{{before}}</code></td><td><code>{{after}}</code></td></tr>
        {{/datasets}}</tbody></table>{{/empty(datasets)}}
        {{^datasets}}<p>Neither version records a dataset.</p>{{/datasets}}
        </section>
        <section aria-labelledby="diff-git-heading">
        <h2 id="diff-git-heading">Commits between</h2>
        {{#git}}<p>{{relation}}, {{total}} commit(s).</p>{{^empty(commits)}}<ol class="commits">{{#commits}}<li><code>{{id}}</code> {{subject}}</li>{{/commits}}</ol>{{/empty(commits)}}{{/git}}
        {{#gitNote}}<p class="note">{{gitNote}}</p>{{/gitNote}}
        {{^git}}{{^gitNote}}<p>Neither version records a commit.</p>{{/gitNote}}{{/git}}
        </section>

        """

    static let models = """
        <h1>Models</h1>
        <form class="search" method="get" action="/" role="search">
        <label for="q">Find a model (name, or a label such as owner=risk)</label>
        <input id="q" name="q" type="search" value="{{query}}">
        <button type="submit">Search</button>
        </form>
        {{^empty(rows)}}
        <table class="data sortable">
        <thead><tr><th scope="col">Model</th><th scope="col" class="num">Versions</th><th scope="col" class="num">Latest</th><th scope="col">Last change</th><th scope="col">Aliases</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="{{href}}">{{name}}</a></td><td class="num">{{versions}}</td><td class="num">{{latest}}</td><td>{{updated}}</td><td>{{#aliases}}<span class="alias">{{name}}</span>&nbsp;v{{version}} {{/aliases}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{/empty(rows)}}
        {{^rows}}<p>{{empty}}</p>{{/rows}}

        """

    static let model = """
        <h1>{{name}}</h1>
        <p class="summary">{{total}} versions{{^empty(aliases)}} · {{#aliases}}<span class="alias">{{name}}</span>&nbsp;<a href="{{href}}">v{{version}}</a> {{/aliases}}{{/empty(aliases)}}</p>
        <form class="search" method="get" action="{{modelHref}}">
        <label for="at">What was live at (UTC)</label><input id="at" name="at" type="datetime-local" step="1" value="{{atInput}}" required>
        <button type="submit">Show</button>
        </form>
        {{#then}}<section aria-labelledby="then-heading" class="then">
        <h2 id="then-heading">At {{when}}</h2>
        {{^empty(holders)}}<ul>{{#holders}}<li><span class="alias">{{alias}}</span> {{#href}}<a href="{{href}}">{{reference}}</a>, since {{since}}{{/href}}{{^href}}named nothing{{/href}}</li>{{/holders}}</ul>{{/empty(holders)}}
        {{^holders}}<p>No alias named a version yet.</p>{{/holders}}
        </section>{{/then}}
        {{^empty(charts)}}
        <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">Metrics across these versions</h2>
        <div class="charts">{{#charts}}<figure>{{{svg}}}<figcaption>{{name}}{{#marked}} · <span class="legend-production">◆</span> held production{{/marked}}</figcaption></figure>{{/charts}}</div>
        </section>
        {{/empty(charts)}}
        <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions {{first}}–{{last}} of {{total}}</h2>
        {{^empty(choices)}}<details class="choose"><summary>Metric columns</summary>
        <form method="get" action="{{modelHref}}">
        {{#after}}<input type="hidden" name="after" value="{{after}}">{{/after}}
        {{#choices}}<label><input type="checkbox" name="metric" value="{{name}}"{{#shown}} checked{{/shown}}> {{name}}</label> {{/choices}}
        <button type="submit" id="choose-metrics">Show these</button>
        </form></details>{{/empty(choices)}}
        <table class="data sortable" id="versions">
        <thead><tr><th scope="col" class="num">Version</th><th scope="col">Digest</th><th scope="col">Created</th><th scope="col">Commit</th><th scope="col" class="num">Size</th><th scope="col">Status</th><th scope="col">Aliases</th>{{#metricNames}}<th scope="col" class="num">{{.}}</th>{{/metricNames}}</tr></thead>
        <tbody>
        {{#rows}}<tr><td class="num" data-sort="{{number}}"><a href="{{href}}">{{number}}</a></td><td><code>{{digest}}</code></td><td>{{created}}</td><td><code>{{commit}}</code></td><td class="num" data-sort="{{bytes}}">{{size}}</td><td><span class="status {{status}}">{{status}}</span></td><td>{{#aliases}}<span class="alias">{{.}}</span> {{/aliases}}</td>{{#metrics}}<td class="num">{{.}}</td>{{/metrics}}</tr>
        {{/rows}}
        </tbody>
        </table>
        {{#releases}}{{^empty(aliases)}}<section aria-labelledby="rollback-heading">
        <h2 id="rollback-heading">Roll back</h2>
        {{#aliases}}<form class="action" method="post" action="/ui/actions/rollback">
        <input type="hidden" name="form_key" value="{{formKey}}"><input type="hidden" name="model" value="{{model}}"><input type="hidden" name="alias" value="{{name}}">
        <label for="rollback-{{name}}">Why roll back <span class="alias">{{name}}</span> from v{{version}}</label><input id="rollback-{{name}}" name="reason" required>
        <button type="submit">Roll back {{name}}</button>
        </form>
        {{/aliases}}</section>{{/empty(aliases)}}{{/releases}}
        <nav class="pages" aria-label="Pages">{{#newer}}<a href="{{newer}}" rel="prev">← Newer</a>{{/newer}} {{#older}}<a href="{{older}}" rel="next">Older →</a>{{/older}}</nav>
        </section>
        <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Release timeline</h2>
        {{^empty(timeline)}}
        <ol class="timeline">
        {{#timeline}}<li class="{{kind}}"><time datetime="{{at}}">{{when}}</time> <strong>{{action}}</strong> {{#alias}}<span class="alias">{{alias}}</span>{{/alias}} {{#to}}→ <a href="{{toHref}}">v{{to}}</a>{{/to}}{{#from}} (was v{{from}}){{/from}} by {{actor}}{{#forced}} <span class="forced">forced</span>{{/forced}}{{#reason}}: “{{reason}}”{{/reason}}</li>
        {{/timeline}}
        </ol>
        {{/empty(timeline)}}
        {{^timeline}}<p>No alias has moved yet.</p>{{/timeline}}
        </section>

        """

    static let version = """
        <h1>{{reference}}</h1>
        <p class="summary"><span class="status {{status}}">{{status}}</span>{{#aliases}} <span class="alias">{{.}}</span>{{/aliases}} · <code>{{digest}}</code> · {{size}} · registered {{created}} by {{registeredBy}}</p>
        {{#statusNote}}<p class="note">{{statusNote}}</p>{{/statusNote}}
        {{#description}}<p>{{description}}</p>{{/description}}
        <dl class="facts">
        {{#parent}}<dt>Parent</dt><dd><a href="{{href}}">{{reference}}</a></dd>{{/parent}}
        {{^empty(labels)}}<dt>Labels</dt><dd>{{#labels}}<span class="label">{{key}}={{value}}</span> {{/labels}}</dd>{{/empty(labels)}}
        {{#git}}<dt>Commit</dt><dd><code>{{commit}}</code>{{#branch}} on {{branch}}{{/branch}}{{#dirty}} <span class="forced">dirty</span>{{/dirty}} · {{author}} · {{committed}}<br>{{message}}{{^empty(changedPaths)}}<br>Uncommitted: {{#changedPaths}}<code>{{.}}</code> {{/changedPaths}}{{/empty(changedPaths)}}</dd>{{/git}}
        </dl>
        {{#releases}}<section aria-labelledby="actions-heading">
        <h2 id="actions-heading">Release</h2>
        <form class="action" method="post" action="/ui/actions/promote">
        <input type="hidden" name="form_key" value="{{formKey}}"><input type="hidden" name="ref" value="{{reference}}"><input type="hidden" name="step" value="check">
        <label for="promote-to">Promote to</label><input id="promote-to" name="to" value="production" required>
        <label for="promote-reason">Reason</label><input id="promote-reason" name="reason">
        <button type="submit" id="check-gates">Check the gates</button>
        </form>
        {{^deprecated}}<form class="action" method="post" action="/ui/actions/deprecate">
        <input type="hidden" name="form_key" value="{{formKey}}"><input type="hidden" name="ref" value="{{reference}}">
        <label for="deprecate-reason">Why deprecate it</label><input id="deprecate-reason" name="reason" required>
        <button type="submit">Deprecate</button>
        </form>{{/deprecated}}
        </section>{{/releases}}
        <form class="search" method="get" action="/ui/diff">
        <input type="hidden" name="b" value="{{reference}}">
        <label for="compare-with">Compare with</label><input id="compare-with" name="a" value="{{compareWith}}" required>
        <button type="submit">Compare</button>
        </form>
        <section aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        {{^empty(metrics)}}<table class="data"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th></tr></thead><tbody>
        {{#metrics}}<tr><td>{{name}}</td><td class="num">{{value}}</td></tr>
        {{/metrics}}</tbody></table>{{/empty(metrics)}}
        {{^metrics}}<p>None recorded.</p>{{/metrics}}
        </section>
        <section aria-labelledby="evaluations-heading">
        <h2 id="evaluations-heading">Evaluations</h2>
        {{^empty(evaluations)}}<table class="data"><thead><tr><th scope="col">Dataset</th><th scope="col">Metric</th><th scope="col" class="num">Value</th><th scope="col">95% interval</th><th scope="col">When</th></tr></thead><tbody>
        {{#evaluations}}{{#metrics}}<tr><td>{{dataset}}</td><td>{{name}}</td><td class="num">{{value}}</td><td>{{interval}}</td><td>{{when}}</td></tr>
        {{/metrics}}{{/evaluations}}</tbody></table>{{/empty(evaluations)}}
        {{^evaluations}}<p>No evaluation recorded.</p>{{/evaluations}}
        {{#evaluations}}{{#slices}}<h3>By group: {{title}}</h3>
        <table class="data slices"><thead><tr><th scope="col">Group</th><th scope="col" class="num">Examples</th>{{#metricNames}}<th scope="col" class="num">{{.}}</th>{{/metricNames}}<th scope="col" class="num">Positive rate</th></tr></thead><tbody>
        {{#groups}}<tr><td>{{value}}</td><td class="num">{{count}}</td>{{#metrics}}<td class="num">{{.}}</td>{{/metrics}}<td class="num">{{positiveRate}}</td></tr>
        {{/groups}}<tr class="gap"><th scope="row">Largest gap</th><td></td>{{#gaps}}<td class="num">{{.}}</td>{{/gaps}}<td class="num">{{#disparateImpact}}impact ratio {{disparateImpact}}{{/disparateImpact}}</td></tr>
        </tbody></table>{{/slices}}{{/evaluations}}
        </section>
        <section aria-labelledby="drift-heading">
        <h2 id="drift-heading">Drift reports</h2>
        {{^empty(drift)}}<table class="data" id="drift-reports"><thead><tr><th scope="col">Report</th><th scope="col">Recorded</th><th scope="col">By</th><th scope="col">Against</th><th scope="col">Data</th><th scope="col" class="num">Rows</th><th scope="col">Verdict</th></tr></thead><tbody>
        {{#drift}}<tr><td><a href="{{href}}">#{{id}}</a></td><td>{{when}}</td><td>{{by}}</td><td>{{against}}</td><td><code>{{data}}</code></td><td class="num">{{rows}}</td><td>{{#drifted}}<span class="verdict failed">{{verdict}}</span> {{flagged}}{{/drifted}}{{^drifted}}<span class="verdict passed">{{verdict}}</span>{{/drifted}}</td></tr>
        {{/drift}}</tbody></table>{{/empty(drift)}}
        {{^drift}}<p>None recorded. <code>mreg drift {{reference}} --data PATH --record</code> keeps one.</p>{{/drift}}
        {{#olderDrift}}<p><a href="{{olderDrift}}">Older reports</a></p>{{/olderDrift}}
        </section>
        <section aria-labelledby="lineage-heading">
        <h2 id="lineage-heading">Lineage</h2>
        <div class="graph">{{{lineage}}}</div>
        </section>
        <section aria-labelledby="params-heading">
        <h2 id="params-heading">Parameters</h2>
        {{{params}}}
        </section>
        <section aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        <table class="data sortable"><thead><tr><th scope="col">Path</th><th scope="col" class="num">Size</th><th scope="col">SHA-256</th></tr></thead><tbody>
        {{#files}}<tr><td><code>{{path}}</code>{{#executable}} <span class="label">executable</span>{{/executable}}</td><td class="num" data-sort="{{bytes}}">{{size}}</td><td><code class="digest">{{digest}}</code></td></tr>
        {{/files}}</tbody></table>
        </section>
        <section aria-labelledby="datasets-heading">
        <h2 id="datasets-heading">Datasets</h2>
        {{^empty(datasets)}}<table class="data"><thead><tr><th scope="col">Role</th><th scope="col">Source</th><th scope="col" class="num">Files</th><th scope="col" class="num">Size</th><th scope="col">Fingerprint</th></tr></thead><tbody>
        {{#datasets}}<tr><td>{{role}}</td><td><code>{{source}}</code></td><td class="num">{{files}}</td><td class="num">{{size}}</td><td><code class="digest">{{digest}}</code></td></tr>
        {{/datasets}}</tbody></table>{{/empty(datasets)}}
        {{^datasets}}<p>No dataset recorded.</p>{{/datasets}}
        {{#tables}}<h3>{{role}}: <code>{{path}}</code> ({{summary}})</h3>
        <table class="data columns"><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col" class="num">Missing</th><th scope="col" class="num">Distinct</th><th scope="col" class="num">Min</th><th scope="col" class="num">Mean</th><th scope="col" class="num">Max</th><th scope="col" class="num">Std</th><th scope="col">Most common</th></tr></thead><tbody>
        {{#columns}}<tr><td><code>{{name}}</code></td><td>{{type}}</td><td class="num">{{missing}}</td><td class="num">{{distinct}}</td><td class="num">{{min}}</td><td class="num">{{mean}}</td><td class="num">{{max}}</td><td class="num">{{std}}</td><td>{{top}}</td></tr>
        {{/columns}}</tbody></table>{{/tables}}
        </section>
        <section aria-labelledby="signatures-heading">
        <h2 id="signatures-heading">Signatures</h2>
        {{^empty(signatures)}}<table class="data"><thead><tr><th scope="col">Key</th><th scope="col">Verdict</th><th scope="col">Signed</th><th scope="col">By</th></tr></thead><tbody>
        {{#signatures}}<tr><td>{{key}} <code>{{fingerprint}}</code></td><td><span class="verdict {{state}}">{{state}}</span></td><td>{{when}}</td><td>{{by}}</td></tr>
        {{/signatures}}</tbody></table>{{/empty(signatures)}}
        {{^signatures}}<p>Not signed.</p>{{/signatures}}
        </section>

        """
}
