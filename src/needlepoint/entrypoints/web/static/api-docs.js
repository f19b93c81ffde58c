// The API's reference page (/api/v1/docs): reads the OpenAPI document from this site and lists
// every operation with its parameters, body and answers. Elements are built one by one and
// filled with textContent (no markup is parsed, no style is set, nothing comes from another
// site), so the page keeps the strict CSP.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function refName(schema) {
    if (!schema) return "";
    if (schema.$ref) return schema.$ref.split("/").pop();
    if (schema.type === "array") return refName(schema.items) + "[]";
    if (schema.anyOf) return schema.anyOf.map(refName).join(" | ");
    if (schema.allOf) return schema.allOf.map(refName).join(" & ");
    if (schema.enum) return "one of " + schema.enum.join(", ");
    return schema.type || (schema.format ? schema.format : "any");
  }

  function describedList(rows) {
    var list = el("dl", "api-fields");
    rows.forEach(function (row) {
      list.appendChild(el("dt", "", row[0]));
      list.appendChild(el("dd", "", row[1]));
    });
    return list;
  }

  function schemaFields(spec, schema) {
    var name = schema && schema.$ref ? schema.$ref.split("/").pop() : null;
    var found = name ? spec.components.schemas[name] : schema;
    if (!found || !found.properties) return null;
    var required = found.required || [];
    return describedList(Object.keys(found.properties).map(function (key) {
      var field = found.properties[key];
      var said = refName(field) + (required.indexOf(key) >= 0 ? ", required" : "");
      return [key, said + (field.description ? " — " + field.description : "")];
    }));
  }

  function operation(spec, path, method, op) {
    var section = el("section", "panel api-op");
    var title = el("h3");
    title.appendChild(el("span", "api-method api-method-" + method, method.toUpperCase()));
    title.appendChild(document.createTextNode(" "));
    title.appendChild(el("code", "", path));
    section.appendChild(title);
    if (op.summary) section.appendChild(el("p", "api-summary", op.summary));
    if (op.description) section.appendChild(el("p", "api-description", op.description));
    var params = op.parameters || [];
    if (params.length) {
      section.appendChild(el("h4", "", "Parameters"));
      section.appendChild(describedList(params.map(function (p) {
        return [p.name, p.in + ", " + refName(p.schema) + (p.required ? ", required" : "")];
      })));
    }
    var body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (body) {
      section.appendChild(el("h4", "", "Body: " + refName(body.schema)));
      var fields = schemaFields(spec, body.schema);
      if (fields) section.appendChild(fields);
    }
    section.appendChild(el("h4", "", "Answers"));
    section.appendChild(describedList(Object.keys(op.responses || {}).map(function (status) {
      var answer = op.responses[status];
      var content = answer.content || {};
      var type = Object.keys(content)[0];
      var shape = type ? " (" + type + ": " + refName(content[type].schema) + ")" : "";
      return [status, (answer.description || "") + shape];
    })));
    return section;
  }

  function render(spec, target) {
    target.textContent = "";
    target.appendChild(el("p", "api-version", spec.info.title + " " + spec.info.version));
    var byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "other";
        (byTag[tag] = byTag[tag] || []).push(operation(spec, path, method, op));
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      target.appendChild(el("h2", "", tag));
      byTag[tag].forEach(function (section) { target.appendChild(section); });
    });
  }

  function start() {
    var target = document.getElementById("api-operations");
    if (!target) return;
    fetch(target.getAttribute("data-spec"), { credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("the API document answered " + answer.status);
        return answer.json();
      })
      .then(function (spec) { render(spec, target); })
      .catch(function (error) { target.textContent = "Could not read the API document: " + error.message; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
