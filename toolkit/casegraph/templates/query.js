// casegraph serve: the query page's script. It sends the query to this server's own SPARQL
// endpoint and shows the answer as text (never as HTML): a table for SELECT and ASK, the Turtle
// of a CONSTRUCT or DESCRIBE. It loads nothing else.
"use strict";

const ID = "https://w3id.org/casegraph/id/";

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && term.value.startsWith(ID)) {
    const link = document.createElement("a");
    link.href = "/id/" + term.value.slice(ID.length).split("/").map(encodeURIComponent).join("/");
    link.textContent = term.value;
    td.append(link);
  } else {
    td.textContent = term.value;
  }
  return td;
}

function show(table, answer) {
  const head = document.createElement("tr");
  const vars = "boolean" in answer ? ["answer"] : answer.head.vars;
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.append(th);
  }
  table.append(head);
  const rows = "boolean" in answer ? [{ answer: { type: "literal", value: String(answer.boolean) } }] : answer.results.bindings;
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const name of vars) tr.append(cell(row[name]));
    table.append(tr);
  }
  return rows.length;
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("form");
  const table = document.getElementById("results");
  const graph = document.getElementById("graph");
  const status = document.getElementById("status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    table.replaceChildren();
    graph.textContent = "";
    status.textContent = "running…";
    try {
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        headers: { Accept: "application/sparql-results+json, text/turtle;q=0.5" },
        body: new URLSearchParams({ query: document.getElementById("query").value }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        status.textContent = `${response.status}: ${await response.text()}`;
      } else if (type.startsWith("application/sparql-results+json")) {
        const count = show(table, await response.json());
        status.textContent = `${count} row${count === 1 ? "" : "s"}`;
      } else {
        graph.textContent = await response.text();
        status.textContent = "done";
      }
    } catch (error) {
      status.textContent = String(error);
    }
  });
});
