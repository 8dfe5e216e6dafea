// Minimal stand-in for Dash's renderer. It draws the layout from
// /_dash-layout and fills each callback output from /_dash-update-component.
// The browser resends the page's Basic credentials with these requests.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("_dash-config").textContent);
  const prefix = config.requests_pathname_prefix || "/";
  const tags = { Div: "div", H1: "h1", P: "p" };

  function render(node) {
    const tag = tags[node.type];
    if (!tag) {
      return null;
    }
    const element = document.createElement(tag);
    element.id = node.props.id || "";
    const children = node.props.children;
    if (Array.isArray(children)) {
      children.map(render).filter(Boolean).forEach((child) => element.appendChild(child));
    } else if (children != null) {
      element.textContent = String(children);
    }
    return element;
  }

  async function runCallback(dependency) {
    const dot = dependency.output.lastIndexOf(".");
    const componentId = dependency.output.slice(0, dot);
    const property = dependency.output.slice(dot + 1);
    const body = {
      output: dependency.output,
      outputs: { id: componentId, property: property },
      inputs: [{ id: "url", property: "pathname", value: window.location.pathname }],
      changedPropIds: ["url.pathname"],
      state: [],
    };
    const response = await fetch(prefix + "_dash-update-component", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) {
      return;
    }
    const result = await response.json();
    const element = document.getElementById(componentId);
    if (element) {
      element.textContent = String(result.response[componentId][property]);
    }
  }

  async function start() {
    const layout = await (await fetch(prefix + "_dash-layout")).json();
    const root = document.getElementById("react-entry-point");
    root.replaceChildren(render(layout));
    const dependencies = await (await fetch(prefix + "_dash-dependencies")).json();
    await Promise.all(dependencies.map(runCallback));
  }

  start();
})();
