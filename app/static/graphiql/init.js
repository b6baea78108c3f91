// Starts GraphiQL on the page served by the gateway (app/ide.py). No inline script: the page's
// Content-Security-Policy allows scripts from the gateway's own origin only.
const page = document.getElementById("graphiql");
const endpoint = page.dataset.endpoint;
const tabs = JSON.parse(document.getElementById("graphiql-tabs").textContent);

// Same-origin requests carry the session cookie that logIn sets, so a log-in in one tab
// authenticates the others.
const send = GraphiQL.createFetcher({
  url: endpoint,
  fetch: (url, options) => window.fetch(url, { ...options, credentials: "same-origin" }),
});

// GraphiQL 3 can send the operation name of the previously active tab for a tab that has not
// been edited yet; a name the document does not define would be refused, so leave it out then.
const defines = (query, name) =>
  new RegExp(`\\b(query|mutation|subscription)\\s+${name}\\b`).test(query);
const fetcher = (params, options) => {
  if (params.operationName && !defines(params.query, params.operationName)) {
    const { operationName, ...rest } = params;
    return send(rest, options);
  }
  return send(params, options);
};

ReactDOM.createRoot(page).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    defaultTabs: tabs.length ? tabs : undefined,
    shouldPersistHeaders: false,
  }),
);
