type Json = Record<string, unknown>;

/**
 * Draws an ASL definition as a Mermaid flowchart: states as nodes (shape by type), Next as arrows, Choice
 * rules labelled, Catch as dotted arrows labelled with the errors, Retry as a note on the state,
 * Parallel branches and Map iterations as subgraphs.
 */
export function toMermaid(
  definition: { StartAt: string; States: Record<string, unknown> },
  title?: string,
): string {
  const lines: string[] = [];
  if (title) lines.push('---', `title: ${title}`, '---');
  lines.push('flowchart TD');
  const ids = new Map<string, string>();
  // States and the start/end circles have separate keys, so a state may be called anything.
  const id = (scope: string, name: string, circle = false) => {
    const key = `${scope}/${circle ? 'circle' : 'state'}:${name}`;
    let found = ids.get(key);
    if (!found) {
      found = `s${ids.size}`;
      ids.set(key, found);
    }
    return found;
  };
  drawScope(definition, 'root', '  ', lines, id);
  lines.push(
    '  classDef task fill:#e8f0fe,stroke:#4a6fd1;',
    '  classDef failure fill:#fde8e8,stroke:#c53030;',
  );
  return `${lines.join('\n')}\n`;
}

type IdOf = (scope: string, name: string, circle?: boolean) => string;

function drawScope(
  scope: { StartAt?: unknown; States?: unknown },
  scopeKey: string,
  indent: string,
  lines: string[],
  id: IdOf,
) {
  const states = (scope.States ?? {}) as Record<string, Json>;
  const start = id(scopeKey, 'start', true);
  lines.push(`${indent}${start}(( ))`);
  if (typeof scope.StartAt === 'string') lines.push(`${indent}${start} --> ${id(scopeKey, scope.StartAt)}`);
  for (const [name, state] of Object.entries(states)) {
    const node = id(scopeKey, name);
    lines.push(`${indent}${node}${shape(name, state)}`);
    const edge = (target: unknown, label?: string, dotted = false) => {
      if (typeof target !== 'string') return;
      const arrow = dotted ? '-.->' : '-->';
      lines.push(
        `${indent}${node} ${arrow}${label ? `|${escapeLabel(label)}|` : ''} ${id(scopeKey, target)}`,
      );
    };
    edge(state.Next);
    if (state.End === true) {
      lines.push(`${indent}${node} --> ${id(scopeKey, 'end', true)}(((end)))`);
    }
    for (const [i, rule] of ((state.Choices ?? []) as Json[]).entries())
      edge(rule.Next, describeRule(rule, i));
    edge(state.Default, 'otherwise');
    for (const c of (state.Catch ?? []) as Json[])
      edge(c.Next, `catch ${(c.ErrorEquals as string[]).join(', ')}`, true);
    const branches = Array.isArray(state.Branches) ? (state.Branches as Json[]) : [];
    const processor = state.ItemProcessor as Json | undefined;
    const children = processor ? [processor] : branches;
    children.forEach((child, i) => {
      const childKey = `${scopeKey}/${name}/${i}`;
      lines.push(
        `${indent}subgraph ${node}_${i}["${escapeLabel(processor ? `${name}: each item` : `${name}: branch ${i + 1}`)}"]`,
      );
      drawScope(child, childKey, `${indent}  `, lines, id);
      lines.push(`${indent}end`);
      lines.push(`${indent}${node} -.- ${node}_${i}`);
    });
    if (['Task', 'Parallel', 'Map'].includes(String(state.Type))) lines.push(`${indent}class ${node} task;`);
    if (state.Type === 'Fail') lines.push(`${indent}class ${node} failure;`);
  }
}

function shape(name: string, state: Json): string {
  const retry = ((state.Retry ?? []) as Json[])
    .map((r) => `retry ${errorList(r.ErrorEquals as string[])} ×${r.MaxAttempts ?? 3}`)
    .join('<br/>');
  const kind = kindLabel(state);
  const label =
    escapeLabel(`${name}`) +
    `<br/><small>${escapeLabel(kind)}</small>` +
    (retry ? `<br/><small>${escapeLabel(retry)}</small>` : '');
  switch (state.Type) {
    case 'Choice':
      return `{"${label}"}`;
    case 'Succeed':
    case 'Fail':
      return `(["${label}"])`;
    default:
      return `["${label}"]`;
  }
}

function kindLabel(state: Json): string {
  const resource = String(state.Resource ?? '');
  const callback = resource.endsWith('.waitForTaskToken') ? ' · callback' : '';
  if (resource.includes(':lambda:invoke')) return `Lambda${callback}`;
  if (resource.includes(':ecs:runTask')) return `ECS Fargate${callback}`;
  if (resource.includes(':states:startExecution')) return 'Start workflow';
  // Service integrations: `arn:aws:states:::sns:publish`, `…:::aws-sdk:s3:getObject` → `sns publish`, `s3 getObject`.
  const service = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+):([A-Za-z]+)/.exec(resource);
  if (service) return `${service[1]} ${service[2]}${callback}`;
  if (state.Type === 'Map')
    return `Map (${String((state.ItemProcessor as Json | undefined)?.ProcessorConfig ? ((state.ItemProcessor as Json).ProcessorConfig as Json).Mode : 'INLINE')})`;
  return String(state.Type);
}

function describeRule(rule: Json, index: number): string {
  const { Next: _next, ...test } = rule;
  const variable = typeof test.Variable === 'string' ? test.Variable : '';
  const operator = Object.keys(test).find((k) => k !== 'Variable');
  if (variable && operator) return `${variable} ${operator} ${JSON.stringify(test[operator])}`;
  return `rule ${index + 1}`;
}

/** Error names for a label: the first one and how many more, so long retriers stay readable. */
function errorList(errors: readonly string[]): string {
  return errors.length > 1 ? `${errors[0]} +${errors.length - 1}` : (errors[0] ?? '');
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/\|/g, '#124;');
}
