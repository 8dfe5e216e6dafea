// The reference app's front end. The index page loads it as Dash's renderer
// bundle and then runs `new DashRenderer()`. Like Dash's renderer, it reads
// the _dash-config block, fetches /_dash-layout and /_dash-dependencies,
// renders the component tree into #react-entry-point as plain DOM elements,
// and runs every server-side callback through POST /_dash-update-component
// with the body a Dash front end sends. Outputs update the page, and an
// output that is another callback's input runs that callback too.
//
// It supports dash_html_components (any tag, with id, className, href,
// target and title) and dash_core_components.Location, which provides
// pathname, search, hash and href. It does not support clientside callbacks,
// pattern-matching ids or loading states.
(function () {
  'use strict';

  // Callback chains longer than this stop, so that a cycle cannot loop.
  var maxChainDepth = 10;

  function readConfig() {
    var node = document.getElementById('_dash-config');
    var config = {};
    if (node) {
      try {
        config = JSON.parse(node.textContent);
      } catch (err) {
        console.error('invalid _dash-config block', err);
      }
    }
    var prefix = config.requests_pathname_prefix || config.url_base_pathname || '/';
    if (prefix.charAt(prefix.length - 1) !== '/') {
      prefix += '/';
    }
    return { prefix: prefix };
  }

  // Store keeps every component's props by id, with the element that
  // shows it.
  function Store() {
    this.props = {};
    this.elements = {};
  }

  Store.prototype.get = function (id, property) {
    var props = this.props[id];
    return props && property in props ? props[property] : null;
  };

  Store.prototype.set = function (id, property, value) {
    if (!this.props[id]) {
      this.props[id] = {};
    }
    this.props[id][property] = value;
    var element = this.elements[id];
    if (!element) {
      return;
    }
    if (property === 'children') {
      element.replaceChildren();
      appendChildren(element, value, this);
    } else if (property === 'className') {
      element.className = value || '';
    } else if (typeof value === 'string' || typeof value === 'number') {
      element.setAttribute(property, String(value));
    }
  };

  function isComponent(node) {
    return node !== null && typeof node === 'object' && !Array.isArray(node) &&
      typeof node.type === 'string' && typeof node.namespace === 'string';
  }

  function appendChildren(parent, children, store) {
    if (children === null || children === undefined) {
      return;
    }
    if (Array.isArray(children)) {
      children.forEach(function (child) { appendChildren(parent, child, store); });
      return;
    }
    if (isComponent(children)) {
      var element = renderComponent(children, store);
      if (element) {
        parent.appendChild(element);
      }
      return;
    }
    if (typeof children === 'object') {
      parent.appendChild(document.createTextNode(JSON.stringify(children)));
      return;
    }
    parent.appendChild(document.createTextNode(String(children)));
  }

  var htmlAttributes = ['href', 'target', 'title'];

  // renderComponent returns the element for a component, or null for one
  // that shows nothing, such as Location.
  function renderComponent(component, store) {
    var props = component.props || {};
    var id = typeof props.id === 'string' ? props.id : null;
    if (id !== null) {
      store.props[id] = Object.assign({}, props);
    }
    if (component.namespace === 'dash_core_components' && component.type === 'Location') {
      if (id !== null) {
        store.props[id].pathname = window.location.pathname;
        store.props[id].search = window.location.search;
        store.props[id].hash = window.location.hash;
        store.props[id].href = window.location.href;
      }
      return null;
    }
    if (component.namespace !== 'dash_html_components') {
      console.warn('unsupported component ' + component.namespace + '.' + component.type);
      return null;
    }
    var element = document.createElement(component.type.toLowerCase());
    if (id !== null) {
      element.id = id;
      store.elements[id] = element;
    }
    if (typeof props.className === 'string') {
      element.className = props.className;
    }
    htmlAttributes.forEach(function (name) {
      if (typeof props[name] === 'string') {
        element.setAttribute(name, props[name]);
      }
    });
    appendChildren(element, props.children, store);
    return element;
  }

  // parseOutputs splits "id.prop" or "..a.prop...b.prop.." into outputs.
  function parseOutputs(output) {
    var parts = [output];
    if (output.indexOf('..') === 0 && output.lastIndexOf('..') === output.length - 2) {
      parts = output.slice(2, -2).split('...');
    }
    return parts.map(function (part) {
      var dot = part.lastIndexOf('.');
      return { id: part.slice(0, dot), property: part.slice(dot + 1) };
    });
  }

  function Renderer(config) {
    this.config = config;
    this.store = new Store();
    this.callbacks = [];
  }

  Renderer.prototype.url = function (path) {
    return this.config.prefix + path.replace(/^\//, '');
  };

  Renderer.prototype.fetchJSON = function (path) {
    return fetch(this.url(path), {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(path + ' returned ' + response.status);
      }
      return response.json();
    });
  };

  Renderer.prototype.start = function () {
    var self = this;
    var root = document.getElementById('react-entry-point');
    return Promise.all([
      this.fetchJSON('/_dash-layout'),
      this.fetchJSON('/_dash-dependencies')
    ]).then(function (results) {
      var rendered = renderComponent(results[0], self.store);
      root.replaceChildren();
      if (rendered) {
        root.appendChild(rendered);
      }
      self.callbacks = results[1].filter(function (cb) { return !cb.clientside_function; });
      return Promise.all(self.callbacks.filter(function (cb) {
        return !cb.prevent_initial_call;
      }).map(function (cb) { return self.run(cb, 0); }));
    }).then(function () {
      root.setAttribute('data-dash-ready', 'true');
    }).catch(function (err) {
      console.error(err);
      root.replaceChildren(document.createTextNode('Error loading layout'));
      root.setAttribute('data-dash-error', String(err.message || err));
    });
  };

  // run sends one callback's request and applies its outputs. A 204 means
  // no update. Any other status that is not 2xx marks the outputs' elements
  // with data-callback-error, as Dash shows a callback error.
  Renderer.prototype.run = function (cb, depth) {
    var self = this;
    var outputs = parseOutputs(cb.output);
    var values = function (deps) {
      return (deps || []).map(function (dep) {
        return { id: dep.id, property: dep.property, value: self.store.get(dep.id, dep.property) };
      });
    };
    var body = {
      output: cb.output,
      outputs: outputs.length === 1 ? outputs[0] : outputs,
      inputs: values(cb.inputs),
      changedPropIds: (cb.inputs || []).map(function (dep) { return dep.id + '.' + dep.property; }),
      state: values(cb.state)
    };
    return fetch(this.url('/_dash-update-component'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-Requested-With': 'XMLHttpRequest'
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) {
        return null;
      }
      if (!response.ok) {
        outputs.forEach(function (out) {
          var element = self.store.elements[out.id];
          if (element) {
            element.setAttribute('data-callback-error', String(response.status));
          }
        });
        return null;
      }
      return response.json();
    }).then(function (answer) {
      if (!answer || !answer.response) {
        return null;
      }
      return self.apply(answer.response, depth);
    });
  };

  // apply stores the outputs of a callback response, then runs the
  // callbacks that take one of them as input.
  Renderer.prototype.apply = function (response, depth) {
    var self = this;
    var changed = [];
    Object.keys(response).forEach(function (id) {
      Object.keys(response[id]).forEach(function (property) {
        self.store.set(id, property, response[id][property]);
        changed.push(id + '.' + property);
      });
    });
    if (depth + 1 >= maxChainDepth) {
      return null;
    }
    var next = this.callbacks.filter(function (cb) {
      return (cb.inputs || []).some(function (dep) {
        return changed.indexOf(dep.id + '.' + dep.property) >= 0;
      });
    });
    return Promise.all(next.map(function (cb) { return self.run(cb, depth + 1); }));
  };

  window.DashRenderer = function DashRenderer() {
    var renderer = new Renderer(readConfig());
    renderer.start();
    return renderer;
  };
})();
