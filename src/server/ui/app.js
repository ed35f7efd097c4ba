// gpen web UI: plain JavaScript over the server's JSON API (docs/server.md). The restore
// controls are built from GET /v1/params (the library's parameter table), so a new parameter
// appears here without being typed again.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { table: [], presets: {}, file: null, beforeUrl: null, afterUrl: null, busy: false, again: false,
                timer: null, job: null };

// ---- HTTP --------------------------------------------------------------------------------
function authHeaders() {
  const key = localStorage.getItem('gpen-api-key');
  return key ? { Authorization: 'Bearer ' + key } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...authHeaders(), ...(options.headers || {}) } });
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error.message; } catch (e) { /* not JSON */ }
    if (response.status === 401) askForKey();
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response;
}

function askForKey() {
  const key = window.prompt('This server needs an API key:');
  if (key) localStorage.setItem('gpen-api-key', key);
}

function showBanner(text) {
  $('banner').textContent = text;
  $('banner').hidden = !text;
}

// ---- Tabs --------------------------------------------------------------------------------
function selectTab(name) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.id === 'tab-' + name;
    tab.setAttribute('aria-selected', String(selected));
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
  if (name === 'models') loadModels();
}

// ---- Restore controls, from the parameter table -------------------------------------------
function label(name) {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function buildControls() {
  const box = $('param-controls');
  box.textContent = '';
  for (const p of state.table.filter((p) => p.group === 'restore')) {
    const id = 'param-' + p.name;
    const wrap = document.createElement('div');
    wrap.className = 'param';
    const lab = document.createElement('label');
    lab.htmlFor = id;
    lab.textContent = label(p.name);
    lab.title = p.doc;
    let input;
    if (p.kind === 'choice') {
      input = document.createElement('select');
      for (const c of p.choices) input.add(new Option(c, c));
    } else if (p.kind === 'bool') {
      input = document.createElement('input');
      input.type = 'checkbox';
      lab.className = 'check';
    } else if ((p.kind === 'float' || p.kind === 'int') && p.max - p.min <= 1000) {
      input = document.createElement('input');
      input.type = 'range';
      input.min = p.min;
      input.max = p.max;
      input.step = p.kind === 'int' ? 1 : (p.max - p.min > 10 ? 1 : 0.1);
      const out = document.createElement('output');
      out.id = id + '-value';
      out.htmlFor = id;
      input.addEventListener('input', () => { out.value = input.value; });
      lab.append(' ', out);
    } else {
      input = document.createElement('input');
      input.type = 'number';
      input.min = p.min;
      input.max = p.max;
      input.step = p.kind === 'int' ? 1 : 'any';
    }
    input.id = id;
    input.name = p.name;
    input.setAttribute('aria-label', label(p.name) + ': ' + p.doc);
    input.addEventListener(input.type === 'range' ? 'input' : 'change', () => {
      $('preset').value = '';
      scheduleRestore();
    });
    wrap.append(lab, input);
    const doc = document.createElement('small');
    doc.textContent = p.doc;
    wrap.append(doc);
    box.append(wrap);
    setControl(p, p.default);
  }
  const format = state.table.find((p) => p.name === 'format');
  for (const c of format.choices) $('format').add(new Option(c.toUpperCase(), c));
  $('format').value = format.default;
  $('preset').add(new Option('(custom)', ''));
  for (const name of Object.keys(state.presets)) $('preset').add(new Option(name, name));
  $('preset').value = 'natural' in state.presets ? 'natural' : '';
}

function setControl(p, value) {
  const input = $('param-' + p.name);
  if (!input) return;
  if (input.type === 'checkbox') input.checked = Boolean(value);
  else input.value = value;
  const out = $('param-' + p.name + '-value');
  if (out) out.value = input.value;
}

function applyPreset(name) {
  const values = state.presets[name];
  if (!values) return;
  for (const p of state.table.filter((p) => p.group === 'restore')) {
    if (p.name in values) setControl(p, values[p.name]);
  }
  scheduleRestore();
}

// The restore parameters as form fields, by their API names (the Python keywords).
function paramFields(form) {
  for (const p of state.table.filter((p) => p.group === 'restore')) {
    const input = $('param-' + p.name);
    form.append(p.name, input.type === 'checkbox' ? String(input.checked) : input.value);
  }
  form.append('format', $('format').value);
  return form;
}

// ---- Restore one photo --------------------------------------------------------------------
function pickPhoto(file) {
  if (!file) return;
  state.file = file;
  if (state.beforeUrl) URL.revokeObjectURL(state.beforeUrl);
  state.beforeUrl = URL.createObjectURL(file);
  $('before-img').src = state.beforeUrl;
  scheduleRestore(0);
}

function scheduleRestore(delay = 350) {
  if (!state.file) return;
  clearTimeout(state.timer);
  state.timer = setTimeout(runRestore, delay);
}

function base64ToBlob(text, type) {
  const bytes = atob(text);
  const array = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
  return new Blob([array], { type });
}

async function runRestore() {
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  $('restore-status').textContent = 'Restoring…';
  const started = performance.now();
  try {
    const form = paramFields(new FormData());
    form.append('image', state.file, state.file.name);
    const response = await api('/v1/restore?response=json', { method: 'POST', body: form });
    const result = await response.json();
    const blob = base64ToBlob(result.image, result.content_type);
    if (state.afterUrl) URL.revokeObjectURL(state.afterUrl);
    state.afterUrl = URL.createObjectURL(blob);
    await new Promise((resolve) => { $('after-img').onload = resolve; $('after-img').src = state.afterUrl; });
    $('compare').hidden = false;
    drawFaces(result.faces);
    fitBefore();
    const stem = state.file.name.replace(/\.[^.]*$/, '');
    $('download').href = state.afterUrl;
    $('download').download = stem + '-restored.' + result.format;
    $('download').hidden = false;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const faces = result.faces.length;
    $('restore-status').textContent = `Restored ${faces} face${faces === 1 ? '' : 's'} in ${seconds} s ` +
      `(server ${result.time_ms} ms, ${result.width}×${result.height}, model ${result.model}).`;
  } catch (e) {
    $('restore-status').textContent = 'Could not restore: ' + e.message;
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; scheduleRestore(0); }
  }
}

