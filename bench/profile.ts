import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoRoot } from './infra';
import { round } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Share of busy (non-idle) samples by where the code lives: a package, our own libs, GC, node internals. */
  busyShareByArea: { area: string; share: number; ms: number }[];
  /** The functions with the most self time. */
  topSelf: { frame: string; share: number }[];
}

/** Where a frame's code lives, at the grain that says where a worker's time goes. */
function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native';
  if (url === '' ) return 'V8 / native';
  if (url.startsWith('node:')) return 'node internals (net, streams, timers)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) {
    const name = pkg[1];
    if (name.startsWith('@mikro-orm/')) return 'MikroORM';
    if (name.startsWith('@nestjs/')) return 'NestJS (+cqrs)';
    return name;
  }
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = relative(repoRoot, path);
  const own = /^(apps\/[^/]+|libs\/[^/]+)/.exec(rel);
  return own ? own[1] : rel;
}

function frameLabel(frame: ProfileNode['callFrame']): string {
  const path = frame.url.startsWith('file://') ? frame.url.slice('file://'.length) : frame.url;
  const where = path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) : relative(repoRoot, path);
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(file: string, topCount = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const areas = new Map<string, number>();
  const frames = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const area = areaOf(node.callFrame);
    if (area === 'idle') continue;
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const label = frameLabel(node.callFrame);
    frames.set(label, (frames.get(label) ?? 0) + us);
  }
  const ranked = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return {
    file: relative(repoRoot, file),
    sampledMs: round(total / 1000),
    busyShareByArea: ranked(areas)
      .slice(0, topCount)
      .map(([area, us]) => ({ area, share: round(us / busy, 3), ms: round(us / 1000) })),
    topSelf: ranked(frames)
      .slice(0, topCount)
      .map(([frame, us]) => ({ frame, share: round(us / busy, 3) })),
  };
}
