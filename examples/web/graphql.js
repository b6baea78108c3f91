// A small GraphQL client for the gateway: documents from ./documents/<Name>.graphql, sent with
// the session cookie that logIn sets (HttpOnly: this code never sees the token).
const documents = new Map();

export class RequestError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join(" "));
    this.errors = errors;
  }
}

async function documentNamed(name) {
  if (!documents.has(name)) {
    const response = await fetch(`documents/${name}.graphql`);
    if (!response.ok) throw new Error(`document ${name} is missing`);
    documents.set(name, await response.text());
  }
  return documents.get(name);
}

export async function request(name, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
    },
    body: JSON.stringify({ query: await documentNamed(name), variables, operationName: name }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new RequestError(body.errors);
  return body.data;
}
