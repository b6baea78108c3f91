// The example single-page app: log in, page through the companies, open a company's
// delegations, grant and revoke. Plain DOM, no framework, no build step; every text from the
// API goes through textContent, never through HTML.
import { RequestError, request } from "./graphql.js";

const PAGE_SIZE = 20;
const $ = (selector) => document.querySelector(selector);
const state = { cursors: [null], page: 0, company: null };

function show(view) {
  for (const id of ["log-in-view", "dashboard-view", "company-view"]) {
    $(`#${id}`).hidden = id !== view;
  }
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  row.append(td);
  return td;
}

function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
}

// Each userError names the input field at fault: its message goes next to that field, or under
// the form when the field has no place of its own.
function showUserErrors(form, userErrors) {
  for (const error of userErrors) {
    const path = error.field ?? [];
    const name = path[0] === "services" ? "services" : path.at(-1) ?? "";
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`)
      ?? form.querySelector('[data-error-for=""]');
    slot.textContent = `${slot.textContent} ${error.message} (${error.code})`.trim();
  }
}

function showRequestError(form, error) {
  const slot = form.querySelector('[data-error-for=""]');
  slot.textContent = error instanceof RequestError ? error.message : "Le service ne répond pas.";
}

async function logIn(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const input = { email: form.email.value, password: form.password.value };
  try {
    const { logIn: payload } = await request("LogIn", { input });
    if (payload.userErrors.length) return showUserErrors(form, payload.userErrors);
    form.password.value = "";
    const { firstName, lastName, email } = payload.account;
    $("#who").textContent = `${firstName} ${lastName} (${email})`;
    $("#who").hidden = $("#log-out").hidden = false;
    state.cursors = [null];
    state.page = 0;
    await loadDashboard();
  } catch (error) {
    showRequestError(form, error);
  }
}

async function logOut() {
  await request("LogOut").catch(() => undefined);
  $("#who").hidden = $("#log-out").hidden = true;
  show("log-in-view");
}

async function loadDashboard() {
  const after = state.cursors[state.page];
  const { viewer } = await request("Dashboard", { first: PAGE_SIZE, after });
  if (!viewer) return show("log-in-view");
  const { totalCount, pageInfo, edges } = viewer.companies;
  state.cursors[state.page + 1] = pageInfo.endCursor;
  const body = $("#companies");
  body.replaceChildren();
  edges.forEach(({ node }, index) => {
    const row = document.createElement("tr");
    row.className = "link";
    row.dataset.companyId = node.id;
    cell(row, String(state.page * PAGE_SIZE + index + 1));
    cell(row, node.siren ?? node.idsp);
    cell(row, node.name);
    cell(row, node.myRole);
    cell(row, node.services.map((access) => access.service.code).join(", "));
    row.addEventListener("click", () => openCompany(node.id));
    body.append(row);
  });
  const pages = Math.max(1, Math.ceil(totalCount / PAGE_SIZE));
  $("#company-count").textContent = `(${totalCount})`;
  $("#page-info").textContent = `Page ${state.page + 1} sur ${pages}`;
  $("#previous-page").disabled = $("#first-page").disabled = state.page === 0;
  $("#next-page").disabled = !pageInfo.hasNextPage;
  show("dashboard-view");
}

async function turnPage(step) {
  state.page = step === 0 ? 0 : state.page + step;
  await loadDashboard();
}

async function openCompany(id) {
  state.company = id;
  $("#company-error").textContent = "";
  clearErrors($("#grant-form"));
  const { node } = await request("CompanyDelegations", { id });
  $("#company-name").textContent = node ? node.name : "Entreprise introuvable";
  const services = $("#grant-form").serviceCode;
  services.replaceChildren(
    ...(node?.services ?? []).map(({ service }) => new Option(`${service.name} (${service.code})`, service.code)),
  );
  const body = $("#delegations");
  body.replaceChildren();
  for (const { node: delegation } of node?.delegations.edges ?? []) {
    const row = document.createElement("tr");
    row.dataset.delegationId = delegation.id;
    const { firstName, lastName, email } = delegation.delegate;
    cell(row, `${firstName} ${lastName} <${email}>`);
    cell(row, delegation.services.map((s) => `${s.service.code}: ${s.rights.join("/")}`).join(", "));
    cell(row, delegation.startsAt.slice(0, 10));
    cell(row, delegation.endsAt?.slice(0, 10));
    cell(row, delegation.status);
    const actions = cell(row, "");
    if (delegation.status === "ACTIVE" || delegation.status === "SCHEDULED") {
      const revoke = document.createElement("button");
      revoke.type = "button";
      revoke.textContent = "Révoquer";
      revoke.addEventListener("click", () => revokeDelegation(delegation.id));
      actions.append(revoke);
    }
    body.append(row);
  }
  show("company-view");
}

// A date field means midnight in the user's time zone, sent as an instant.
const instant = (value) => (value ? new Date(`${value}T00:00:00`).toISOString() : null);

async function grantDelegation(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const rights = [...form.querySelectorAll('input[name="rights"]:checked')].map((box) => box.value);
  const input = {
    companyId: state.company,
    delegateEmail: form.delegateEmail.value,
    services: [{ serviceCode: form.serviceCode.value, rights }],
    startsAt: instant(form.startsAt.value),
    endsAt: instant(form.endsAt.value),
  };
  try {
    const { grantDelegation: payload } = await request("GrantDelegation", { input });
    if (payload.userErrors.length) return showUserErrors(form, payload.userErrors);
    form.reset();
    await openCompany(state.company);
  } catch (error) {
    showRequestError(form, error);
  }
}

async function revokeDelegation(delegationId) {
  try {
    const { revokeDelegation: payload } = await request("RevokeDelegation", {
      input: { delegationId },
    });
    if (payload.userErrors.length) {
      $("#company-error").textContent = payload.userErrors.map((e) => e.message).join(" ");
      return;
    }
    await openCompany(state.company);
  } catch (error) {
    $("#company-error").textContent = error.message;
  }
}

$("#log-in-form").addEventListener("submit", logIn);
$("#grant-form").addEventListener("submit", grantDelegation);
$("#log-out").addEventListener("click", logOut);
$("#next-page").addEventListener("click", () => turnPage(1));
$("#previous-page").addEventListener("click", () => turnPage(-1));
$("#first-page").addEventListener("click", () => turnPage(0));
$("#back").addEventListener("click", loadDashboard);

// Already logged in (the session cookie is still valid): straight to the dashboard.
loadDashboard().catch(() => show("log-in-view"));
