import type { AsyncApiChannel, AsyncApiDocument, AsyncApiMessage, JsonSchema } from '@storecredit/contracts';

/**
 * The AsyncAPI document as one plain HTML page: channels, their messages with field tables, headers, keys and
 * examples. Rendered on the server with no script and no style (the gateway's Content-Security-Policy allows neither
 * inline), and every text of the document escaped, so a description can never become markup.
 */
export function asyncApiPage(document: AsyncApiDocument, jsonPath: string): string {
  const messageIds = Object.keys(document.components.messages);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(document.info.title)}: Kafka contract</title></head>`,
    '<body>',
    `<header><h1>${text(document.info.title)}: Kafka contract</h1>`,
    `<p>AsyncAPI ${text(document.asyncapi)}, contract version ${text(document.info.version)}. The document: <a href="${text(jsonPath)}">${text(jsonPath)}</a>.</p>`,
    paragraphs(document.info.description),
    '</header>',
    '<nav><h2>Channels</h2><ul>',
    ...Object.entries(document.channels).map(([id, channel]) => `<li><a href="#channel-${text(id)}"><code>${text(channel.address)}</code></a>: ${text(channel.title)}</li>`),
    '</ul></nav>',
    '<main>',
    serversSection(document),
    operationsSection(document),
    ...Object.entries(document.channels).map(([id, channel]) => channelSection(id, channel)),
    '<h2 id="messages">Messages</h2>',
    ...messageIds.map((id) => messageSection(id, document.components.messages[id])),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Escapes text for an element or a quoted attribute. */
export function text(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => htmlEntities[character]);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Blank lines part paragraphs, lines starting "- " are list items and `backticks` code: the descriptions' only markup. */
function paragraphs(description: string | undefined): string {
  if (description === undefined) return '';
  return description
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      const items = lines.filter((line) => line.startsWith('- '));
      const prose = lines.filter((line) => !line.startsWith('- '));
      const list = items.length > 0 ? `<ul>${items.map((item) => `<li>${inline(item.slice(2))}</li>`).join('')}</ul>` : '';
      return `${prose.length > 0 ? `<p>${inline(prose.join(' '))}</p>` : ''}${list}`;
    })
    .join('\n');
}

/** Escapes first, so the code spans it then marks hold escaped text only. */
function inline(value: string): string {
  return text(value).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function serversSection(document: AsyncApiDocument): string {
  const rows = Object.entries(document.servers).map(
    ([id, server]) => `<tr><td>${text(id)}</td><td><code>${text(server.host)}</code></td><td>${text(server.protocol)}</td><td>${text(server.description)}</td></tr>`,
  );
  return ['<section id="servers"><h2>Servers</h2>', '<table><thead><tr><th>id</th><th>host</th><th>protocol</th><th>about</th></tr></thead><tbody>', ...rows, '</tbody></table></section>'].join('\n');
}

function operationsSection(document: AsyncApiDocument): string {
  const channelLink = (ref: string) => {
    const id = lastSegment(ref);
    return `<a href="#channel-${text(id)}"><code>${text(document.channels[id]?.address ?? id)}</code></a>`;
  };
  const rows = Object.entries(document.operations).map(([id, operation]) =>
    [
      `<tr><td>${text(id)}</td><td>${text(operation.action)}</td><td>${channelLink(operation.channel.$ref)}</td>`,
      `<td>${operation.reply === undefined ? '' : channelLink(operation.reply.channel.$ref)}</td><td>${text(operation.summary)}</td></tr>`,
    ].join(''),
  );
  return [
    '<section id="operations"><h2>Operations of the ledger</h2>',
    '<table><thead><tr><th>operation</th><th>action</th><th>channel</th><th>reply on</th><th>what</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ].join('\n');
}

function channelSection(id: string, channel: AsyncApiChannel): string {
  const links = Object.keys(channel.messages).map((messageId) => `<li><a href="#message-${text(messageId)}">${text(messageId)}</a></li>`);
  return [
    `<section id="channel-${text(id)}"><h2>Topic <code>${text(channel.address)}</code></h2>`,
    `<p><strong>${text(channel.title)}</strong>. ${text(channel.description)}</p>`,
    '<p>Messages:</p><ul>',
    ...links,
    '</ul></section>',
  ].join('\n');
}

function messageSection(id: string, message: AsyncApiMessage): string {
  const key = message.bindings.kafka.key;
  return [
    `<section id="message-${text(id)}"><h3>${text(message.title)}</h3>`,
    `<p>${text(message.summary)}</p>`,
    paragraphs(message.description),
    `<p>Content type: <code>${text(message.contentType)}</code>.</p>`,
    '<h4>Key</h4>',
    `<p>${text(key.description ?? '')}${key.pattern === undefined ? '' : ` Pattern: <code>${text(key.pattern)}</code>.`}</p>`,
    '<h4>Headers</h4>',
    fieldTable(message.headers),
    '<h4>Payload</h4>',
    paragraphs(message.payload.schema.description),
    fieldTable(message.payload.schema),
    message.examples.length > 0 ? '<h4>Examples</h4>' : '',
    ...message.examples.map(
      (example) =>
        `<h5>${text(example.name)}</h5><p>${text(example.summary)}</p><pre><code>${text(JSON.stringify({ headers: example.headers, payload: example.payload }, null, 2))}</code></pre>`,
    ),
    '</section>',
  ].join('\n');
}

interface Field {
  name: string;
  type: string;
  required: boolean;
  rules: string;
  description: string;
}

/** Nested objects past this depth are shown as "object" only; the contract's deepest field is at depth 3. */
const fieldDepthMax = 6;

function fieldTable(schema: JsonSchema): string {
  const fields = fieldsOf(schema, '', 0);
  if (fields.length === 0) return '<p>No fields.</p>';
  const rows = fields.map(
    (field) =>
      `<tr><td><code>${text(field.name)}</code></td><td>${text(field.type)}</td><td>${field.required ? 'yes' : 'no'}</td><td>${text(field.rules)}</td><td>${text(field.description)}</td></tr>`,
  );
  return ['<table><thead><tr><th>field</th><th>type</th><th>required</th><th>rules</th><th>about</th></tr></thead><tbody>', ...rows, '</tbody></table>'].join('\n');
}

/** The fields of an object schema, nested ones named by their path (`actor.kind`, `lots[].lotId`). */
function fieldsOf(schema: JsonSchema, prefix: string, depth: number): Field[] {
  if (depth > fieldDepthMax) return [];
  const required = new Set(schema.required ?? []);
  const fields: Field[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property === 'boolean') continue;
    const path = `${prefix}${name}`;
    fields.push({ name: path, type: typeOf(property), required: required.has(name), rules: rulesOf(property), description: property.description ?? '' });
    fields.push(...nestedFields(property, path, depth + 1));
  }
  return fields;
}

function nestedFields(schema: JsonSchema, path: string, depth: number): Field[] {
  if (schema.properties !== undefined) return fieldsOf(schema, `${path}.`, depth);
  if (isSchema(schema.items)) return nestedFields(schema.items, `${path}[]`, depth);
  const alternatives = schema.anyOf ?? schema.oneOf ?? [];
  const objects = alternatives.filter((alternative) => alternative.properties !== undefined);
  if (objects.length === 1) return fieldsOf(objects[0], `${path}.`, depth);
  return objects.flatMap((alternative, index) =>
    fieldsOf(alternative, `${path}.`, depth).map((field) => ({ ...field, rules: `in form ${index + 1} of ${objects.length}${field.rules ? `; ${field.rules}` : ''}` })),
  );
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return alternatives.map(typeOf).join(' | ');
  if (schema.type === 'array') return `array of ${isSchema(schema.items) ? typeOf(schema.items) : 'any'}`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

function rulesOf(schema: JsonSchema): string {
  const rules: string[] = [];
  if (schema.enum !== undefined) rules.push(`one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`);
  if (schema.pattern !== undefined) rules.push(`pattern ${schema.pattern}`);
  if (schema.format !== undefined) rules.push(`format ${schema.format}`);
  if (schema.minLength !== undefined) rules.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) rules.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined) rules.push(`at least ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) rules.push(`more than ${String(schema.exclusiveMinimum)}`);
  if (schema.maximum !== undefined) rules.push(`at most ${schema.maximum}`);
  if (schema.additionalProperties === false) rules.push('no other fields');
  return rules.join('; ');
}

function lastSegment(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}
