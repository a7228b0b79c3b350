/**
 * Help text and the README's command and option tables, all rendered from the command list: one
 * description of each flag, so the CLI, its help and the docs cannot drift apart.
 */
import { ROKV_VERSION } from '../version.js';
import type { OptionSpec } from '../options.js';
import type { Command } from './command.js';

const WIDTH = 100;

/** `rokv build INPUT... --out DIR [flags]`: arguments, required flags, then the rest. */
export function usageLine(cmd: Command): string {
  const args = cmd.positionals.map((p) => (p.variadic ? `${p.name}...` : p.name));
  const required = Object.values(cmd.options)
    .filter((o) => o.required === true)
    .map((o) => `--${o.flag}${o.value === undefined ? '' : ` ${o.value}`}`);
  const optional = Object.values(cmd.options).some((o) => o.required !== true) ? ['[flags]'] : [];
  return ['rokv', cmd.name, ...args, ...required, ...optional].join(' ');
}

/** How help writes an option's default; undefined when there is nothing worth saying. */
export function defaultText(spec: OptionSpec): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const value = spec.default;
  if (value === undefined || value === false || typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  // Defaults are strings, numbers and booleans, which JSON writes as String would.
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `-p, --port PORT` */
function flagText(spec: OptionSpec): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
  return `${short}--${spec.flag}${spec.value === undefined ? '' : ` ${spec.value}`}`;
}

/** Breaks `text` into lines of at most `width` characters, each starting with `indent`. */
function wrap(text: string, indent: string, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${indent}${l}\n`).join('');
}

/** `rokv COMMAND --help`: usage, arguments, every flag with its meaning, default and variable, examples. */
export function commandHelp(cmd: Command): string {
  let out = `rokv ${cmd.name}: ${cmd.summary}\n\nUsage:\n  ${usageLine(cmd)}\n`;
  if (cmd.positionals.length > 0) {
    out += '\nArguments:\n';
    for (const p of cmd.positionals) out += `  ${p.variadic ? `${p.name}...` : p.name}\n${wrap(p.help, '        ')}`;
  }
  out += '\nFlags:\n';
  for (const spec of Object.values(cmd.options)) {
    const facts = [
      ...(spec.required === true ? ['required'] : []),
      ...(defaultText(spec) === undefined ? [] : [`default: ${defaultText(spec)}`]),
      ...(spec.env === undefined ? [] : [`env: ${spec.env}`]),
    ];
    out += `  ${flagText(spec)}\n${wrap(spec.help, '        ')}`;
    if (facts.length > 0) out += `        (${facts.join('; ')})\n`;
  }
  out += '  -h, --help\n        show this help\n';
  out += '\nExamples:\n';
  for (const e of cmd.examples) out += `  # ${e.note}\n  ${e.line}\n\n`;
  return out.trimEnd() + '\n';
}

/** `rokv help`: every command with its usage and summary. */
export function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  let out = `rokv ${ROKV_VERSION}: a read-only key-value server (UUID keys, string values)\n\nUsage:\n  rokv COMMAND [flags]\n\nCommands:\n`;
  for (const c of commands) out += `  ${c.name.padEnd(width)}  ${c.summary}\n`;
  out +=
    '\nRun `rokv help COMMAND` (or `rokv COMMAND --help`) for its flags, defaults, environment variables and examples.\n' +
    '`rokv --version` prints the version.\n';
  return out;
}

/** Escapes a table cell's pipes for Markdown. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The README's table of commands: usage and what each does. */
export function commandsMarkdown(commands: readonly Command[]): string {
  let out = '| command | what it does |\n|---|---|\n';
  for (const c of commands) out += `| \`${cell(usageLine(c))}\` | ${cell(c.summary)} |\n`;
  return out;
}

/** The README's table of a command's flags: flag, environment variable, default, meaning. */
export function optionsMarkdown(cmd: Command): string {
  let out = '| flag | env | default | meaning |\n|---|---|---|---|\n';
  for (const spec of Object.values(cmd.options)) {
    const flag = `--${spec.flag}${spec.value === undefined ? '' : ` ${spec.value}`}`;
    const env = spec.env === undefined ? '' : `\`${spec.env}\``;
    const fallback = spec.required === true ? 'required' : (defaultText(spec) ?? '');
    out += `| \`${cell(flag)}\` | ${env} | ${cell(fallback)} | ${cell(spec.help)} |\n`;
  }
  return out;
}

/** docs/cli.md: every command's usage, arguments, flags and examples. */
export function referenceMarkdown(commands: readonly Command[]): string {
  let out =
    '# rokv command reference\n\n' +
    'Generated from the command table (src/cli/commands.ts, src/config.ts); `rokv help COMMAND` prints the same.\n' +
    'Where a flag has an environment variable, the flag wins over the variable, the variable over the default.\n';
  for (const c of commands) {
    out += `\n## rokv ${c.name}\n\n${c.summary}\n\n\`\`\`\n${usageLine(c)}\n\`\`\`\n`;
    if (c.positionals.length > 0) {
      out += '\n';
      for (const p of c.positionals) out += `- \`${p.variadic ? `${p.name}...` : p.name}\`: ${p.help}\n`;
    }
    if (Object.keys(c.options).length > 0) out += `\n${optionsMarkdown(c)}`;
    out += '\n```sh\n';
    for (const e of c.examples) out += `# ${e.note}\n${e.line}\n`;
    out += '```\n';
  }
  return out;
}

/**
 * Replaces each `<!-- generated: NAME -->` ... `<!-- end generated -->` block of `text` with what
 * `render(NAME)` gives, so a document keeps its prose and the tables come from the command table.
 */
export function fillGenerated(text: string, render: (name: string) => string): string {
  return text.replace(
    /(<!-- generated: ([^>]+?) -->\n)[\s\S]*?(<!-- end generated -->)/g,
    (_all, open: string, name: string, close: string) => `${open}${render(name)}${close}`,
  );
}