function drawFaces(faces) {
  const svg = $('face-boxes');
  const before = $('before-img');
  svg.setAttribute('viewBox', `0 0 ${before.naturalWidth || 1} ${before.naturalHeight || 1}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.textContent = '';
  for (const f of faces) {
    const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    r.setAttribute('x', f.box[0]);
    r.setAttribute('y', f.box[1]);
    r.setAttribute('width', f.box[2]);
    r.setAttribute('height', f.box[3]);
    svg.append(r);
  }
  svg.style.display = $('show-faces').checked ? '' : 'none';
}

// The original is drawn at the restored image's displayed size, clipped at the slider.
function fitBefore() {
  const width = $('after-img').clientWidth;
  $('before-img').style.width = width + 'px';
  $('before-clip').style.width = $('compare-slider').value + '%';
}

// ---- Batch --------------------------------------------------------------------------------
// A file's progress or outcome; videos count frames.
function fileNote(f) {
  if (f.kind === 'video') {
    if (f.state === 'done') return `${f.frames_done} frames, ${f.faces || 0} faces`;
    if (f.frames_done > 0) return `frame ${f.frames_done}` + (f.frames_total > 0 ? ` of ${f.frames_total}` : '');
    return '';
  }
  return f.state === 'done' ? `${f.faces || 0} faces` : '';
}

function batchRows(files) {
  const body = $('batch-files-table').querySelector('tbody');
  body.textContent = '';
  for (const f of files) {
    const row = body.insertRow();
    row.insertCell().textContent = f.name;
    const s = row.insertCell();
    s.textContent = f.state;
    s.className = f.state;
    row.insertCell().textContent = f.error || fileNote(f);
  }
  $('batch-files-table').hidden = files.length === 0;
}

function showJob(job) {
  $('batch-progress').max = Math.max(1, job.total);
  $('batch-progress').value = job.done;
  const eta = job.state === 'running' && job.eta_s > 0 ? `, about ${Math.ceil(job.eta_s)} s left` : '';
  $('batch-status').textContent = `${job.state}: ${job.done} of ${job.total} files, ${job.failed} failed, ` +
    `${job.faces} faces${eta}`;
  batchRows(job.files);
  const finished = ['done', 'failed', 'cancelled'].includes(job.state);
  $('batch-cancel').hidden = finished;
  $('batch-start').disabled = !finished || !$('batch-files').files.length;
  if (finished && job.result) {
    $('batch-download').hidden = false;
    $('batch-download').href = job.result;
    $('batch-download').download = 'gpen-' + job.id + '.zip';
  }
}

// Server-sent events read through fetch, so the API key header can go with them.
async function followJob(id) {
  const response = await api('/v1/jobs/' + id + '/events');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
      if (data) showJob(JSON.parse(data));
    }
  }
}

async function startBatch() {
  const files = $('batch-files').files;
  if (!files.length) return;
  $('batch-start').disabled = true;
  $('batch-download').hidden = true;
  $('batch-status').textContent = 'Uploading…';
  try {
    const form = paramFields(new FormData());
    for (const f of files) form.append('image', f, f.name);
    const response = await api('/v1/jobs', { method: 'POST', body: form });
    const job = await response.json();
    state.job = job.id;
    $('batch-cancel').hidden = false;
    await followJob(job.id);
  } catch (e) {
    $('batch-status').textContent = 'The batch could not run: ' + e.message;
    $('batch-start').disabled = false;
  }
}

async function cancelBatch() {
  if (!state.job) return;
  try {
    await api('/v1/jobs/' + state.job, { method: 'DELETE' });
  } catch (e) {
    $('batch-status').textContent = 'Could not cancel: ' + e.message;
  }
}

// ---- Models & settings --------------------------------------------------------------------
function megabytes(bytes) {
  return bytes < 1048576 ? Math.ceil(bytes / 1024) + ' KiB' : (bytes / 1048576).toFixed(1) + ' MiB';
}

async function loadModels() {
  try {
    const list = await (await api('/v1/models')).json();
    const body = $('models-table').querySelector('tbody');
    body.textContent = '';
    for (const m of list.models) {
      const row = body.insertRow();
      row.insertCell().textContent = m.name;
      row.insertCell().textContent = m.size ? m.size + ' px' : '';
      row.insertCell().textContent = m.bytes ? megabytes(m.bytes) : '';
      const notes = row.insertCell();
      if (m.error) { notes.textContent = m.error; notes.className = 'warning'; }
      else if (m.random_weights) { notes.textContent = 'random weights: a test model, its faces are noise'; notes.className = 'warning'; }
      else if (m.name === 'classic') notes.textContent = 'no network: sharpening and denoising of the faces';
      const use = row.insertCell();
      if (m.current) use.textContent = 'in use';
      else if (!m.error) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = 'Use';
        b.setAttribute('aria-label', 'Use ' + m.name);
        b.addEventListener('click', () => switchModel({ name: m.name }));
        use.append(b);
      }
    }
    state.current = list.current;
    $('opt-device').value = list.options.device;
    $('opt-precision').value = list.options.precision;
    $('opt-max_batch').value = list.options.max_batch;
    const memory = $('memory');
    memory.textContent = '';
    const add = (k, v) => { const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; memory.append(dt, dd); };
    add('Server process (RSS)', megabytes(list.memory.resident_bytes));
    if (list.memory.device_memory) {
      add('Device, in tensors', megabytes(list.memory.allocated_bytes));
      add('Device, reserved', megabytes(list.memory.reserved_bytes));
      add('Device, total', megabytes(list.memory.total_bytes));
    } else add('Device memory', 'not tracked on the CPU');
  } catch (e) {
    $('models-status').textContent = 'Could not list the models: ' + e.message;
  }
}

async function switchModel(body) {
  $('models-status').textContent = 'Loading ' + body.name + '…';
  try {
    await api('/v1/model', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    $('models-status').textContent = 'Now using ' + body.name + '.';
    await loadModels();
    await loadHealth();
  } catch (e) {
    $('models-status').textContent = 'Could not switch: ' + e.message;
  }
}

async function loadHealth() {
  const health = await (await fetch('/health')).json();
  $('version').textContent = 'gpen ' + health.version + ' · ' + (health.model ? health.model.name : 'classic path') +
    ' on ' + health.device;
  if (health.model && health.model.random_weights) {
    showBanner('The server runs a random-weight test model: restored faces will be noise. Pick real weights in Models & settings.');
  } else if (!health.model) {
    showBanner('No GPEN model loaded: faces go through the classic path (sharpening and denoising, not a network).');
  } else showBanner('');
}

// ---- Start --------------------------------------------------------------------------------
function dropZone(zone, input, onFiles) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    input.files = e.dataTransfer.files;
    onFiles();
  });
}

async function start() {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.addEventListener('click', () => selectTab(tab.id.slice(4)));
  }
  const params = await (await fetch('/v1/params', { headers: authHeaders() })).json();
  if (params.error) { showBanner(params.error.message); return; }
  state.table = params.params;
  state.presets = params.presets;
  buildControls();
  const precision = state.table.find((p) => p.name === 'precision');
  for (const c of precision.choices) $('opt-precision').add(new Option(c.toUpperCase(), c));
  $('preset').addEventListener('change', () => applyPreset($('preset').value));
  $('format').addEventListener('change', () => scheduleRestore());
  $('show-faces').addEventListener('change', () => {
    $('face-boxes').style.display = $('show-faces').checked ? '' : 'none';
  });
  $('compare-slider').addEventListener('input', fitBefore);
  window.addEventListener('resize', fitBefore);
  $('restore-file').addEventListener('change', () => pickPhoto($('restore-file').files[0]));
  dropZone($('drop-restore'), $('restore-file'), () => pickPhoto($('restore-file').files[0]));
  const batchPicked = () => { $('batch-start').disabled = !$('batch-files').files.length; };
  $('batch-files').addEventListener('change', batchPicked);
  dropZone($('drop-batch'), $('batch-files'), batchPicked);
  $('batch-start').addEventListener('click', startBatch);
  $('batch-cancel').addEventListener('click', cancelBatch);
  $('settings-apply').addEventListener('click', () => switchModel({
    name: state.current, device: $('opt-device').value, precision: $('opt-precision').value,
    max_batch: $('opt-max_batch').value }));
  await loadHealth();
  document.body.dataset.ready = 'true';
}

start().catch((e) => showBanner('The UI could not start: ' + e.message));
